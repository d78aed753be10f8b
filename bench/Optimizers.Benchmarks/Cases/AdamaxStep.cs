using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// Adamax (torch.optim.Adamax defaults): m ← β₁·m + (1 − β₁)·g;  u ← max(β₂·u, |g| + ε);
/// θ ← θ − (γ / (1 − β₁ᵗ))·m / u, with γ = 0.002, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
/// </summary>
/// <remarks>The limit is torch's order with γ/(1 − β₁ᵗ) formed once per step: one division per element.</remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class AdamaxStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.002;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private static readonly T Beta1T = C(Beta1), Share1 = C(1 - Beta1), Beta2T = C(Beta2), EpsT = C(Eps);

    /// <summary>γ/(1 − β₁ᵗ) of the current step.</summary>
    private T _stepSize;

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new Adamax<T>(parameters, Lr, Beta1, Beta2, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.Adamax(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0);

    protected override void BeginStep() => _stepSize = C(Lr / (1 - Math.Pow(Beta1, StepNumber)));

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        MState[0][p] = MState[0][p] * Beta1T + g * Share1;
        MState[1][p] = (MState[1][p] * Beta2T).PointwiseMaximum(g.PointwiseAbs() + EpsT);
        MTheta[p] = MTheta[p] - MState[0][p].PointwiseDivide(MState[1][p]) * _stepSize;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var u = MState[1][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        m.Multiply(Beta1T, m);
        g.Multiply(Share1, tmp);
        m.Add(tmp, m);
        u.Multiply(Beta2T, u);
        g.PointwiseAbs(tmp);
        tmp.Add(EpsT, tmp);
        u.PointwiseMaximum(tmp, u);
        m.PointwiseDivide(u, tmp);
        tmp.Multiply(_stepSize, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T u = ref At(State[1][p], start);
        Vector<T> beta1 = new(Beta1T), share1 = new(Share1), beta2 = new(Beta2T), eps = new(EpsT), step = new(_stepSize);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref u, i, beta1, share1, beta2, eps, step);
            Update(ref t, ref g, ref m, ref u, i + q, beta1, share1, beta2, eps, step);
            Update(ref t, ref g, ref m, ref u, i + 2 * q, beta1, share1, beta2, eps, step);
            Update(ref t, ref g, ref m, ref u, i + 3 * q, beta1, share1, beta2, eps, step);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref u, i, beta1, share1, beta2, eps, step);
        }

        Remainder(ref t, ref g, ref m, ref u, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T u, nuint i, Vector<T> beta1, Vector<T> share1, Vector<T> beta2,
                           Vector<T> eps, Vector<T> step)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var mi = Vector.LoadUnsafe(ref m, i) * beta1 + gi * share1;
            mi.StoreUnsafe(ref m, i);
            var ui = Vector.Max(Vector.LoadUnsafe(ref u, i) * beta2, Vector.Abs(gi) + eps);
            ui.StoreUnsafe(ref u, i);
            (Vector.LoadUnsafe(ref t, i) - step * mi / ui).StoreUnsafe(ref t, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T u = ref At(State[1][p], start);
        Vector512<T> beta1 = Vector512.Create(Beta1T), share1 = Vector512.Create(Share1), beta2 = Vector512.Create(Beta2T);
        Vector512<T> eps = Vector512.Create(EpsT), step = Vector512.Create(_stepSize);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref u, i, beta1, share1, beta2, eps, step);
            Update(ref t, ref g, ref m, ref u, i + q, beta1, share1, beta2, eps, step);
            Update(ref t, ref g, ref m, ref u, i + 2 * q, beta1, share1, beta2, eps, step);
            Update(ref t, ref g, ref m, ref u, i + 3 * q, beta1, share1, beta2, eps, step);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref u, i, beta1, share1, beta2, eps, step);
        }

        Remainder(ref t, ref g, ref m, ref u, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T u, nuint i, Vector512<T> beta1, Vector512<T> share1,
                           Vector512<T> beta2, Vector512<T> eps, Vector512<T> step)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var mi = Vector512.LoadUnsafe(ref m, i) * beta1 + gi * share1;
            mi.StoreUnsafe(ref m, i);
            var ui = Vector512.Max(Vector512.LoadUnsafe(ref u, i) * beta2, Vector512.Abs(gi) + eps);
            ui.StoreUnsafe(ref u, i);
            (Vector512.LoadUnsafe(ref t, i) - step * mi / ui).StoreUnsafe(ref t, i);
        }
    }

    private void Remainder(ref T t, ref T g, ref T m, ref T u, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T mi = Unsafe.Add(ref m, i) * Beta1T + gi * Share1;
            Unsafe.Add(ref m, i) = mi;
            T ui = T.Max(Unsafe.Add(ref u, i) * Beta2T, T.Abs(gi) + EpsT);
            Unsafe.Add(ref u, i) = ui;
            Unsafe.Add(ref t, i) -= _stepSize * mi / ui;
        }
    }
}
