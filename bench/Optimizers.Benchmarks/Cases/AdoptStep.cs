using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// ADOPT (the authors' defaults): at t = 1 only v ← g²; then n = clamp(g / max(√v, ε), −c, c) with c = (t − 1)^¼;
/// m ← m + (1 − β₁)·(n − m);  θ ← θ − α·m;  v ← β₂·v + (1 − β₂)·g², with α = 0.001, β₁ = 0.9, β₂ = 0.9999, ε = 1e-6.
/// </summary>
/// <remarks>
/// TorchSharp has no ADOPT, so the case has no TorchSharp column. The update needs one square root and one division per
/// element (the normalisation by max(√v, ε) cannot be folded into a per-step scalar); the limit is that arithmetic with
/// unchecked loads. The first step (v ← g², θ unchanged) runs once per training and is a plain loop everywhere.
/// </remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class AdoptStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.001;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.9999;
    private const double Eps = 1e-6;
    private static readonly T LrT = C(Lr), Weight = C(1 - Beta1), Beta2T = C(Beta2), Share2 = C(1 - Beta2), EpsT = C(Eps);

    /// <summary>c = (t − 1)^¼ of the current step.</summary>
    private T _clip;

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new Adopt<T>(parameters, Lr, Beta1, Beta2, Eps);

    protected override void BeginStep() => _clip = C(Math.Pow(StepNumber - 1, 0.25));

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        if (StepNumber == 1)
        {
            MState[1][p] = g.PointwiseMultiply(g);
            return;
        }

        var denominator = MState[1][p].PointwiseSqrt().PointwiseMaximum(EpsT);
        var normed = g.PointwiseDivide(denominator).PointwiseMaximum(-_clip).PointwiseMinimum(_clip);
        MState[0][p] = MState[0][p] + (normed - MState[0][p]) * Weight;
        MTheta[p] = MTheta[p] - MState[0][p] * LrT;
        MState[1][p] = MState[1][p] * Beta2T + g.PointwiseMultiply(g) * Share2;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        if (StepNumber == 1)
        {
            g.PointwiseMultiply(g, v);
            return;
        }

        v.PointwiseSqrt(tmp);
        tmp.PointwiseMaximum(EpsT, tmp);
        g.PointwiseDivide(tmp, tmp);
        tmp.PointwiseMaximum(-_clip, tmp);
        tmp.PointwiseMinimum(_clip, tmp);
        tmp.Subtract(m, tmp);
        tmp.Multiply(Weight, tmp);
        m.Add(tmp, m);
        m.Multiply(LrT, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
        v.Multiply(Beta2T, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(Share2, tmp);
        v.Add(tmp, v);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        nuint n = (nuint)length, i = 0;
        if (StepNumber == 1)
        {
            Initialise(ref g, ref v, n);
            return;
        }

        Vector<T> lr = new(LrT), weight = new(Weight), b2 = new(Beta2T), s2 = new(Share2), eps = new(EpsT), clip = new(_clip);
        nuint w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count);
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, lr, weight, b2, s2, eps, clip);
            Update(ref t, ref g, ref m, ref v, i + q, lr, weight, b2, s2, eps, clip);
            Update(ref t, ref g, ref m, ref v, i + 2 * q, lr, weight, b2, s2, eps, clip);
            Update(ref t, ref g, ref m, ref v, i + 3 * q, lr, weight, b2, s2, eps, clip);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, lr, weight, b2, s2, eps, clip);
        }

        Remainder(ref t, ref g, ref m, ref v, i, n, _clip);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T v, nuint i, Vector<T> lr, Vector<T> weight, Vector<T> b2, Vector<T> s2,
                           Vector<T> eps, Vector<T> clip)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var vi = Vector.LoadUnsafe(ref v, i);
            var normed = Vector.Min(Vector.Max(gi / Vector.Max(Vector.SquareRoot(vi), eps), -clip), clip);
            var mi = Vector.LoadUnsafe(ref m, i);
            mi += (normed - mi) * weight;
            mi.StoreUnsafe(ref m, i);
            (Vector.LoadUnsafe(ref t, i) - lr * mi).StoreUnsafe(ref t, i);
            (vi * b2 + s2 * gi * gi).StoreUnsafe(ref v, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        nuint n = (nuint)length, i = 0;
        if (StepNumber == 1)
        {
            Initialise(ref g, ref v, n);
            return;
        }

        Vector512<T> lr = Vector512.Create(LrT), weight = Vector512.Create(Weight), b2 = Vector512.Create(Beta2T);
        Vector512<T> s2 = Vector512.Create(Share2), eps = Vector512.Create(EpsT), clip = Vector512.Create(_clip);
        nuint w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count);
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, lr, weight, b2, s2, eps, clip);
            Update(ref t, ref g, ref m, ref v, i + q, lr, weight, b2, s2, eps, clip);
            Update(ref t, ref g, ref m, ref v, i + 2 * q, lr, weight, b2, s2, eps, clip);
            Update(ref t, ref g, ref m, ref v, i + 3 * q, lr, weight, b2, s2, eps, clip);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, lr, weight, b2, s2, eps, clip);
        }

        Remainder(ref t, ref g, ref m, ref v, i, n, _clip);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T v, nuint i, Vector512<T> lr, Vector512<T> weight, Vector512<T> b2,
                           Vector512<T> s2, Vector512<T> eps, Vector512<T> clip)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var vi = Vector512.LoadUnsafe(ref v, i);
            var normed = Vector512.Min(Vector512.Max(gi / Vector512.Max(Vector512.Sqrt(vi), eps), -clip), clip);
            var mi = Vector512.LoadUnsafe(ref m, i);
            mi += (normed - mi) * weight;
            mi.StoreUnsafe(ref m, i);
            (Vector512.LoadUnsafe(ref t, i) - lr * mi).StoreUnsafe(ref t, i);
            (vi * b2 + s2 * gi * gi).StoreUnsafe(ref v, i);
        }
    }

    private static void Initialise(ref T g, ref T v, nuint n)
    {
        for (nuint i = 0; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            Unsafe.Add(ref v, i) = gi * gi;
        }
    }

    private static void Remainder(ref T t, ref T g, ref T m, ref T v, nuint from, nuint n, T clip)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T vi = Unsafe.Add(ref v, i);
            T normed = T.Min(T.Max(gi / T.Max(T.Sqrt(vi), EpsT), -clip), clip);
            T mi = Unsafe.Add(ref m, i);
            mi += (normed - mi) * Weight;
            Unsafe.Add(ref m, i) = mi;
            Unsafe.Add(ref t, i) -= LrT * mi;
            Unsafe.Add(ref v, i) = vi * Beta2T + Share2 * gi * gi;
        }
    }
}
