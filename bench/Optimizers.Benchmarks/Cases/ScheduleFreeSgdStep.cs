using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// Schedule-free SGD (the authors' defaults): y ← (1 − c)·y + c·z + α·(β·(1 − c) − 1)·g;  z ← z − α·g, with
/// c = wₜ/Σw and wₜ = α² (r = 0, power 2), α = 1, β = 0.9, no weight decay or warm-up; at t = 1, z starts as a copy of y.
/// </summary>
/// <remarks>
/// TorchSharp has no schedule-free rules, so the case has no TorchSharp column. Five streams (y and z read and written,
/// g read), as Momentum; the limit is the interpolation as two products and a sum (the reference's lerp, within the
/// tolerance) with the step's scalars formed once.
/// </remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class ScheduleFreeSgdStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 1.0;
    private const double Beta = 0.9;
    private static readonly T LrT = C(Lr);

    private double _weightSum;
    private T _average, _keep, _yStep;

    protected override int StateCount => 1;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new ScheduleFreeSgd<T>(parameters, Lr, Beta);

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
        _average = C(c);
        _keep = C(1 - c);
        _yStep = C(Lr * (Beta * (1 - c) - 1));
    }

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        MTheta[p] = MTheta[p] * _keep + MState[0][p] * _average + g * _yStep;
        MState[0][p] = MState[0][p] - g * LrT;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var z = MState[0][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        MTheta[p].Multiply(_keep, MTheta[p]);
        z.Multiply(_average, tmp);
        MTheta[p].Add(tmp, MTheta[p]);
        g.Multiply(_yStep, tmp);
        MTheta[p].Add(tmp, MTheta[p]);
        g.Multiply(LrT, tmp);
        z.Subtract(tmp, z);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T y = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T z = ref At(State[0][p], start);
        Vector<T> keep = new(_keep), average = new(_average), ys = new(_yStep), lr = new(LrT);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref y, ref g, ref z, i, keep, average, ys, lr);
            Update(ref y, ref g, ref z, i + q, keep, average, ys, lr);
            Update(ref y, ref g, ref z, i + 2 * q, keep, average, ys, lr);
            Update(ref y, ref g, ref z, i + 3 * q, keep, average, ys, lr);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref y, ref g, ref z, i, keep, average, ys, lr);
        }

        Remainder(ref y, ref g, ref z, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T y, ref T g, ref T z, nuint i, Vector<T> keep, Vector<T> average, Vector<T> ys, Vector<T> lr)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var zi = Vector.LoadUnsafe(ref z, i);
            (Vector.LoadUnsafe(ref y, i) * keep + zi * average + ys * gi).StoreUnsafe(ref y, i);
            (zi - lr * gi).StoreUnsafe(ref z, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T y = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T z = ref At(State[0][p], start);
        Vector512<T> keep = Vector512.Create(_keep), average = Vector512.Create(_average), ys = Vector512.Create(_yStep);
        Vector512<T> lr = Vector512.Create(LrT);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref y, ref g, ref z, i, keep, average, ys, lr);
            Update(ref y, ref g, ref z, i + q, keep, average, ys, lr);
            Update(ref y, ref g, ref z, i + 2 * q, keep, average, ys, lr);
            Update(ref y, ref g, ref z, i + 3 * q, keep, average, ys, lr);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref y, ref g, ref z, i, keep, average, ys, lr);
        }

        Remainder(ref y, ref g, ref z, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T y, ref T g, ref T z, nuint i, Vector512<T> keep, Vector512<T> average, Vector512<T> ys, Vector512<T> lr)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var zi = Vector512.LoadUnsafe(ref z, i);
            (Vector512.LoadUnsafe(ref y, i) * keep + zi * average + ys * gi).StoreUnsafe(ref y, i);
            (zi - lr * gi).StoreUnsafe(ref z, i);
        }
    }

    private void Remainder(ref T y, ref T g, ref T z, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T zi = Unsafe.Add(ref z, i);
            Unsafe.Add(ref y, i) = Unsafe.Add(ref y, i) * _keep + zi * _average + _yStep * gi;
            Unsafe.Add(ref z, i) = zi - LrT * gi;
        }
    }
}
