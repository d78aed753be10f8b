using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers.Clipping;

/// <summary>
/// The span passes behind <see cref="GradientClipping"/>: vectorised, allocation-free. Norms accumulate in double
/// whatever the element type (a float32 gradient is widened to double before it is squared), so that a float32
/// norm neither overflows nor loses the small elements' share; scaling and clamping write in the element type.
/// </summary>
internal static class ClippingKernel
{
    /// <summary>
    /// Raises <paramref name="maxAbs"/> to the largest |x[i]| and reports whether every element is finite.
    /// When an element is NaN or ±∞ the value left in <paramref name="maxAbs"/> is unspecified.
    /// </summary>
    public static bool MaxAbs<T>(ReadOnlySpan<T> x, ref double maxAbs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        bool finite = true;
        T max = T.CreateTruncating(maxAbs);   // exact: maxAbs is 0 or the |x| of an element of this type
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(x);
            var vmax = new Vector<T>(max);
            var nonFinite = Vector<T>.Zero;
            foreach (var v in vectors)
            {
                vmax = Vector.Max(vmax, Vector.Abs(v));
                nonFinite += v - v;   // 0 for finite v, NaN for NaN or ±∞
            }

            finite = nonFinite == Vector<T>.Zero;
            for (int k = 0; k < Vector<T>.Count; k++)
            {
                max = T.Max(max, vmax[k]);
            }

            i = vectors.Length * Vector<T>.Count;
        }

        for (; i < x.Length; i++)
        {
            finite &= T.IsFinite(x[i]);
            max = T.Max(max, T.Abs(x[i]));
        }

        maxAbs = double.CreateTruncating(max);
        return finite;
    }

    /// <summary>Σ (s·x[i])² in double, with s a power of two so that the scaling is exact.</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> x, double s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var acc = Vector<double>.Zero;
            foreach (var v in Wide(x))
            {
                var scaled = v * s;
                acc += scaled * scaled;
            }

            sum = Vector.Sum(acc);
            i = x.Length / Vector<T>.Count * Vector<T>.Count;
        }

        for (; i < x.Length; i++)
        {
            double scaled = double.CreateTruncating(x[i]) * s;
            sum += scaled * scaled;
        }

        return sum;
    }

    /// <summary>Σ |s·x[i]| in double, with s a power of two so that the scaling is exact.</summary>
    public static double SumOfAbs<T>(ReadOnlySpan<T> x, double s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var acc = Vector<double>.Zero;
            foreach (var v in Wide(x))
            {
                acc += Vector.Abs(v * s);
            }

            sum = Vector.Sum(acc);
            i = x.Length / Vector<T>.Count * Vector<T>.Count;
        }

        for (; i < x.Length; i++)
        {
            sum += Math.Abs(double.CreateTruncating(x[i]) * s);
        }

        return sum;
    }

    /// <summary>Σ |s·x[i]|^p in double for a general p (scalar: there is no vector power).</summary>
    public static double SumOfPowers<T>(ReadOnlySpan<T> x, double s, double p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T value in x)
        {
            sum += Math.Pow(Math.Abs(double.CreateTruncating(value) * s), p);
        }

        return sum;
    }

    /// <summary>x[i] = x[i] · c, with c rounded to <typeparamref name="T"/> once.</summary>
    public static void Scale<T>(Span<T> x, double c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T factor = T.CreateTruncating(c);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(x);
            for (int k = 0; k < vectors.Length; k++)
            {
                vectors[k] *= factor;
            }

            i = vectors.Length * Vector<T>.Count;
        }

        for (; i < x.Length; i++)
        {
            x[i] *= factor;
        }
    }

    /// <summary>x[i] = min(max(x[i], −c), c), with c rounded to <typeparamref name="T"/>; NaN stays NaN, as torch's clamp.</summary>
    public static void Clamp<T>(Span<T> x, double c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T bound = T.CreateTruncating(c);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(x);
            var high = new Vector<T>(bound);
            var low = -high;
            for (int k = 0; k < vectors.Length; k++)
            {
                var v = vectors[k];
                v = Vector.ConditionalSelect(Vector.LessThan(v, low), low, v);        // comparisons with NaN are false,
                v = Vector.ConditionalSelect(Vector.GreaterThan(v, high), high, v);   // so NaN passes through
                vectors[k] = v;
            }

            i = vectors.Length * Vector<T>.Count;
        }

        for (; i < x.Length; i++)
        {
            T v = x[i];
            v = v < -bound ? -bound : v;
            x[i] = v > bound ? bound : v;
        }
    }

    /// <summary>The whole vectors of <paramref name="x"/> as vectors of double (float32 vectors widened into two each).</summary>
    private static WideVectors<T> Wide<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(MemoryMarshal.Cast<T, Vector<T>>(x));

    /// <summary>Enumerates vectors of <typeparamref name="T"/> as vectors of double, without allocating.</summary>
    private ref struct WideVectors<T>(ReadOnlySpan<Vector<T>> vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<Vector<T>> _vectors = vectors;
        private int _index = -1;
        private Vector<double> _high;
        private bool _pendingHigh;

        public readonly WideVectors<T> GetEnumerator() => this;

        public Vector<double> Current { get; private set; }

        public bool MoveNext()
        {
            if (typeof(T) == typeof(double))
            {
                if (++_index >= _vectors.Length)
                {
                    return false;
                }

                Current = Vector.As<T, double>(_vectors[_index]);
                return true;
            }

            if (_pendingHigh)
            {
                _pendingHigh = false;
                Current = _high;
                return true;
            }

            if (++_index >= _vectors.Length)
            {
                return false;
            }

            Vector.Widen(Vector.As<T, float>(_vectors[_index]), out var low, out _high);
            _pendingHigh = true;
            Current = low;
            return true;
        }
    }
}
