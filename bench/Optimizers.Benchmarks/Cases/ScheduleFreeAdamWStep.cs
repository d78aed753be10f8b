using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// Schedule-free AdamW (the authors' defaults): v ← β₂·v + (1 − β₂)·g²;  u = g / (√(v / (1 − β₂ᵗ)) + ε);
/// y ← (1 − c)·y + c·z + α·(β₁·(1 − c) − 1)·u;  z ← z − α·u, with c = wₜ/Σw and wₜ = α² (r = 0, power 2),
/// α = 0.0025, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, no weight decay or warm-up; at t = 1, z starts as a copy of y.
/// </summary>
/// <remarks>
/// TorchSharp has no schedule-free rules, so the case has no TorchSharp column. The limit multiplies numerator and
/// denominator by k = √(1 − β₂ᵗ): u = k·g / (√v + ε·k), with k and ε·k formed once per step: one square root and one
/// division per element where the reference's text divides twice (as the Adam case's limit). Seven streams, as Adam.
/// </remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class ScheduleFreeAdamWStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.0025;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private static readonly T Beta2T = C(Beta2), Share2 = C(1 - Beta2), LrT = C(Lr), EpsT = C(Eps);

    private double _weightSum;
    private T _k, _kEpsilon, _average, _keep, _yStep, _biasCorrection2;

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters)
        => new ScheduleFreeAdamW<T>(parameters, Lr, Beta1, Beta2, Eps);

    /// <summary>The step's scalars as the reference forms them (in double), and z ← y at the first step.</summary>
    protected override void BeginStep()
    {
        if (StepNumber == 1)
        {
            _weightSum = 0;
            for (int p = 0; p < Theta.Length; p++)
            {
                Theta[p].CopyTo(State[0][p], 0);
            }
        }

        double weight = Lr * Lr;
        _weightSum += weight;
        double c = weight / _weightSum;
        double biasCorrection2 = 1 - Math.Pow(Beta2, StepNumber);
        _k = C(Math.Sqrt(biasCorrection2));
        _kEpsilon = C(Eps * Math.Sqrt(biasCorrection2));
        _biasCorrection2 = C(biasCorrection2);
        _average = C(c);
        _keep = C(1 - c);
        _yStep = C(Lr * (Beta1 * (1 - c) - 1));
    }

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        MState[1][p] = MState[1][p] * Beta2T + g.PointwiseMultiply(g) * Share2;
        var u = g.PointwiseDivide((MState[1][p] / _biasCorrection2).PointwiseSqrt() + EpsT);
        MTheta[p] = MTheta[p] * _keep + MState[0][p] * _average + u * _yStep;
        MState[0][p] = MState[0][p] - u * LrT;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var z = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var u = MTemp[p];
        var tmp = MTemp2[p];
        v.Multiply(Beta2T, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(Share2, tmp);
        v.Add(tmp, v);
        v.Divide(_biasCorrection2, u);
        u.PointwiseSqrt(u);
        u.Add(EpsT, u);
        g.PointwiseDivide(u, u);
        MTheta[p].Multiply(_keep, MTheta[p]);
        z.Multiply(_average, tmp);
        MTheta[p].Add(tmp, MTheta[p]);
        u.Multiply(_yStep, tmp);
        MTheta[p].Add(tmp, MTheta[p]);
        u.Multiply(LrT, tmp);
        z.Subtract(tmp, z);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T y = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T z = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        Vector<T> b2 = new(Beta2T), s2 = new(Share2), k = new(_k), ke = new(_kEpsilon), keep = new(_keep), average = new(_average);
        Vector<T> ys = new(_yStep), lr = new(LrT);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref y, ref g, ref z, ref v, i, b2, s2, k, ke, keep, average, ys, lr);
            Update(ref y, ref g, ref z, ref v, i + q, b2, s2, k, ke, keep, average, ys, lr);
            Update(ref y, ref g, ref z, ref v, i + 2 * q, b2, s2, k, ke, keep, average, ys, lr);
            Update(ref y, ref g, ref z, ref v, i + 3 * q, b2, s2, k, ke, keep, average, ys, lr);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref y, ref g, ref z, ref v, i, b2, s2, k, ke, keep, average, ys, lr);
        }

        Remainder(ref y, ref g, ref z, ref v, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T y, ref T g, ref T z, ref T v, nuint i, Vector<T> b2, Vector<T> s2, Vector<T> k, Vector<T> ke,
                           Vector<T> keep, Vector<T> average, Vector<T> ys, Vector<T> lr)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var vi = Vector.LoadUnsafe(ref v, i) * b2 + s2 * gi * gi;
            vi.StoreUnsafe(ref v, i);
            var u = k * gi / (Vector.SquareRoot(vi) + ke);
            var zi = Vector.LoadUnsafe(ref z, i);
            (Vector.LoadUnsafe(ref y, i) * keep + zi * average + ys * u).StoreUnsafe(ref y, i);
            (zi - lr * u).StoreUnsafe(ref z, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T y = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T z = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        Vector512<T> b2 = Vector512.Create(Beta2T), s2 = Vector512.Create(Share2), k = Vector512.Create(_k);
        Vector512<T> ke = Vector512.Create(_kEpsilon), keep = Vector512.Create(_keep), average = Vector512.Create(_average);
        Vector512<T> ys = Vector512.Create(_yStep), lr = Vector512.Create(LrT);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref y, ref g, ref z, ref v, i, b2, s2, k, ke, keep, average, ys, lr);
            Update(ref y, ref g, ref z, ref v, i + q, b2, s2, k, ke, keep, average, ys, lr);
            Update(ref y, ref g, ref z, ref v, i + 2 * q, b2, s2, k, ke, keep, average, ys, lr);
            Update(ref y, ref g, ref z, ref v, i + 3 * q, b2, s2, k, ke, keep, average, ys, lr);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref y, ref g, ref z, ref v, i, b2, s2, k, ke, keep, average, ys, lr);
        }

        Remainder(ref y, ref g, ref z, ref v, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T y, ref T g, ref T z, ref T v, nuint i, Vector512<T> b2, Vector512<T> s2, Vector512<T> k,
                           Vector512<T> ke, Vector512<T> keep, Vector512<T> average, Vector512<T> ys, Vector512<T> lr)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var vi = Vector512.LoadUnsafe(ref v, i) * b2 + s2 * gi * gi;
            vi.StoreUnsafe(ref v, i);
            var u = k * gi / (Vector512.Sqrt(vi) + ke);
            var zi = Vector512.LoadUnsafe(ref z, i);
            (Vector512.LoadUnsafe(ref y, i) * keep + zi * average + ys * u).StoreUnsafe(ref y, i);
            (zi - lr * u).StoreUnsafe(ref z, i);
        }
    }

    private void Remainder(ref T y, ref T g, ref T z, ref T v, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T vi = Unsafe.Add(ref v, i) * Beta2T + Share2 * gi * gi;
            Unsafe.Add(ref v, i) = vi;
            T u = _k * gi / (T.Sqrt(vi) + _kEpsilon);
            T zi = Unsafe.Add(ref z, i);
            Unsafe.Add(ref y, i) = Unsafe.Add(ref y, i) * _keep + zi * _average + _yStep * u;
            Unsafe.Add(ref z, i) = zi - LrT * u;
        }
    }
}
