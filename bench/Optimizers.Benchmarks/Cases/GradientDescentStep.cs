using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>Gradient descent (torch.optim.SGD without momentum): θ ← θ − α·g, with α = 0.01.</summary>
/// <remarks>The limit is torch's order: nothing to save per element.</remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class GradientDescentStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.01;
    private static readonly T LrT = C(Lr);

    protected override int StateCount => 0;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new GradientDescent<T>(parameters, Lr);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.SGD(parameters, Lr);

    protected override void MathNetExpressionsStep(int p) => MTheta[p] = MTheta[p] - MGrad[p] * LrT;

    protected override void MathNetInPlaceStep(int p)
    {
        MGrad[p].Multiply(LrT, MTemp[p]);
        MTheta[p].Subtract(MTemp[p], MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        var lr = new Vector<T>(LrT);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, i, lr);
            Update(ref t, ref g, i + q, lr);
            Update(ref t, ref g, i + 2 * q, lr);
            Update(ref t, ref g, i + 3 * q, lr);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, i, lr);
        }

        Remainder(ref t, ref g, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, nuint i, Vector<T> lr)
            => (Vector.LoadUnsafe(ref t, i) - Vector.LoadUnsafe(ref g, i) * lr).StoreUnsafe(ref t, i);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        var lr = Vector512.Create(LrT);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, i, lr);
            Update(ref t, ref g, i + q, lr);
            Update(ref t, ref g, i + 2 * q, lr);
            Update(ref t, ref g, i + 3 * q, lr);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, i, lr);
        }

        Remainder(ref t, ref g, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, nuint i, Vector512<T> lr)
            => (Vector512.LoadUnsafe(ref t, i) - Vector512.LoadUnsafe(ref g, i) * lr).StoreUnsafe(ref t, i);
    }

    private static void Remainder(ref T t, ref T g, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            Unsafe.Add(ref t, i) -= Unsafe.Add(ref g, i) * LrT;
        }
    }
}
