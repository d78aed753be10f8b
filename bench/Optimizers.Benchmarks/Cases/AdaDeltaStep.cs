using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// AdaDelta (torch.optim.Adadelta defaults): v ← ρ·v + (1 − ρ)·g²;  Δ = √(u + ε) / √(v + ε) · g;
/// u ← ρ·u + (1 − ρ)·Δ²;  θ ← θ − γ·Δ, with γ = 1, ρ = 0.9, ε = 1e-6.
/// </summary>
public class AdaDeltaStep : StepBenchmark
{
    private const double Lr = 1.0;
    private const double Rho = 0.9;
    private const double Eps = 1e-6;

    protected override int StateCount => 2;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new AdaDelta(parameters, Lr, Rho, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.Adadelta(parameters, lr: Lr, rho: Rho, eps: Eps, weight_decay: 0);

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        MState[0][p] = MState[0][p] * Rho + g.PointwiseMultiply(g) * (1 - Rho);
        var delta = (MState[1][p] + Eps).PointwiseSqrt().PointwiseDivide((MState[0][p] + Eps).PointwiseSqrt()).PointwiseMultiply(g);
        MState[1][p] = MState[1][p] * Rho + delta.PointwiseMultiply(delta) * (1 - Rho);
        MTheta[p] = MTheta[p] - delta * Lr;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var v = MState[0][p];
        var u = MState[1][p];
        var g = MGrad[p];
        var delta = MTemp[p];
        var tmp = MTemp2[p];
        v.Multiply(Rho, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(1 - Rho, tmp);
        v.Add(tmp, v);
        u.Add(Eps, delta);
        delta.PointwiseSqrt(delta);
        v.Add(Eps, tmp);
        tmp.PointwiseSqrt(tmp);
        delta.PointwiseDivide(tmp, delta);
        delta.PointwiseMultiply(g, delta);
        u.Multiply(Rho, u);
        delta.PointwiseMultiply(delta, tmp);
        tmp.Multiply(1 - Rho, tmp);
        u.Add(tmp, u);
        delta.Multiply(Lr, delta);
        MTheta[p].Subtract(delta, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var squareAvg = State[0][p].AsSpan(start, length);
        var accDelta = State[1][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        var v = MemoryMarshal.Cast<double, Vector<double>>(squareAvg);
        var u = MemoryMarshal.Cast<double, Vector<double>>(accDelta);
        var eps = new Vector<double>(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var vk = v[k] * Rho + gk * gk * (1 - Rho);
            v[k] = vk;
            var delta = Vector.SquareRoot(u[k] + eps) / Vector.SquareRoot(vk + eps) * gk;
            u[k] = u[k] * Rho + delta * delta * (1 - Rho);
            t[k] -= delta * Lr;
        }

        Remainder(theta, grad, squareAvg, accDelta, t.Length * Vector<double>.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var squareAvg = State[0][p].AsSpan(start, length);
        var accDelta = State[1][p].AsSpan(start, length);
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        var v = MemoryMarshal.Cast<double, Vector512<double>>(squareAvg);
        var u = MemoryMarshal.Cast<double, Vector512<double>>(accDelta);
        var eps = Vector512.Create(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var vk = v[k] * Rho + gk * gk * (1 - Rho);
            v[k] = vk;
            var delta = Vector512.Sqrt(u[k] + eps) / Vector512.Sqrt(vk + eps) * gk;
            u[k] = u[k] * Rho + delta * delta * (1 - Rho);
            t[k] -= delta * Lr;
        }

        Remainder(theta, grad, squareAvg, accDelta, t.Length * Vector512<double>.Count);
    }

    private static void Remainder(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg, Span<double> accDelta, int from)
    {
        for (int i = from; i < theta.Length; i++)
        {
            double g = grad[i];
            double v = squareAvg[i] * Rho + g * g * (1 - Rho);
            squareAvg[i] = v;
            double delta = Math.Sqrt(accDelta[i] + Eps) / Math.Sqrt(v + Eps) * g;
            accDelta[i] = accDelta[i] * Rho + delta * delta * (1 - Rho);
            theta[i] -= delta * Lr;
        }
    }
}
