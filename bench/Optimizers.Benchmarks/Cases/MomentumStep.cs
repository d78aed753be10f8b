using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>Momentum (torch.optim.SGD with momentum): b ← μ·b + g;  θ ← θ − α·b, with α = 0.01, μ = 0.9.</summary>
public class MomentumStep : StepBenchmark
{
    private const double Lr = 0.01;
    private const double Mu = 0.9;

    protected override int StateCount => 1;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new Momentum(parameters, Lr, Mu);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.SGD(parameters, Lr, momentum: Mu);

    protected override void MathNetExpressionsStep(int p)
    {
        MState[0][p] = MState[0][p] * Mu + MGrad[p];
        MTheta[p] = MTheta[p] - MState[0][p] * Lr;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var b = MState[0][p];
        b.Multiply(Mu, b);
        b.Add(MGrad[p], b);
        b.Multiply(Lr, MTemp[p]);
        MTheta[p].Subtract(MTemp[p], MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var buffer = State[0][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        var b = MemoryMarshal.Cast<double, Vector<double>>(buffer);
        for (int k = 0; k < t.Length; k++)
        {
            var bk = b[k] * Mu + g[k];
            b[k] = bk;
            t[k] -= bk * Lr;
        }

        for (int i = t.Length * Vector<double>.Count; i < theta.Length; i++)
        {
            double bi = buffer[i] * Mu + grad[i];
            buffer[i] = bi;
            theta[i] -= bi * Lr;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var buffer = State[0][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        var b = MemoryMarshal.Cast<double, Vector512<double>>(buffer);
        for (int k = 0; k < t.Length; k++)
        {
            var bk = b[k] * Mu + g[k];
            b[k] = bk;
            t[k] -= bk * Lr;
        }

        for (int i = t.Length * Vector512<double>.Count; i < theta.Length; i++)
        {
            double bi = buffer[i] * Mu + grad[i];
            buffer[i] = bi;
            theta[i] -= bi * Lr;
        }
    }
}
