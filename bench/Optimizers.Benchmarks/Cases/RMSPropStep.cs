using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// RMSProp (torch.optim.RMSprop defaults: no momentum, not centred): v ← α·v + (1 − α)·g²;  θ ← θ − γ·g / (√v + ε),
/// with γ = 0.01, α = 0.99, ε = 1e-8.
/// </summary>
/// <remarks>The limit is torch's order: one square root and one division per element already.</remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class RMSPropStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.01;
    private const double Alpha = 0.99;
    private const double Eps = 1e-8;
    private static readonly T LrT = C(Lr), EpsT = C(Eps), AlphaT = C(Alpha), ShareT = C(1 - Alpha);

    protected override int StateCount => 1;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new RMSProp<T>(parameters, Lr, Alpha, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.RMSProp(parameters, lr: Lr, alpha: Alpha, eps: Eps, weight_decay: 0, momentum: 0, centered: false);

    protected override void MathNetExpressionsStep(int p)
    {
        MState[0][p] = MState[0][p] * AlphaT + MGrad[p].PointwiseMultiply(MGrad[p]) * ShareT;
        MTheta[p] = MTheta[p] - MGrad[p].PointwiseDivide(MState[0][p].PointwiseSqrt() + EpsT) * LrT;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var s = MState[0][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        s.Multiply(AlphaT, s);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(ShareT, tmp);
        s.Add(tmp, s);
        s.PointwiseSqrt(tmp);
        tmp.Add(EpsT, tmp);
        g.PointwiseDivide(tmp, tmp);
        tmp.Multiply(LrT, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T s = ref At(State[0][p], start);
        Vector<T> lr = new(LrT), eps = new(EpsT), alpha = new(AlphaT), share = new(ShareT);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref s, i, lr, eps, alpha, share);
            Update(ref t, ref g, ref s, i + q, lr, eps, alpha, share);
            Update(ref t, ref g, ref s, i + 2 * q, lr, eps, alpha, share);
            Update(ref t, ref g, ref s, i + 3 * q, lr, eps, alpha, share);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref s, i, lr, eps, alpha, share);
        }

        Remainder(ref t, ref g, ref s, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T s, nuint i, Vector<T> lr, Vector<T> eps, Vector<T> alpha, Vector<T> share)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var si = Vector.LoadUnsafe(ref s, i) * alpha + gi * gi * share;
            si.StoreUnsafe(ref s, i);
            (Vector.LoadUnsafe(ref t, i) - lr * gi / (Vector.SquareRoot(si) + eps)).StoreUnsafe(ref t, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T s = ref At(State[0][p], start);
        Vector512<T> lr = Vector512.Create(LrT), eps = Vector512.Create(EpsT), alpha = Vector512.Create(AlphaT), share = Vector512.Create(ShareT);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref s, i, lr, eps, alpha, share);
            Update(ref t, ref g, ref s, i + q, lr, eps, alpha, share);
            Update(ref t, ref g, ref s, i + 2 * q, lr, eps, alpha, share);
            Update(ref t, ref g, ref s, i + 3 * q, lr, eps, alpha, share);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref s, i, lr, eps, alpha, share);
        }

        Remainder(ref t, ref g, ref s, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T s, nuint i, Vector512<T> lr, Vector512<T> eps, Vector512<T> alpha, Vector512<T> share)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var si = Vector512.LoadUnsafe(ref s, i) * alpha + gi * gi * share;
            si.StoreUnsafe(ref s, i);
            (Vector512.LoadUnsafe(ref t, i) - lr * gi / (Vector512.Sqrt(si) + eps)).StoreUnsafe(ref t, i);
        }
    }

    private static void Remainder(ref T t, ref T g, ref T s, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T si = Unsafe.Add(ref s, i) * AlphaT + gi * gi * ShareT;
            Unsafe.Add(ref s, i) = si;
            Unsafe.Add(ref t, i) -= LrT * gi / (T.Sqrt(si) + EpsT);
        }
    }
}
