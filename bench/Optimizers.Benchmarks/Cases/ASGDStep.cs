using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// ASGD (torch.optim.ASGD defaults): θ ← θ·(1 − λ·η) − η·g;  ax ← θ (μ = 1 until step t₀ = 10⁶), with α = 0.01,
/// λ = 1e-4, a = 0.75; η = α/(1 + λ·α·(t − 1))^a formed once per step.
/// </summary>
/// <remarks>The limit is one product, one multiply-subtract and one extra store (ax) per element.</remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class ASGDStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.01;
    private const double Lambda = 1e-4;
    private const double Alpha = 0.75;
    private const double T0 = 1e6;

    /// <summary>η and 1 − λ·η of the current step.</summary>
    private T _eta, _shrink;

    protected override int StateCount => 1;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new ASGD<T>(parameters, Lr, Lambda, Alpha, T0);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.ASGD(parameters, lr: Lr, lambd: Lambda, alpha: Alpha, t0: T0);

    /// <summary>η of step t is formed at the end of step t − 1 (α at the first step) and kept in T, as the library and torch do.</summary>
    protected override void BeginStep()
    {
        _eta = StepNumber == 1 ? C(Lr) : C(Lr / Math.Pow(1 + Lambda * Lr * (StepNumber - 1), Alpha));
        _shrink = C(1 - Lambda * double.CreateTruncating(_eta));
    }

    protected override void MathNetExpressionsStep(int p)
    {
        MTheta[p] = MTheta[p] * _shrink - MGrad[p] * _eta;
        MState[0][p] = MTheta[p].Clone();
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var theta = MTheta[p];
        theta.Multiply(_shrink, theta);
        MGrad[p].Multiply(_eta, MTemp[p]);
        theta.Subtract(MTemp[p], theta);
        theta.CopyTo(MState[0][p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T a = ref At(State[0][p], start);
        Vector<T> eta = new(_eta), shrink = new(_shrink);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref a, i, eta, shrink);
            Update(ref t, ref g, ref a, i + q, eta, shrink);
            Update(ref t, ref g, ref a, i + 2 * q, eta, shrink);
            Update(ref t, ref g, ref a, i + 3 * q, eta, shrink);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref a, i, eta, shrink);
        }

        Remainder(ref t, ref g, ref a, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T a, nuint i, Vector<T> eta, Vector<T> shrink)
        {
            var th = Vector.LoadUnsafe(ref t, i) * shrink - eta * Vector.LoadUnsafe(ref g, i);
            th.StoreUnsafe(ref t, i);
            th.StoreUnsafe(ref a, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T a = ref At(State[0][p], start);
        Vector512<T> eta = Vector512.Create(_eta), shrink = Vector512.Create(_shrink);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref a, i, eta, shrink);
            Update(ref t, ref g, ref a, i + q, eta, shrink);
            Update(ref t, ref g, ref a, i + 2 * q, eta, shrink);
            Update(ref t, ref g, ref a, i + 3 * q, eta, shrink);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref a, i, eta, shrink);
        }

        Remainder(ref t, ref g, ref a, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T a, nuint i, Vector512<T> eta, Vector512<T> shrink)
        {
            var th = Vector512.LoadUnsafe(ref t, i) * shrink - eta * Vector512.LoadUnsafe(ref g, i);
            th.StoreUnsafe(ref t, i);
            th.StoreUnsafe(ref a, i);
        }
    }

    private void Remainder(ref T t, ref T g, ref T a, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T th = Unsafe.Add(ref t, i) * _shrink - _eta * Unsafe.Add(ref g, i);
            Unsafe.Add(ref t, i) = th;
            Unsafe.Add(ref a, i) = th;
        }
    }
}
