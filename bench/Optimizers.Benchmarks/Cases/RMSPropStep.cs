using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// RMSProp (torch.optim.RMSprop defaults: no momentum, not centred): v ← α·v + (1 − α)·g²;  θ ← θ − γ·g / (√v + ε),
/// with γ = 0.01, α = 0.99, ε = 1e-8.
/// </summary>
public class RMSPropStep : StepBenchmark
{
    private const double Lr = 0.01;
    private const double Alpha = 0.99;
    private const double Eps = 1e-8;

    protected override int StateCount => 1;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new RMSProp(parameters, Lr, Alpha, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.RMSProp(parameters, lr: Lr, alpha: Alpha, eps: Eps, weight_decay: 0, momentum: 0, centered: false);

    protected override void MathNetExpressionsStep(int p)
    {
        MState[0][p] = MState[0][p] * Alpha + MGrad[p].PointwiseMultiply(MGrad[p]) * (1 - Alpha);
        MTheta[p] = MTheta[p] - MGrad[p].PointwiseDivide(MState[0][p].PointwiseSqrt() + Eps) * Lr;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var v = MState[0][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        v.Multiply(Alpha, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(1 - Alpha, tmp);
        v.Add(tmp, v);
        v.PointwiseSqrt(tmp);
        tmp.Add(Eps, tmp);
        g.PointwiseDivide(tmp, tmp);
        tmp.Multiply(Lr, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var squareAvg = State[0][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        var v = MemoryMarshal.Cast<double, Vector<double>>(squareAvg);
        var eps = new Vector<double>(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var vk = v[k] * Alpha + gk * gk * (1 - Alpha);
            v[k] = vk;
            t[k] -= gk * Lr / (Vector.SquareRoot(vk) + eps);
        }

        Remainder(theta, grad, squareAvg, t.Length * Vector<double>.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var squareAvg = State[0][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        var v = MemoryMarshal.Cast<double, Vector512<double>>(squareAvg);
        var eps = Vector512.Create(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var vk = v[k] * Alpha + gk * gk * (1 - Alpha);
            v[k] = vk;
            t[k] -= gk * Lr / (Vector512.Sqrt(vk) + eps);
        }

        Remainder(theta, grad, squareAvg, t.Length * Vector512<double>.Count);
    }

    private static void Remainder(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg, int from)
    {
        for (int i = from; i < theta.Length; i++)
        {
            double v = squareAvg[i] * Alpha + grad[i] * grad[i] * (1 - Alpha);
            squareAvg[i] = v;
            theta[i] -= grad[i] * Lr / (Math.Sqrt(v) + Eps);
        }
    }
}
