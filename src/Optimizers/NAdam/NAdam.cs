using System.Numerics;

namespace Optimizers;

/// <summary>
/// NAdam: Adam with Nesterov momentum and a warming-up momentum schedule μₜ. Equals <c>torch.optim.NAdam</c> up to
/// rounding in the last places (see "Arithmetic" below).
/// </summary>
/// <remarks>
/// <para>Update at step t (m and v are kept per element and start at 0; Π, the product of the μ's, starts at 1):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                         (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                       (L2 weight decay, when λ ≠ 0; decoupled: θₜ₋₁ = θₜ₋₁·(1 − α·λ) instead)
/// μₜ   = β₁·(1 − ½·0.96^(t·ψ))
/// μₜ₊₁ = β₁·(1 − ½·0.96^((t + 1)·ψ))
/// Πₜ = Πₜ₋₁·μₜ
/// mₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ
/// vₜ = β₂·vₜ₋₁ + (1 − β₂)·gₜ²
/// dₜ = √(vₜ / (1 − β₂ᵗ)) + ε
/// θₜ = θₜ₋₁ − α·(1 − μₜ)/(1 − Πₜ) · gₜ/dₜ − α·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · mₜ/dₜ
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.002), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.999), ε = <see cref="Epsilon"/> (default 1e-8), λ = <see cref="WeightDecay"/>
/// (default 0), ψ = <see cref="MomentumDecay"/> (default 0.004), maximize = <see cref="Maximize"/> (default false),
/// decoupled = <see cref="DecoupledWeightDecay"/> (default false; when true θ shrinks by 1 − α·λ before the step and λ
/// is not added to the gradient, as torch's <c>NAdam(decoupled_weight_decay=True)</c>, "NAdamW"; the hyperparameter is
/// recorded only when true, so checkpoints of NAdam saved before it existed keep loading, as false).
/// State: "exp_avg" (m) and "exp_avg_sq" (v), read with <see cref="Optimizer{T}.GetState"/>, and the per-parameter
/// scalar "mu_product" (Πₜ), read with <see cref="Optimizer{T}.GetScalarState"/>.
/// </para>
/// <para>
/// The two terms are the Nesterov look-ahead: the current gradient bias-corrected by the product of the μ's so
/// far, plus the first moment bias-corrected as it will be after the next step. As ψ → 0, μₜ → β₁/2.
/// </para>
/// <para>
/// Reference: T. Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop); the μₜ schedule is the
/// one proposed there (from Sutskever et al. 2013).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.NAdam(params, lr, betas=(β₁, β₂), eps, weight_decay, momentum_decay, maximize=…)</c>
/// as in PyTorch 2.x's code (the running product Πₜ multiplies each μₜ in once; PyTorch 1.13's default single-tensor
/// path multiplied μₜ in twice when forming Πₜ₊₁, its foreach path was right), and its <c>decoupled_weight_decay</c>
/// (NAdamW: θ·(1 − α·λ) first, then the step with the undecayed gradient; torch 1.13 lacks it, so it is checked against
/// a NumPy transcription of torch 2.x's single-tensor code, tests/Optimizers.Tests/Parity/Decoupled).
/// Differences elsewhere: Keras' <c>Nadam</c> uses a
/// fixed ψ = 0.004 in the same schedule but defaults to α = 0.001 and ε = 1e-7 and applies ε to the uncorrected
/// root; Optax's <c>nadam</c> uses a constant β₁ (no μₜ schedule) in its Nesterov correction.
/// </para>
/// <para>
/// Arithmetic: the last line is computed as θₜ = θₜ₋₁ − (a·gₜ + b·mₜ)/dₜ with a and b the two step sizes above and
/// dₜ = √(vₜ·(1/(1 − β₂ᵗ))) + ε — one division and one square root per element, where torch divides three times
/// (v by 1 − β₂ᵗ, then g and m by d) and rounds θ after each of its two updates. In double the results differ from
/// torch's in the last places only (the float64 parity traces agree within 1.6e-15 relative); in float32 the extra
/// rounding of θ is visible (see "Single precision"). The division count is what keeps the step memory-bound.
/// </para>
/// <para>
/// Single precision (<c>NAdam&lt;float&gt;</c>): μₜ, μₜ₊₁ and the two step sizes a = α·(1 − μₜ)/(1 − Πₜ) and
/// b = α·μₜ₊₁/(1 − Πₜ·μₜ₊₁) are formed in double and rounded to float32 once per step, as are 1/(1 − β₂ᵗ), β₁, 1 − β₁,
/// β₂, 1 − β₂, ε and λ (or, decoupled, 1 − α·λ). Π lives in float32, as torch's <c>mu_product</c> tensor: Πₜ = Πₜ₋₁·float32(μₜ) in float32,
/// read back exactly into the double formulas (torch's <c>.item()</c>); m and v live in float32. Against torch
/// 1.13's float32 traces: at most 8.3e-7 of a trace's largest |value| after 64 steps (13 to 15 ulps), because θ is
/// rounded once per step here and twice in torch; with torch's two updates the same scalars reproduce torch bit
/// for bit.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class NAdam<T> : ElementwiseOptimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvg;
    private readonly T[][] _expAvgSq;
    private readonly T[] _muProduct;
    private StepScalars<(double BiasCorrection2, double Mu, double MuNext)> _perStep;
    private double _beta1;

    /// <summary>Creates NAdam over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.002).</param>
    /// <param name="beta1">β₁, the decay rate of the first moment and the scale of μₜ, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the second moment, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε, added to the denominator: finite and ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="momentumDecay">ψ, the rate at which μₜ warms up towards β₁: finite and ≥ 0 (default 0.004).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <param name="decoupledWeightDecay">Shrink θ by 1 − α·λ each step instead of adding λ·θ to the gradient, as NAdamW (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public NAdam(IEnumerable<Parameter<T>> parameters, double learningRate = 0.002, double beta1 = 0.9, double beta2 = 0.999,
                 double epsilon = 1e-8, double weightDecay = 0, double momentumDecay = 0.004, bool maximize = false,
                 bool decoupledWeightDecay = false)
        : base(parameters, learningRate)
    {
        _beta1 = Check.UnitInterval(beta1);
        Beta2 = Check.UnitInterval(beta2);
        Epsilon = Check.NonNegativeFinite(epsilon);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        MomentumDecay = Check.NonNegativeFinite(momentumDecay);
        Maximize = maximize;
        RecordHyperparameter("beta1", Beta1);
        RecordHyperparameter("beta2", Beta2);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("momentum_decay", MomentumDecay);
        RecordHyperparameter("maximize", Maximize);
        AddCycledSetting("beta1", () => _beta1, v => Beta1 = v, _beta1, v => v >= 0 && v < 1);
        DecoupledWeightDecay = decoupledWeightDecay;
        if (decoupledWeightDecay)
        {
            RecordHyperparameter("decoupled_weight_decay", true);
        }

        _expAvg = AddVectorState("exp_avg");
        _expAvgSq = AddVectorState("exp_avg_sq");
        _muProduct = AddScalarState("mu_product", initialValue: 1);
    }

    /// <summary>
    /// β₁, the decay rate of the first moment m and the limit of the momentum schedule μₜ: the constructor's value, or the value a schedule cycling momentum (<see cref="Schedules.OneCycleLR"/>,
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

    /// <summary>ε, added to the bias-corrected root of the second moment.</summary>
    public double Epsilon { get; }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>ψ, the momentum decay of the schedule μₜ = β₁·(1 − ½·0.96^(t·ψ)).</summary>
    public double MomentumDecay { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>Whether λ is decoupled weight decay (θ shrinks by 1 − α·λ before the step, NAdamW) rather than an L2 penalty.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <summary>
    /// Multiplies μₜ into the running product of parameter <paramref name="index"/>, once per step; forms 1 − β₂ᵗ, μₜ and
    /// μₜ₊₁ once per step for all parameters.
    /// </summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (!_perStep.IsFor(step, LearningRate))
        {
            _perStep.Set(step, LearningRate, (1 - Math.Pow(Beta2, step), MomentumAt(step), MomentumAt(step + 1)));
        }

        _muProduct[index] *= T.CreateTruncating(_perStep.Value.Mu);   // in T, as torch keeps mu_product in the parameter's dtype
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var (biasCorrection2, mu, muNext) = _perStep.Value;
        double muProduct = double.CreateTruncating(_muProduct[index]);   // the T value, used in double as torch's .item()
        double gradientStep = LearningRate * (1 - mu) / (1 - muProduct);
        double momentumStep = LearningRate * muNext / (1 - muProduct * muNext);
        NAdamKernel.Step(value, gradient, _expAvg[index].AsSpan(start, value.Length), _expAvgSq[index].AsSpan(start, value.Length), Beta1, Beta2, Epsilon,
                         weightDecay: DecoupledWeightDecay ? 0 : WeightDecay,
                         shrink: DecoupledWeightDecay ? 1 - LearningRate * WeightDecay : 1, Maximize, biasCorrection2,
                         gradientStep, momentumStep);
    }

    /// <summary>μₜ = β₁·(1 − ½·0.96^(t·ψ)).</summary>
    private double MomentumAt(long t) => Beta1 * (1 - 0.5 * Math.Pow(0.96, t * MomentumDecay));
}

/// <summary>
/// <see cref="NAdam{T}"/> over double-precision parameters, under its short name: <c>new NAdam(…)</c> and
/// <c>new NAdam&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class NAdam : NAdam<double>
{
    /// <inheritdoc />
    public NAdam(IEnumerable<Parameter<double>> parameters, double learningRate = 0.002, double beta1 = 0.9, double beta2 = 0.999,
                 double epsilon = 1e-8, double weightDecay = 0, double momentumDecay = 0.004, bool maximize = false,
                 bool decoupledWeightDecay = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, momentumDecay, maximize, decoupledWeightDecay)
    {
    }
}
