using System.Numerics;

namespace Optimizers;

/// <summary>
/// ADOPT: Adam with the current gradient normalised by the second moment of the PREVIOUS steps (so that the two are
/// independent), clipped, then averaged; converges for any β₂. The authors' reference code.
/// </summary>
/// <remarks>
/// <para>Update (m and v are kept per element and start at 0; t = <see cref="Optimizer.StepCount"/> after the step):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                         (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                       (L2 weight decay, when λ ≠ 0 and not decoupled)
/// t = 1:   v₁ = g₁²;  θ₁ = θ₀, m₁ = 0    (the first step only initialises v)
/// t ≥ 2:   θ′ = θₜ₋₁ − α·λ·θₜ₋₁            (decoupled weight decay, when decoupled and λ ≠ 0)
///          nₜ = clip(gₜ / max(√vₜ₋₁, ε), (t − 1)^¼)      (clip(x, c) = min(max(x, −c), c))
///          mₜ = β₁·mₜ₋₁ + (1 − β₁)·nₜ
///          θₜ = θ′ − α·mₜ
///          vₜ = β₂·vₜ₋₁ + (1 − β₂)·gₜ²
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.001), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.9999), ε = <see cref="Epsilon"/> (default 1e-6), λ = <see cref="WeightDecay"/>
/// (default 0), decoupled = <see cref="Decoupled"/> (default false), maximize = <see cref="Maximize"/> (default false).
/// State: "exp_avg" (m) and "exp_avg_sq" (v), read with <see cref="Optimizer{T}.GetState"/>.
/// </para>
/// <para>
/// Unlike Adam, the normaliser of step t is vₜ₋₁, which does not contain gₜ, and there is no bias correction: v starts
/// at g₁² instead of 0, and the first step moves nothing. ε bounds the denominator from below (a maximum, not a sum).
/// The clip bound (t − 1)^¼ (1 at step 2, 2 at step 17) is the reference's default <c>clip_lambda</c>; it guards the
/// early steps, when one v is a poor estimate. Because the first step moves nothing, a zero learning rate and a
/// zero gradient are not the only ways to leave θ unchanged after a step.
/// </para>
/// <para>
/// Reference: S. Taniguchi, K. Harada, G. Minegishi et al., "ADOPT: Modified Adam Can Converge with Any β₂ with the
/// Optimal Rate" (NeurIPS 2024); the authors' code, iShohei220/adopt <c>src/adopt/adopt.py</c> (its single-tensor
/// path), whose defaults, operation order and clipping this is (<c>decouple</c> is <see cref="Decoupled"/> here). Not in
/// torch.optim 1.13. The decoupled decay is added as θ + (−α·λ)·θ, as the reference writes it.
/// </para>
/// <para>
/// Single precision (<c>Adopt&lt;float&gt;</c>): α, 1 − β₁, β₂, 1 − β₂, ε, λ, −α·λ and the clip bound are formed in double
/// and rounded to float32 once per step, as the reference's float32 path casts its Python scalars; m and v live in
/// float32. The float32 and float64 traces of a NumPy transcription of the reference replay bit for bit
/// (tests/Optimizers.Tests/Parity/LionLambAdopt/README.md).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Adopt<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvg;
    private readonly T[][] _expAvgSq;
    private StepScalars<double> _clip;

    /// <summary>Creates ADOPT over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.001).</param>
    /// <param name="beta1">β₁, the decay rate of the first moment, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the second moment, in [0, 1) (default 0.9999).</param>
    /// <param name="epsilon">ε, the least value of the denominator √v: finite and ≥ 0 (default 1e-6).</param>
    /// <param name="weightDecay">λ: the L2 penalty added to the gradient, or with <paramref name="decoupled"/> the decoupled decay rate (θ shrinks by α·λ each step); finite and ≥ 0 (default 0).</param>
    /// <param name="decoupled">Apply λ as decoupled weight decay (AdamW style) instead of as an L2 penalty (default false).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Adopt(IEnumerable<Parameter<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.9999,
                 double epsilon = 1e-6, double weightDecay = 0, bool decoupled = false, bool maximize = false)
        : base(parameters, learningRate)
    {
        Beta1 = Check.UnitInterval(beta1);
        Beta2 = Check.UnitInterval(beta2);
        Epsilon = Check.NonNegativeFinite(epsilon);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        Decoupled = decoupled;
        Maximize = maximize;
        RecordHyperparameter("beta1", Beta1);
        RecordHyperparameter("beta2", Beta2);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("decouple", Decoupled);
        RecordHyperparameter("maximize", Maximize);
        _expAvg = AddVectorState("exp_avg");
        _expAvgSq = AddVectorState("exp_avg_sq");
    }

    /// <summary>β₁, the decay rate of the first moment m (of the normalised, clipped gradient).</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay rate of the second moment v.</summary>
    public double Beta2 { get; }

    /// <summary>ε, the least value of the denominator √v.</summary>
    public double Epsilon { get; }

    /// <summary>λ: the L2 penalty coefficient, or with <see cref="Decoupled"/> the decoupled decay rate.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether λ is applied as decoupled weight decay (θ shrinks by α·λ·θ) rather than added to the gradient.</summary>
    public bool Decoupled { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>Forms the clip bound (t − 1)^¼ once per step, not once per parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (!_clip.IsFor(step, LearningRate))
        {
            _clip.Set(step, LearningRate, Math.Pow(step - 1, 0.25));
        }
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        double coupled = Decoupled ? 0 : WeightDecay;
        var expAvgSq = _expAvgSq[index].AsSpan(start, value.Length);
        if (step == 1)
        {
            AdoptKernel.Initialise<T>(value, gradient, expAvgSq, coupled, Maximize);
            return;
        }

        AdoptKernel.Step(value, gradient, _expAvg[index].AsSpan(start, value.Length), expAvgSq, LearningRate, Beta1, Beta2,
                         Epsilon, coupled, Decoupled ? -LearningRate * WeightDecay : 0, Maximize, _clip.Value);
    }
}

/// <summary>
/// <see cref="Adopt{T}"/> over double-precision parameters, under its short name: <c>new Adopt(…)</c> and
/// <c>new Adopt&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Adopt : Adopt<double>
{
    /// <inheritdoc />
    public Adopt(IEnumerable<Parameter<double>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.9999,
                 double epsilon = 1e-6, double weightDecay = 0, bool decoupled = false, bool maximize = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled, maximize)
    {
    }
}
