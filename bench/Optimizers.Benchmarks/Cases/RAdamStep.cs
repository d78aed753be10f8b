using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// RAdam (torch.optim.RAdam defaults): m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
/// ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ);  θ ← θ − α·m/(1 − β₁ᵗ) · rₜ·√(1 − β₂ᵗ)/(√v + ε) when ρₜ &gt; 5, else θ ← θ − α·m/(1 − β₁ᵗ),
/// with α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (α passed explicitly: TorchSharp's default is 0.002). After the
/// first few steps every step is rectified, so the measured steady state is the rectified branch.
/// </summary>
/// <remarks>
/// The limit folds every scalar into S = α·rₜ·√(1 − β₂ᵗ)/(1 − β₁ᵗ), formed once per step: θ ← θ − S·m/(√v + ε), one
/// square root and one division per element (torch's text divides twice: m/(1 − β₁ᵗ) and √(1 − β₂ᵗ)/(√v + ε)).
/// </remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class RAdamStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.001;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private const double RhoInfinity = 2 / (1 - Beta2) - 1;
    private static readonly T Beta1T = C(Beta1), Share1 = C(1 - Beta1), Beta2T = C(Beta2), Share2 = C(1 - Beta2), EpsT = C(Eps);

    /// <summary>S of the current step (α/(1 − β₁ᵗ) when it is not rectified) and whether it is.</summary>
    private T _stepSize;
    private bool _rectified;

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new RAdam<T>(parameters, Lr, Beta1, Beta2, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.RAdam(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0);

    protected override void BeginStep()
    {
        var (stepSize, adaptiveScale, rectified) = Scalars();
        _rectified = rectified;
        _stepSize = C(rectified ? stepSize * adaptiveScale : stepSize);
    }

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        var (stepSize, adaptiveScale, rectified) = Scalars();
        MState[0][p] = MState[0][p] * Beta1T + g * Share1;
        MState[1][p] = MState[1][p] * Beta2T + g.PointwiseMultiply(g) * Share2;
        MTheta[p] = rectified
            ? MTheta[p] - MState[0][p].PointwiseDivide(MState[1][p].PointwiseSqrt() + EpsT) * C(stepSize * adaptiveScale)
            : MTheta[p] - MState[0][p] * C(stepSize);
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        var (stepSize, adaptiveScale, rectified) = Scalars();
        m.Multiply(Beta1T, m);
        g.Multiply(Share1, tmp);
        m.Add(tmp, m);
        v.Multiply(Beta2T, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(Share2, tmp);
        v.Add(tmp, v);
        if (rectified)
        {
            v.PointwiseSqrt(tmp);
            tmp.Add(EpsT, tmp);
            m.PointwiseDivide(tmp, tmp);
            tmp.Multiply(C(stepSize * adaptiveScale), tmp);
        }
        else
        {
            m.Multiply(C(stepSize), tmp);
        }

        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        var c = new Coefficients<Vector<T>>(new(Beta1T), new(Share1), new(Beta2T), new(Share2), new(_stepSize), new(EpsT),
                                            _rectified);
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
            var step = c.Rectified ? c.StepSize * mi / (Vector.SquareRoot(vi) + c.Epsilon) : c.StepSize * mi;
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
                                               Vector512.Create(Share2), Vector512.Create(_stepSize), Vector512.Create(EpsT),
                                               _rectified);
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
            var step = c.Rectified ? c.StepSize * mi / (Vector512.Sqrt(vi) + c.Epsilon) : c.StepSize * mi;
            (Vector512.LoadUnsafe(ref t, i) - step).StoreUnsafe(ref t, i);
        }
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

    private void Remainder(ref T t, ref T g, ref T m, ref T v, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T mi = Unsafe.Add(ref m, i) * Beta1T + gi * Share1;
            T vi = Unsafe.Add(ref v, i) * Beta2T + gi * gi * Share2;
            Unsafe.Add(ref m, i) = mi;
            Unsafe.Add(ref v, i) = vi;
            Unsafe.Add(ref t, i) -= _rectified ? _stepSize * mi / (T.Sqrt(vi) + EpsT) : _stepSize * mi;
        }
    }

    /// <summary>β₁, 1 − β₁, β₂, 1 − β₂, S and ε broadcast once per range, and whether the step is rectified.</summary>
    private readonly record struct Coefficients<TV>(TV Beta1, TV Share1, TV Beta2, TV Share2, TV StepSize, TV Epsilon,
                                                    bool Rectified);
}
