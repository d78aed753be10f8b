using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>Momentum (torch.optim.SGD with momentum): b ← μ·b + g;  θ ← θ − α·b, with α = 0.01, μ = 0.9.</summary>
/// <remarks>The limit is torch's order: nothing to save per element.</remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class MomentumStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.01;
    private const double Mu = 0.9;
    private static readonly T LrT = C(Lr), MuT = C(Mu);

    protected override int StateCount => 1;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new Momentum<T>(parameters, Lr, Mu);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.SGD(parameters, Lr, momentum: Mu);

    protected override void MathNetExpressionsStep(int p)
    {
        MState[0][p] = MState[0][p] * MuT + MGrad[p];
        MTheta[p] = MTheta[p] - MState[0][p] * LrT;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var b = MState[0][p];
        b.Multiply(MuT, b);
        b.Add(MGrad[p], b);
        b.Multiply(LrT, MTemp[p]);
        MTheta[p].Subtract(MTemp[p], MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T b = ref At(State[0][p], start);
        Vector<T> lr = new(LrT), mu = new(MuT);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref b, i, lr, mu);
            Update(ref t, ref g, ref b, i + q, lr, mu);
            Update(ref t, ref g, ref b, i + 2 * q, lr, mu);
            Update(ref t, ref g, ref b, i + 3 * q, lr, mu);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref b, i, lr, mu);
        }

        Remainder(ref t, ref g, ref b, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T b, nuint i, Vector<T> lr, Vector<T> mu)
        {
            var bi = Vector.LoadUnsafe(ref b, i) * mu + Vector.LoadUnsafe(ref g, i);
            bi.StoreUnsafe(ref b, i);
            (Vector.LoadUnsafe(ref t, i) - bi * lr).StoreUnsafe(ref t, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T b = ref At(State[0][p], start);
        Vector512<T> lr = Vector512.Create(LrT), mu = Vector512.Create(MuT);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref b, i, lr, mu);
            Update(ref t, ref g, ref b, i + q, lr, mu);
            Update(ref t, ref g, ref b, i + 2 * q, lr, mu);
            Update(ref t, ref g, ref b, i + 3 * q, lr, mu);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref b, i, lr, mu);
        }

        Remainder(ref t, ref g, ref b, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T b, nuint i, Vector512<T> lr, Vector512<T> mu)
        {
            var bi = Vector512.LoadUnsafe(ref b, i) * mu + Vector512.LoadUnsafe(ref g, i);
            bi.StoreUnsafe(ref b, i);
            (Vector512.LoadUnsafe(ref t, i) - bi * lr).StoreUnsafe(ref t, i);
        }
    }

    private static void Remainder(ref T t, ref T g, ref T b, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T bi = Unsafe.Add(ref b, i) * MuT + Unsafe.Add(ref g, i);
            Unsafe.Add(ref b, i) = bi;
            Unsafe.Add(ref t, i) -= bi * LrT;
        }
    }
}
