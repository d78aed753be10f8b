using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// RAdam (torch.optim.RAdam defaults): m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
/// ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ);  θ ← θ − α·m/(1 − β₁ᵗ) · rₜ·√(1 − β₂ᵗ)/(√v + ε) when ρₜ &gt; 5, else θ ← θ − α·m/(1 − β₁ᵗ),
/// with α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (α passed explicitly: TorchSharp's default is 0.002). After the
/// first few steps every step is rectified, so the measured steady state is the rectified branch.
/// </summary>
public class RAdamStep : StepBenchmark
{
    private const double Lr = 0.001;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private const double RhoInfinity = 2 / (1 - Beta2) - 1;

    protected override int StateCount => 2;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new RAdam(parameters, Lr, Beta1, Beta2, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.RAdam(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0);

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        var (stepSize, adaptiveScale, rectified) = Scalars();
        MState[0][p] = MState[0][p] * Beta1 + g * (1 - Beta1);
        MState[1][p] = MState[1][p] * Beta2 + g.PointwiseMultiply(g) * (1 - Beta2);
        MTheta[p] = rectified
            ? MTheta[p] - MState[0][p].PointwiseDivide(MState[1][p].PointwiseSqrt() + Eps) * (stepSize * adaptiveScale)
            : MTheta[p] - MState[0][p] * stepSize;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        var (stepSize, adaptiveScale, rectified) = Scalars();
        m.Multiply(Beta1, m);
        g.Multiply(1 - Beta1, tmp);
        m.Add(tmp, m);
        v.Multiply(Beta2, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(1 - Beta2, tmp);
        v.Add(tmp, v);
        if (rectified)
        {
            v.PointwiseSqrt(tmp);
            tmp.Add(Eps, tmp);
            m.PointwiseDivide(tmp, tmp);
            tmp.Multiply(stepSize * adaptiveScale, tmp);
        }
        else
        {
            m.Multiply(stepSize, tmp);
        }

        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expAvgSq = State[1][p].AsSpan(start, length);
        var (stepSize, adaptiveScale, rectified) = Scalars();
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        var m = MemoryMarshal.Cast<double, Vector<double>>(expAvg);
        var v = MemoryMarshal.Cast<double, Vector<double>>(expAvgSq);
        var eps = new Vector<double>(Eps);
        double scale = stepSize * adaptiveScale;
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var mk = m[k] * Beta1 + gk * (1 - Beta1);
            var vk = v[k] * Beta2 + gk * gk * (1 - Beta2);
            m[k] = mk;
            v[k] = vk;
            t[k] -= rectified ? mk * scale / (Vector.SquareRoot(vk) + eps) : mk * stepSize;
        }

        Remainder(theta, grad, expAvg, expAvgSq, stepSize, adaptiveScale, rectified, t.Length * Vector<double>.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expAvgSq = State[1][p].AsSpan(start, length);
        var (stepSize, adaptiveScale, rectified) = Scalars();
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        var m = MemoryMarshal.Cast<double, Vector512<double>>(expAvg);
        var v = MemoryMarshal.Cast<double, Vector512<double>>(expAvgSq);
        var eps = Vector512.Create(Eps);
        double scale = stepSize * adaptiveScale;
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var mk = m[k] * Beta1 + gk * (1 - Beta1);
            var vk = v[k] * Beta2 + gk * gk * (1 - Beta2);
            m[k] = mk;
            v[k] = vk;
            t[k] -= rectified ? mk * scale / (Vector512.Sqrt(vk) + eps) : mk * stepSize;
        }

        Remainder(theta, grad, expAvg, expAvgSq, stepSize, adaptiveScale, rectified, t.Length * Vector512<double>.Count);
    }

    /// <summary>
    /// α/(1 − β₁ᵗ); the rectified adaptive scale rₜ·√(1 − β₂ᵗ); and whether ρₜ &gt; 5, for the current step.
    /// </summary>
    private (double StepSize, double AdaptiveScale, bool Rectified) Scalars()
    {
        long t = StepNumber;
        double beta2Power = Math.Pow(Beta2, t);
        double biasCorrection2 = 1 - beta2Power;
        double rho = RhoInfinity - 2 * t * beta2Power / biasCorrection2;
        double stepSize = Lr / (1 - Math.Pow(Beta1, t));
        if (rho <= 5)
        {
            return (stepSize, 0, false);
        }

        double r = Math.Sqrt((rho - 4) * (rho - 2) * RhoInfinity / ((RhoInfinity - 4) * (RhoInfinity - 2) * rho));
        return (stepSize, r * Math.Sqrt(biasCorrection2), true);
    }

    private static void Remainder(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                                  double stepSize, double adaptiveScale, bool rectified, int from)
    {
        for (int i = from; i < theta.Length; i++)
        {
            double g = grad[i];
            double m = expAvg[i] * Beta1 + g * (1 - Beta1);
            double v = expAvgSq[i] * Beta2 + g * g * (1 - Beta2);
            expAvg[i] = m;
            expAvgSq[i] = v;
            theta[i] -= rectified ? m * stepSize * adaptiveScale / (Math.Sqrt(v) + Eps) : m * stepSize;
        }
    }
}
