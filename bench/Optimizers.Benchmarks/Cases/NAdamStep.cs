using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// NAdam (torch.optim.NAdam defaults): μₜ = β₁·(1 − ½·0.96^(t·ψ));  Π ← Π·μₜ;  m ← β₁·m + (1 − β₁)·g;
/// v ← β₂·v + (1 − β₂)·g²;  d = √(v / (1 − β₂ᵗ)) + ε;
/// θ ← θ − α·(1 − μₜ)/(1 − Π)·g/d − α·μₜ₊₁/(1 − Π·μₜ₊₁)·m/d,
/// with α = 0.002, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, ψ = 0.004.
/// </summary>
/// <remarks>
/// The limit multiplies numerator and denominator by c = √(1 − β₂ᵗ): θ ← θ − (A·g + B·m)/(√v + E) with
/// A = α·(1 − μₜ)/(1 − Π)·c, B = α·μₜ₊₁/(1 − Π·μₜ₊₁)·c and E = ε·c formed once per step: one square root and one
/// division per element (torch's text divides three times).
/// </remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class NAdamStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.002;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private const double MomentumDecay = 0.004;
    private static readonly T Beta1T = C(Beta1), Share1 = C(1 - Beta1), Beta2T = C(Beta2), Share2 = C(1 - Beta2), EpsT = C(Eps);

    /// <summary>Π, the product of μ₁ … μₜ of the reference implementations (one value: every parameter steps together).</summary>
    private double _muProduct = 1;

    /// <summary>A, B and E of the current step (see the remarks).</summary>
    private T _gradientStep, _momentumStep, _epsilon;

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters)
        => new NAdam<T>(parameters, Lr, Beta1, Beta2, Eps, momentumDecay: MomentumDecay);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.NAdam(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0, momentum_decay: MomentumDecay);

    protected override void BeginStep()
    {
        _muProduct = (StepNumber == 1 ? 1 : _muProduct) * Mu(StepNumber);
        var (gradientStep, momentumStep, biasCorrection2) = Scalars();
        double c = Math.Sqrt(biasCorrection2);
        _gradientStep = C(gradientStep * c);
        _momentumStep = C(momentumStep * c);
        _epsilon = C(Eps * c);
    }

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        var (gradientStep, momentumStep, biasCorrection2) = Scalars();
        MState[0][p] = MState[0][p] * Beta1T + g * Share1;
        MState[1][p] = MState[1][p] * Beta2T + g.PointwiseMultiply(g) * Share2;
        var denominator = (MState[1][p] / C(biasCorrection2)).PointwiseSqrt() + EpsT;
        MTheta[p] = MTheta[p] - g.PointwiseDivide(denominator) * C(gradientStep) - MState[0][p].PointwiseDivide(denominator) * C(momentumStep);
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var denominator = MTemp[p];
        var tmp = MTemp2[p];
        var (gradientStep, momentumStep, biasCorrection2) = Scalars();
        m.Multiply(Beta1T, m);
        g.Multiply(Share1, tmp);
        m.Add(tmp, m);
        v.Multiply(Beta2T, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(Share2, tmp);
        v.Add(tmp, v);
        v.Divide(C(biasCorrection2), denominator);
        denominator.PointwiseSqrt(denominator);
        denominator.Add(EpsT, denominator);
        g.PointwiseDivide(denominator, tmp);
        tmp.Multiply(C(gradientStep), tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
        m.PointwiseDivide(denominator, tmp);
        tmp.Multiply(C(momentumStep), tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        var c = new Coefficients<Vector<T>>(new(Beta1T), new(Share1), new(Beta2T), new(Share2), new(_gradientStep),
                                            new(_momentumStep), new(_epsilon));
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
            Update(ref t, ref g, ref m, ref v, i + q, c);
            Update(ref t, ref g, ref m, ref v, i + 2 * q, c);
            Update(ref t, ref g, ref m, ref v, i + 3 * q, c);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
        }

        Remainder(ref t, ref g, ref m, ref v, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T v, nuint i, in Coefficients<Vector<T>> c)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var mi = Vector.LoadUnsafe(ref m, i) * c.Beta1 + gi * c.Share1;
            var vi = Vector.LoadUnsafe(ref v, i) * c.Beta2 + gi * gi * c.Share2;
            mi.StoreUnsafe(ref m, i);
            vi.StoreUnsafe(ref v, i);
            var step = (c.GradientStep * gi + c.MomentumStep * mi) / (Vector.SquareRoot(vi) + c.Epsilon);
            (Vector.LoadUnsafe(ref t, i) - step).StoreUnsafe(ref t, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        var c = new Coefficients<Vector512<T>>(Vector512.Create(Beta1T), Vector512.Create(Share1), Vector512.Create(Beta2T),
                                               Vector512.Create(Share2), Vector512.Create(_gradientStep),
                                               Vector512.Create(_momentumStep), Vector512.Create(_epsilon));
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
            Update(ref t, ref g, ref m, ref v, i + q, c);
            Update(ref t, ref g, ref m, ref v, i + 2 * q, c);
            Update(ref t, ref g, ref m, ref v, i + 3 * q, c);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
        }

        Remainder(ref t, ref g, ref m, ref v, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T v, nuint i, in Coefficients<Vector512<T>> c)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var mi = Vector512.LoadUnsafe(ref m, i) * c.Beta1 + gi * c.Share1;
            var vi = Vector512.LoadUnsafe(ref v, i) * c.Beta2 + gi * gi * c.Share2;
            mi.StoreUnsafe(ref m, i);
            vi.StoreUnsafe(ref v, i);
            var step = (c.GradientStep * gi + c.MomentumStep * mi) / (Vector512.Sqrt(vi) + c.Epsilon);
            (Vector512.LoadUnsafe(ref t, i) - step).StoreUnsafe(ref t, i);
        }
    }

    private static double Mu(long t) => Beta1 * (1 - 0.5 * Math.Pow(0.96, t * MomentumDecay));

    /// <summary>α·(1 − μₜ)/(1 − Π), α·μₜ₊₁/(1 − Π·μₜ₊₁) and 1 − β₂ᵗ for the current step.</summary>
    private (double GradientStep, double MomentumStep, double BiasCorrection2) Scalars()
    {
        double mu = Mu(StepNumber);
        double muNext = Mu(StepNumber + 1);
        return (Lr * (1 - mu) / (1 - _muProduct), Lr * muNext / (1 - _muProduct * muNext), 1 - Math.Pow(Beta2, StepNumber));
    }

    private void Remainder(ref T t, ref T g, ref T m, ref T v, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T mi = Unsafe.Add(ref m, i) * Beta1T + gi * Share1;
            T vi = Unsafe.Add(ref v, i) * Beta2T + gi * gi * Share2;
            Unsafe.Add(ref m, i) = mi;
            Unsafe.Add(ref v, i) = vi;
            Unsafe.Add(ref t, i) -= (_gradientStep * gi + _momentumStep * mi) / (T.Sqrt(vi) + _epsilon);
        }
    }

    /// <summary>β₁, 1 − β₁, β₂, 1 − β₂, A, B and E broadcast once per range.</summary>
    private readonly record struct Coefficients<TV>(TV Beta1, TV Share1, TV Beta2, TV Share2, TV GradientStep,
                                                    TV MomentumStep, TV Epsilon);
}
