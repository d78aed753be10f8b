using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// AdaDelta (torch.optim.Adadelta defaults): v ← ρ·v + (1 − ρ)·g²;  Δ = √(u + ε) / √(v + ε) · g;
/// u ← ρ·u + (1 − ρ)·Δ²;  θ ← θ − γ·Δ, with γ = 1, ρ = 0.9, ε = 1e-6.
/// </summary>
/// <remarks>The limit takes one square root of the quotient, Δ = √((u + ε)/(v + ε))·g, where torch's text takes two.</remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class AdaDeltaStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 1.0;
    private const double Rho = 0.9;
    private const double Eps = 1e-6;
    private static readonly T LrT = C(Lr), RhoT = C(Rho), ShareT = C(1 - Rho), EpsT = C(Eps);

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new AdaDelta<T>(parameters, Lr, Rho, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.Adadelta(parameters, lr: Lr, rho: Rho, eps: Eps, weight_decay: 0);

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        MState[0][p] = MState[0][p] * RhoT + g.PointwiseMultiply(g) * ShareT;
        var delta = (MState[1][p] + EpsT).PointwiseSqrt().PointwiseDivide((MState[0][p] + EpsT).PointwiseSqrt()).PointwiseMultiply(g);
        MState[1][p] = MState[1][p] * RhoT + delta.PointwiseMultiply(delta) * ShareT;
        MTheta[p] = MTheta[p] - delta * LrT;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var v = MState[0][p];
        var u = MState[1][p];
        var g = MGrad[p];
        var delta = MTemp[p];
        var tmp = MTemp2[p];
        v.Multiply(RhoT, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(ShareT, tmp);
        v.Add(tmp, v);
        u.Add(EpsT, delta);
        delta.PointwiseSqrt(delta);
        v.Add(EpsT, tmp);
        tmp.PointwiseSqrt(tmp);
        delta.PointwiseDivide(tmp, delta);
        delta.PointwiseMultiply(g, delta);
        u.Multiply(RhoT, u);
        delta.PointwiseMultiply(delta, tmp);
        tmp.Multiply(ShareT, tmp);
        u.Add(tmp, u);
        delta.Multiply(LrT, delta);
        MTheta[p].Subtract(delta, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T v = ref At(State[0][p], start);
        ref T u = ref At(State[1][p], start);
        Vector<T> lr = new(LrT), rho = new(RhoT), share = new(ShareT), eps = new(EpsT);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref v, ref u, i, lr, rho, share, eps);
            Update(ref t, ref g, ref v, ref u, i + q, lr, rho, share, eps);
            Update(ref t, ref g, ref v, ref u, i + 2 * q, lr, rho, share, eps);
            Update(ref t, ref g, ref v, ref u, i + 3 * q, lr, rho, share, eps);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref v, ref u, i, lr, rho, share, eps);
        }

        Remainder(ref t, ref g, ref v, ref u, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T v, ref T u, nuint i, Vector<T> lr, Vector<T> rho, Vector<T> share, Vector<T> eps)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var vi = Vector.LoadUnsafe(ref v, i) * rho + gi * gi * share;
            vi.StoreUnsafe(ref v, i);
            var ui = Vector.LoadUnsafe(ref u, i);
            var delta = Vector.SquareRoot((ui + eps) / (vi + eps)) * gi;
            (ui * rho + delta * delta * share).StoreUnsafe(ref u, i);
            (Vector.LoadUnsafe(ref t, i) - delta * lr).StoreUnsafe(ref t, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T v = ref At(State[0][p], start);
        ref T u = ref At(State[1][p], start);
        Vector512<T> lr = Vector512.Create(LrT), rho = Vector512.Create(RhoT), share = Vector512.Create(ShareT), eps = Vector512.Create(EpsT);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref v, ref u, i, lr, rho, share, eps);
            Update(ref t, ref g, ref v, ref u, i + q, lr, rho, share, eps);
            Update(ref t, ref g, ref v, ref u, i + 2 * q, lr, rho, share, eps);
            Update(ref t, ref g, ref v, ref u, i + 3 * q, lr, rho, share, eps);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref v, ref u, i, lr, rho, share, eps);
        }

        Remainder(ref t, ref g, ref v, ref u, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T v, ref T u, nuint i, Vector512<T> lr, Vector512<T> rho, Vector512<T> share, Vector512<T> eps)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var vi = Vector512.LoadUnsafe(ref v, i) * rho + gi * gi * share;
            vi.StoreUnsafe(ref v, i);
            var ui = Vector512.LoadUnsafe(ref u, i);
            var delta = Vector512.Sqrt((ui + eps) / (vi + eps)) * gi;
            (ui * rho + delta * delta * share).StoreUnsafe(ref u, i);
            (Vector512.LoadUnsafe(ref t, i) - delta * lr).StoreUnsafe(ref t, i);
        }
    }

    private static void Remainder(ref T t, ref T g, ref T v, ref T u, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T vi = Unsafe.Add(ref v, i) * RhoT + gi * gi * ShareT;
            Unsafe.Add(ref v, i) = vi;
            T ui = Unsafe.Add(ref u, i);
            T delta = T.Sqrt((ui + EpsT) / (vi + EpsT)) * gi;
            Unsafe.Add(ref u, i) = ui * RhoT + delta * delta * ShareT;
            Unsafe.Add(ref t, i) -= delta * LrT;
        }
    }
}
