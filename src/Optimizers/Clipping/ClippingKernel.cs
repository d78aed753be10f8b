using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers.Clipping;

/// <summary>The span passes behind <see cref="GradientClipping"/>: vectorised, allocation-free.</summary>
internal static class ClippingKernel
{
    /// <summary>
    /// Raises <paramref name="maxAbs"/> to the largest |x[i]| and reports whether every element is finite.
    /// When an element is NaN or ±∞ the value left in <paramref name="maxAbs"/> is unspecified.
    /// </summary>
    public static bool MaxAbs(ReadOnlySpan<double> x, ref double maxAbs)
    {
        int i = 0;
        bool finite = true;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(x);
            var max = new Vector<double>(maxAbs);
            var nonFinite = Vector<double>.Zero;
            foreach (var v in vectors)
            {
                max = Vector.Max(max, Vector.Abs(v));
                nonFinite += v - v;   // 0 for finite v, NaN for NaN or ±∞
            }

            finite = nonFinite == Vector<double>.Zero;
            for (int k = 0; k < Vector<double>.Count; k++)
            {
                maxAbs = Math.Max(maxAbs, max[k]);
            }

            i = vectors.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            finite &= double.IsFinite(x[i]);
            maxAbs = Math.Max(maxAbs, Math.Abs(x[i]));
        }

        return finite;
    }

    /// <summary>Σ (s·x[i])², with s a power of two so that the scaling is exact.</summary>
    public static double SumOfSquares(ReadOnlySpan<double> x, double s)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(x);
            var acc = Vector<double>.Zero;
            foreach (var v in vectors)
            {
                var scaled = v * s;
                acc += scaled * scaled;
            }

            sum = Vector.Sum(acc);
            i = vectors.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            double scaled = x[i] * s;
            sum += scaled * scaled;
        }

        return sum;
    }

    /// <summary>Σ |s·x[i]|, with s a power of two so that the scaling is exact.</summary>
    public static double SumOfAbs(ReadOnlySpan<double> x, double s)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(x);
            var acc = Vector<double>.Zero;
            foreach (var v in vectors)
            {
                acc += Vector.Abs(v * s);
            }

            sum = Vector.Sum(acc);
            i = vectors.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            sum += Math.Abs(x[i] * s);
        }

        return sum;
    }

    /// <summary>Σ |s·x[i]|^p for a general p (scalar: there is no vector power).</summary>
    public static double SumOfPowers(ReadOnlySpan<double> x, double s, double p)
    {
        double sum = 0;
        foreach (double value in x)
        {
            sum += Math.Pow(Math.Abs(value * s), p);
        }

        return sum;
    }

    /// <summary>x[i] = x[i] · c.</summary>
    public static void Scale(Span<double> x, double c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(x);
            for (int k = 0; k < vectors.Length; k++)
            {
                vectors[k] *= c;
            }

            i = vectors.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            x[i] *= c;
        }
    }

    /// <summary>x[i] = min(max(x[i], −c), c); NaN stays NaN, as torch's clamp.</summary>
    public static void Clamp(Span<double> x, double c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(x);
            var high = new Vector<double>(c);
            var low = -high;
            for (int k = 0; k < vectors.Length; k++)
            {
                var v = vectors[k];
                v = Vector.ConditionalSelect(Vector.LessThan(v, low), low, v);        // comparisons with NaN are false,
                v = Vector.ConditionalSelect(Vector.GreaterThan(v, high), high, v);   // so NaN passes through
                vectors[k] = v;
            }

            i = vectors.Length * Vector<double>.Count;
        }

        for (; i < x.Length; i++)
        {
            double v = x[i];
            v = v < -c ? -c : v;
            x[i] = v > c ? c : v;
        }
    }
}
