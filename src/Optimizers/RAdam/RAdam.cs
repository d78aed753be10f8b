using System.Numerics;

namespace Optimizers;

/// <summary>
/// RAdam: Adam whose adaptive step is switched on only once the variance of its second-moment estimate is
/// tractable, and then rectified; plain bias-corrected momentum before that. Exactly <c>torch.optim.RAdam</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (m and v are kept per element and start at 0):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                         (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                       (L2 weight decay, when λ ≠ 0; decoupled: θₜ₋₁ = θₜ₋₁·(1 − α·λ) instead)
/// mₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ
/// vₜ = β₂·vₜ₋₁ + (1 − β₂)·gₜ²
/// ρ∞ = 2/(1 − β₂) − 1
/// ρₜ = ρ∞ − 2·t·β₂ᵗ/(1 − β₂ᵗ)
/// if ρₜ &gt; 5:  rₜ = √((ρₜ − 4)(ρₜ − 2)·ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)·ρₜ))
///             θₜ = θₜ₋₁ − α·rₜ · mₜ/(1 − β₁ᵗ) · √(1 − β₂ᵗ)/(√vₜ + ε)
/// else:       θₜ = θₜ₋₁ − α · mₜ/(1 − β₁ᵗ)
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.001), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.999), ε = <see cref="Epsilon"/> (default 1e-8), λ = <see cref="WeightDecay"/>
/// (default 0), maximize = <see cref="Maximize"/> (default false), decoupled = <see cref="DecoupledWeightDecay"/>
/// (default false; when true θ shrinks by 1 − α·λ before every step, rectified or not, and λ is not added to the
/// gradient, as torch's <c>RAdam(decoupled_weight_decay=True)</c>, "RAdamW", closer to the authors' implementation; the
/// hyperparameter is recorded only when true, so checkpoints of RAdam saved before it existed keep loading, as false).
/// State: "exp_avg" (m) and "exp_avg_sq" (v).
/// </para>
/// <para>
/// ρₜ approximates the length of the simple moving average that the exponential average vₜ stands for; it is 1 at
/// t = 1 and stays below both t and ρ∞, so no β₂ rectifies before t = 6: with the default β₂ the first rectified
/// step is t = 6 (ρ₆ ≈ 5.99), with β₂ = 0.8 it is t = 7, and with ρ∞ ≤ 5 (β₂ ≤ 2/3) no step is ever rectified,
/// leaving bias-corrected momentum. Note where ε sits: it is
/// added to the uncorrected √vₜ, as PyTorch's code does, so the adaptive term is √(1 − β₂ᵗ)/(√vₜ + ε), not
/// 1/(√v̂ₜ + ε).
/// </para>
/// <para>
/// Reference: L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao and J. Han, "On the Variance of the Adaptive
/// Learning Rate and Beyond" (ICLR 2020).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.RAdam(params, lr, betas=(β₁, β₂), eps, weight_decay, maximize=…)</c> of
/// PyTorch 2.x (threshold 5, weight decay added to the gradient after the sign flip), including its
/// <c>decoupled_weight_decay</c> (torch 1.13 lacks it, so it is checked against a NumPy transcription of torch 2.x's
/// single-tensor code, tests/Optimizers.Tests/Parity/Decoupled). Differences elsewhere: Optax's <c>radam</c> has the
/// same threshold of 5 (its <c>threshold</c> argument) but adds ε to the bias-corrected root √v̂ₜ; Keras has no RAdam in
/// its core optimizers (TensorFlow Addons' <c>RectifiedAdam</c> adds warm-up and a different threshold option).
/// </para>
/// <para>
/// Single precision (<c>RAdam&lt;float&gt;</c>): the whole step size, α/(1 − β₁ᵗ)·rₜ·√(1 − β₂ᵗ) (or α/(1 − β₁ᵗ)
/// before the rectification starts), is formed in double and rounded to float32 once per step, with β₁, 1 − β₁, β₂,
/// 1 − β₂, ε and λ (or, decoupled, 1 − α·λ); m and v live in float32. torch applies those factors to m one at a time in float32, which
/// changes the rounding of the step, not of θ: against torch 1.13's float32 traces, bit for bit.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class RAdam<T> : ElementwiseOptimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvg;
    private readonly T[][] _expAvgSq;
    private readonly double _rhoInfinity;
    private StepScalars<(double StepSize, bool Rectified)> _perStep;
    private double _beta1;

    /// <summary>Creates RAdam over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.001).</param>
    /// <param name="beta1">β₁, the decay rate of the first moment, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the second moment, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε, added to the denominator: finite and ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <param name="decoupledWeightDecay">Shrink θ by 1 − α·λ each step instead of adding λ·θ to the gradient, as RAdamW (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public RAdam(IEnumerable<Parameter<T>> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                 double epsilon = 1e-8, double weightDecay = 0, bool maximize = false, bool decoupledWeightDecay = false)
        : base(parameters, learningRate)
    {
        _beta1 = Check.UnitInterval(beta1);
        Beta2 = Check.UnitInterval(beta2);
        Epsilon = Check.NonNegativeFinite(epsilon);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        Maximize = maximize;
        RecordHyperparameter("beta1", Beta1);
        RecordHyperparameter("beta2", Beta2);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("maximize", Maximize);
        AddCycledSetting("beta1", () => _beta1, v => Beta1 = v, _beta1, v => v >= 0 && v < 1);
        DecoupledWeightDecay = decoupledWeightDecay;
        if (decoupledWeightDecay)
        {
            RecordHyperparameter("decoupled_weight_decay", true);
        }

        _rhoInfinity = 2 / (1 - beta2) - 1;
        _expAvg = AddVectorState("exp_avg");
        _expAvgSq = AddVectorState("exp_avg_sq");
    }

    /// <summary>
    /// β₁, the decay rate of the first moment m: the constructor's value, or the value a schedule cycling momentum (<see cref="Schedules.OneCycleLR"/>,
    /// <see cref="Schedules.CyclicLR"/>) or the caller set for the next step, as torch's <c>param_group['betas'][0]</c>.
    /// Checkpoints save and restore a changed value (the constructor's value is compared).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1); nothing changes.</exception>
    public double Beta1
    {
        get => _beta1;
        set
        {
            _beta1 = Check.UnitInterval(value, nameof(Beta1));
            _perStep = default;   // its scalars depend on β₁
        }
    }

    /// <inheritdoc />
    string ICyclableMomentum.CycledName => "beta1";

    /// <inheritdoc />
    double ICyclableMomentum.CycledValue { get => Beta1; set => Beta1 = value; }

    /// <inheritdoc />
    void ICyclableMomentum.BeginCycling()
    {
    }

    /// <summary>β₂, the decay rate of the second moment v.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to the uncorrected root of the second moment.</summary>
    public double Epsilon { get; }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>Whether λ is decoupled weight decay (θ shrinks by 1 − α·λ before the step, RAdamW) rather than an L2 penalty.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <summary>Forms the step size s and whether the step is rectified once per step, not once per parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (!_perStep.IsFor(step, LearningRate))
        {
            _perStep.Set(step, LearningRate, Scalars(step));
        }
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var (stepSize, rectified) = _perStep.Value;
        RAdamKernel.Step(value, gradient, _expAvg[index].AsSpan(start, value.Length), _expAvgSq[index].AsSpan(start, value.Length), Beta1, Beta2, Epsilon,
                         weightDecay: DecoupledWeightDecay ? 0 : WeightDecay,
                         shrink: DecoupledWeightDecay ? 1 - LearningRate * WeightDecay : 1, Maximize, stepSize, rectified);
    }

    /// <summary>s: α·rₜ·√(1 − β₂ᵗ)/(1 − β₁ᵗ) when rectified (ρₜ &gt; 5), else α/(1 − β₁ᵗ); and whether it is.</summary>
    private (double StepSize, bool Rectified) Scalars(long step)
    {
        double beta2Power = Math.Pow(Beta2, step);
        double biasCorrection1 = 1 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1 - beta2Power;
        double rho = _rhoInfinity - 2 * step * beta2Power / biasCorrection2;
        bool rectified = rho > 5;
        double stepSize = LearningRate / biasCorrection1;
        if (rectified)
        {
            double rhoInf = _rhoInfinity;
            double rect = Math.Sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
            stepSize *= rect * Math.Sqrt(biasCorrection2);
        }

        return (stepSize, rectified);
    }
}

/// <summary>
/// <see cref="RAdam{T}"/> over double-precision parameters, under its short name: <c>new RAdam(…)</c> and
/// <c>new RAdam&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class RAdam : RAdam<double>
{
    /// <inheritdoc />
    public RAdam(IEnumerable<Parameter<double>> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                 double epsilon = 1e-8, double weightDecay = 0, bool maximize = false, bool decoupledWeightDecay = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, maximize, decoupledWeightDecay)
    {
    }
}
