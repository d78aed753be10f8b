using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>AdaGrad (torch.optim.Adagrad defaults): s ← s + g²;  θ ← θ − γ·g / (√s + ε), with γ = 0.01, ε = 1e-10.</summary>
public class AdaGradStep : StepBenchmark
{
    private const double Lr = 0.01;
    private const double Eps = 1e-10;

    protected override int StateCount => 1;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new AdaGrad(parameters, Lr, epsilon: Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.Adagrad(parameters, lr: Lr, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: Eps);

    protected override void MathNetExpressionsStep(int p)
    {
        MState[0][p] = MState[0][p] + MGrad[p].PointwiseMultiply(MGrad[p]);
        MTheta[p] = MTheta[p] - MGrad[p].PointwiseDivide(MState[0][p].PointwiseSqrt() + Eps) * Lr;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var s = MState[0][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        g.PointwiseMultiply(g, tmp);
        s.Add(tmp, s);
        s.PointwiseSqrt(tmp);
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
        var sum = State[0][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        var s = MemoryMarshal.Cast<double, Vector<double>>(sum);
        var eps = new Vector<double>(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var sk = s[k] + gk * gk;
            s[k] = sk;
            t[k] -= gk * Lr / (Vector.SquareRoot(sk) + eps);
        }

        Remainder(theta, grad, sum, t.Length * Vector<double>.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var sum = State[0][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        var s = MemoryMarshal.Cast<double, Vector512<double>>(sum);
        var eps = Vector512.Create(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var sk = s[k] + gk * gk;
            s[k] = sk;
            t[k] -= gk * Lr / (Vector512.Sqrt(sk) + eps);
        }

        Remainder(theta, grad, sum, t.Length * Vector512<double>.Count);
    }

    private static void Remainder(Span<double> theta, ReadOnlySpan<double> grad, Span<double> sum, int from)
    {
        for (int i = from; i < theta.Length; i++)
        {
            double s = sum[i] + grad[i] * grad[i];
            sum[i] = s;
            theta[i] -= grad[i] * Lr / (Math.Sqrt(s) + Eps);
        }
    }
}
