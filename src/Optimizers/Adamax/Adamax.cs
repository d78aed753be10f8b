using System.Numerics;

namespace Optimizers;

/// <summary>
/// Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm, exactly as
/// <c>torch.optim.Adamax</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (m is "exp_avg", u is "exp_inf", both start at zero):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                          (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                        (weight decay, when λ ≠ 0)
/// mₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ
/// uₜ = max(β₂·uₜ₋₁, |gₜ| + ε)
/// θₜ = θₜ₋₁ − γ/(1 − β₁ᵗ) · mₜ/uₜ
/// </code>
/// <para>
/// Symbols: γ = <see cref="Optimizer.LearningRate"/> (default 0.002), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.999), ε = <see cref="Epsilon"/> (default 1e-8), λ = <see cref="WeightDecay"/>
/// (default 0), maximize = <see cref="Maximize"/> (default false). t is <see cref="Optimizer.StepCount"/> after the
/// step. Only m needs bias correction: u is a maximum, not an average started at zero. γ is read at every step,
/// so a changed <see cref="Optimizer.LearningRate"/> takes effect at the next step.
/// </para>
/// <para>
/// Reference: D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, §7.1 (Algorithm 2).
/// The paper has no ε; PyTorch adds it inside the maximum, which keeps uₜ &gt; 0 for elements whose gradient has
/// always been zero.
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.Adamax(params, lr, betas=(β₁, β₂), eps, weight_decay, maximize=maximize)</c>
/// (2.x), including ε inside the maximum and m updated with torch's <c>lerp</c> (whose rounding is followed).
/// Optax's <c>adamax</c> places ε the same way; Keras' <c>Adamax</c> defaults to γ = 0.001 and ε = 1e-7 and adds ε
/// after the maximum (<c>uₜ = max(β₂·uₜ₋₁, |gₜ|)</c>, step <c>γ·mₜ / ((1 − β₁ᵗ)·(uₜ + ε))</c>).
/// </para>
/// <para>
/// Single precision (<c>Adamax&lt;float&gt;</c>): the corrected rate γ/(1 − β₁ᵗ) is formed in double and rounded to
/// float32 once per step, as torch's <c>clr</c>, and so are β₁, 1 − β₁, β₂, ε and λ; m and u live in float32. Against
/// torch 1.13's float32 traces: at most 5.9e-8 of a trace's largest |value| (one ulp element by element: m follows
/// 2.x's <c>lerp</c>, where 1.13 multiplies and adds).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Adamax<T> : ElementwiseOptimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvgs;
    private readonly T[][] _expInfs;
    private StepScalars<double> _correctedLr;
    private double _beta1;

    /// <summary>Creates Adamax over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">γ, finite and ≥ 0 (default 0.002).</param>
    /// <param name="beta1">β₁, the decay rate of the first moment, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the infinity norm, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε, added to |gₜ| inside the maximum: finite and ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Adamax(IEnumerable<Parameter<T>> parameters, double learningRate = 0.002, double beta1 = 0.9,
                  double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, bool maximize = false)
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
        _expAvgs = AddVectorState("exp_avg");
        _expInfs = AddVectorState("exp_inf");
    }

    /// <summary>
    /// β₁, the decay rate of the first moment mₜ: the constructor's value, or the value a schedule cycling momentum (<see cref="Schedules.OneCycleLR"/>,
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
            _correctedLr = default;   // its scalars depend on β₁
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

    /// <summary>β₂, the decay rate of the infinity norm uₜ.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to |gₜ| inside the maximum.</summary>
    public double Epsilon { get; }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>Forms γ̂ = γ/(1 − β₁ᵗ) once per step, not once per parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (!_correctedLr.IsFor(step, LearningRate))
        {
            _correctedLr.Set(step, LearningRate, LearningRate / (1 - Math.Pow(Beta1, step)));
        }
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        double correctedLr = _correctedLr.Value;
        AdamaxKernel.Step(value, gradient, _expAvgs[index].AsSpan(start, value.Length), _expInfs[index].AsSpan(start, value.Length),
                          correctedLr, Beta1, Beta2, Epsilon, WeightDecay, Maximize);
    }
}

/// <summary>
/// <see cref="Adamax{T}"/> over double-precision parameters, under its short name: <c>new Adamax(…)</c> and
/// <c>new Adamax&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Adamax : Adamax<double>
{
    /// <inheritdoc />
    public Adamax(IEnumerable<Parameter<double>> parameters, double learningRate = 0.002, double beta1 = 0.9,
                  double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, maximize)
    {
    }
}
