using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>Gradient descent (torch.optim.SGD without momentum): θ ← θ − α·g, with α = 0.01.</summary>
public class GradientDescentStep : StepBenchmark
{
    private const double Lr = 0.01;

    protected override int StateCount => 0;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new GradientDescent(parameters, Lr);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.SGD(parameters, Lr);

    protected override void MathNetExpressionsStep(int p) => MTheta[p] = MTheta[p] - MGrad[p] * Lr;

    protected override void MathNetInPlaceStep(int p)
    {
        MGrad[p].Multiply(Lr, MTemp[p]);
        MTheta[p].Subtract(MTemp[p], MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        for (int k = 0; k < t.Length; k++)
        {
            t[k] -= g[k] * Lr;
        }

        for (int i = t.Length * Vector<double>.Count; i < theta.Length; i++)
        {
            theta[i] -= grad[i] * Lr;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        for (int k = 0; k < t.Length; k++)
        {
            t[k] -= g[k] * Lr;
        }

        for (int i = t.Length * Vector512<double>.Count; i < theta.Length; i++)
        {
            theta[i] -= grad[i] * Lr;
        }
    }
}
