using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// AdamW (torch.optim.AdamW defaults): θ ← θ·(1 − α·λ), then the Adam step
/// m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  θ ← θ − (α / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε),
/// with α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.01 (passed explicitly: TorchSharp's default λ is 0).
/// </summary>
public class AdamWStep : StepBenchmark
{
    private const double Lr = 0.001;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private const double WeightDecay = 0.01;
    private const double Shrink = 1 - Lr * WeightDecay;

    protected override int StateCount => 2;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new AdamW(parameters, Lr, Beta1, Beta2, Eps, WeightDecay);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.AdamW(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: WeightDecay, amsgrad: false, maximize: false);

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepNumber);
        double biasCorrection2 = 1 - Math.Pow(Beta2, StepNumber);
        MTheta[p] = MTheta[p] * Shrink;
        MState[0][p] = MState[0][p] * Beta1 + g * (1 - Beta1);
        MState[1][p] = MState[1][p] * Beta2 + g.PointwiseMultiply(g) * (1 - Beta2);
        var denominator = MState[1][p].PointwiseSqrt() / Math.Sqrt(biasCorrection2) + Eps;
        MTheta[p] = MTheta[p] - MState[0][p].PointwiseDivide(denominator) * (Lr / biasCorrection1);
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepNumber);
        double biasCorrection2 = 1 - Math.Pow(Beta2, StepNumber);
        MTheta[p].Multiply(Shrink, MTheta[p]);
        m.Multiply(Beta1, m);
        g.Multiply(1 - Beta1, tmp);
        m.Add(tmp, m);
        v.Multiply(Beta2, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(1 - Beta2, tmp);
        v.Add(tmp, v);
        v.PointwiseSqrt(tmp);
        tmp.Divide(Math.Sqrt(biasCorrection2), tmp);
        tmp.Add(Eps, tmp);
        m.PointwiseDivide(tmp, tmp);
        tmp.Multiply(Lr / biasCorrection1, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expAvgSq = State[1][p].AsSpan(start, length);
        var (stepSize, sqrtBc2) = Scalars();
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        var m = MemoryMarshal.Cast<double, Vector<double>>(expAvg);
        var v = MemoryMarshal.Cast<double, Vector<double>>(expAvgSq);
        var eps = new Vector<double>(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var mk = m[k] * Beta1 + gk * (1 - Beta1);
            var vk = v[k] * Beta2 + gk * gk * (1 - Beta2);
            m[k] = mk;
            v[k] = vk;
            t[k] = t[k] * Shrink - stepSize * mk / (Vector.SquareRoot(vk) / sqrtBc2 + eps);
        }

        Remainder(theta, grad, expAvg, expAvgSq, stepSize, sqrtBc2, t.Length * Vector<double>.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expAvgSq = State[1][p].AsSpan(start, length);
        var (stepSize, sqrtBc2) = Scalars();
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        var m = MemoryMarshal.Cast<double, Vector512<double>>(expAvg);
        var v = MemoryMarshal.Cast<double, Vector512<double>>(expAvgSq);
        var eps = Vector512.Create(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var mk = m[k] * Beta1 + gk * (1 - Beta1);
            var vk = v[k] * Beta2 + gk * gk * (1 - Beta2);
            m[k] = mk;
            v[k] = vk;
            t[k] = t[k] * Shrink - stepSize * mk / (Vector512.Sqrt(vk) / sqrtBc2 + eps);
        }

        Remainder(theta, grad, expAvg, expAvgSq, stepSize, sqrtBc2, t.Length * Vector512<double>.Count);
    }

    /// <summary>α / (1 − β₁ᵗ) and √(1 − β₂ᵗ) for the current step.</summary>
    private (double StepSize, double SqrtBiasCorrection2) Scalars() =>
        (Lr / (1 - Math.Pow(Beta1, StepNumber)), Math.Sqrt(1 - Math.Pow(Beta2, StepNumber)));

    private static void Remainder(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                                  double stepSize, double sqrtBc2, int from)
    {
        for (int i = from; i < theta.Length; i++)
        {
            double g = grad[i];
            double m = expAvg[i] * Beta1 + g * (1 - Beta1);
            double v = expAvgSq[i] * Beta2 + g * g * (1 - Beta2);
            expAvg[i] = m;
            expAvgSq[i] = v;
            theta[i] = theta[i] * Shrink - stepSize * m / (Math.Sqrt(v) / sqrtBc2 + Eps);
        }
    }
}
