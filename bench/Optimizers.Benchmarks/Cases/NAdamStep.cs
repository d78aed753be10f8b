using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// NAdam (torch.optim.NAdam defaults): μₜ = β₁·(1 − ½·0.96^(t·ψ));  Π ← Π·μₜ;  m ← β₁·m + (1 − β₁)·g;
/// v ← β₂·v + (1 − β₂)·g²;  d = √(v / (1 − β₂ᵗ)) + ε;
/// θ ← θ − α·(1 − μₜ)/(1 − Π)·g/d − α·μₜ₊₁/(1 − Π·μₜ₊₁)·m/d,
/// with α = 0.002, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, ψ = 0.004.
/// </summary>
public class NAdamStep : StepBenchmark
{
    private const double Lr = 0.002;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private const double MomentumDecay = 0.004;

    /// <summary>Π, the product of μ₁ … μₜ of the reference implementations (one value: every parameter steps together).</summary>
    private double _muProduct = 1;

    protected override int StateCount => 2;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters)
        => new NAdam(parameters, Lr, Beta1, Beta2, Eps, momentumDecay: MomentumDecay);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.NAdam(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0, momentum_decay: MomentumDecay);

    protected override void BeginStep() => _muProduct = (StepNumber == 1 ? 1 : _muProduct) * Mu(StepNumber);

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        var (gradientStep, momentumStep, biasCorrection2) = Scalars();
        MState[0][p] = MState[0][p] * Beta1 + g * (1 - Beta1);
        MState[1][p] = MState[1][p] * Beta2 + g.PointwiseMultiply(g) * (1 - Beta2);
        var denominator = (MState[1][p] / biasCorrection2).PointwiseSqrt() + Eps;
        MTheta[p] = MTheta[p] - g.PointwiseDivide(denominator) * gradientStep - MState[0][p].PointwiseDivide(denominator) * momentumStep;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var denominator = MTemp[p];
        var tmp = MTemp2[p];
        var (gradientStep, momentumStep, biasCorrection2) = Scalars();
        m.Multiply(Beta1, m);
        g.Multiply(1 - Beta1, tmp);
        m.Add(tmp, m);
        v.Multiply(Beta2, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(1 - Beta2, tmp);
        v.Add(tmp, v);
        v.Divide(biasCorrection2, denominator);
        denominator.PointwiseSqrt(denominator);
        denominator.Add(Eps, denominator);
        g.PointwiseDivide(denominator, tmp);
        tmp.Multiply(gradientStep, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
        m.PointwiseDivide(denominator, tmp);
        tmp.Multiply(momentumStep, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expAvgSq = State[1][p].AsSpan(start, length);
        var (gradientStep, momentumStep, biasCorrection2) = Scalars();
        double inverseBc2 = 1 / biasCorrection2;
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
            var d = Vector.SquareRoot(vk * inverseBc2) + eps;
            t[k] -= (gk * gradientStep + mk * momentumStep) / d;
        }

        Remainder(theta, grad, expAvg, expAvgSq, gradientStep, momentumStep, inverseBc2, t.Length * Vector<double>.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expAvgSq = State[1][p].AsSpan(start, length);
        var (gradientStep, momentumStep, biasCorrection2) = Scalars();
        double inverseBc2 = 1 / biasCorrection2;
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
            var d = Vector512.Sqrt(vk * inverseBc2) + eps;
            t[k] -= (gk * gradientStep + mk * momentumStep) / d;
        }

        Remainder(theta, grad, expAvg, expAvgSq, gradientStep, momentumStep, inverseBc2, t.Length * Vector512<double>.Count);
    }

    private static double Mu(long t) => Beta1 * (1 - 0.5 * Math.Pow(0.96, t * MomentumDecay));

    /// <summary>α·(1 − μₜ)/(1 − Π), α·μₜ₊₁/(1 − Π·μₜ₊₁) and 1 − β₂ᵗ for the current step.</summary>
    private (double GradientStep, double MomentumStep, double BiasCorrection2) Scalars()
    {
        double mu = Mu(StepNumber);
        double muNext = Mu(StepNumber + 1);
        return (Lr * (1 - mu) / (1 - _muProduct), Lr * muNext / (1 - _muProduct * muNext), 1 - Math.Pow(Beta2, StepNumber));
    }

    private static void Remainder(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                                  double gradientStep, double momentumStep, double inverseBc2, int from)
    {
        for (int i = from; i < theta.Length; i++)
        {
            double g = grad[i];
            double m = expAvg[i] * Beta1 + g * (1 - Beta1);
            double v = expAvgSq[i] * Beta2 + g * g * (1 - Beta2);
            expAvg[i] = m;
            expAvgSq[i] = v;
            theta[i] -= (g * gradientStep + m * momentumStep) / (Math.Sqrt(v * inverseBc2) + Eps);
        }
    }
}
