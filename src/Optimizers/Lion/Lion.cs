using System.Numerics;

namespace Optimizers;

/// <summary>
/// Lion (EvoLved Sign Momentum): a step of the same size α in every coordinate, in the direction of the sign of an
/// interpolation between the momentum and the gradient; decoupled weight decay. The authors' reference code.
/// </summary>
/// <remarks>
/// <para>Update at step t (m is kept per element and starts at 0):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)
/// θ′ = θₜ₋₁·(1 − α·λ)                    (decoupled weight decay, scaled by the learning rate)
/// cₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ
/// θₜ = θ′ − α·sign(cₜ)                    (sign(0) = 0)
/// mₜ = β₂·mₜ₋₁ + (1 − β₂)·gₜ
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 1e-4), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.99), λ = <see cref="WeightDecay"/> (default 0). State: "exp_avg" (m), read with
/// <see cref="Optimizer{T}.GetState"/>.
/// </para>
/// <para>
/// Every element moves by exactly α where cₜ ≠ 0 (before the decay and θ's own rounding), whatever the gradient's
/// scale: Lion's steps are larger than Adam's for the same α, so the paper uses an α 3–10× smaller than AdamW's and a
/// λ 3–10× larger (the product α·λ, which sets the strength of the decay, kept the same). The momentum that sets the
/// direction (β₁ = 0.9) forgets faster than the one that is kept (β₂ = 0.99).
/// </para>
/// <para>
/// Reference: X. Chen, C. Liang, D. Huang et al., "Symbolic Discovery of Optimization Algorithms" (NeurIPS 2023);
/// the authors' PyTorch code, google/automl <c>lion/lion_pytorch.py</c>, whose defaults and operation order this is
/// (see the kernel's remarks: the one departure is sign(NaN), NaN here and 0 there). Not in torch.optim 1.13; Optax's
/// <c>lion</c> is the same rule (its weight decay is also multiplied by the learning rate).
/// </para>
/// <para>
/// Single precision (<c>Lion&lt;float&gt;</c>): α, β₁, 1 − β₁, β₂, 1 − β₂ and 1 − α·λ are formed in double and rounded to
/// float32 once per step, as the reference's float32 path casts its Python scalars; m lives in float32. The step ±α is
/// then exact, so θ is rounded once per step. The float32 and float64 traces of a NumPy transcription of the reference
/// replay bit for bit (tests/Optimizers.Tests/Parity/LionLambAdopt/README.md).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Lion<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvg;

    /// <summary>Creates Lion over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, the size of every element's step: finite and ≥ 0 (default 1e-4).</param>
    /// <param name="beta1">β₁, the weight of the momentum in the update direction, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the momentum, in [0, 1) (default 0.99).</param>
    /// <param name="weightDecay">λ, the decoupled decay rate (θ shrinks by α·λ each step): finite and ≥ 0 (default 0).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Lion(IEnumerable<Parameter<T>> parameters, double learningRate = 1e-4, double beta1 = 0.9, double beta2 = 0.99,
                double weightDecay = 0)
        : base(parameters, learningRate)
    {
        Beta1 = Check.UnitInterval(beta1);
        Beta2 = Check.UnitInterval(beta2);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        RecordHyperparameter("beta1", Beta1);
        RecordHyperparameter("beta2", Beta2);
        RecordHyperparameter("weight_decay", WeightDecay);
        _expAvg = AddVectorState("exp_avg");
    }

    /// <summary>β₁, the weight of the momentum in the interpolation whose sign is the step.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay rate of the momentum m.</summary>
    public double Beta2 { get; }

    /// <summary>λ, the decoupled weight decay rate: each step multiplies θ by 1 − α·λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
        => LionKernel.Step(value, gradient, _expAvg[index].AsSpan(start, value.Length), LearningRate, Beta1, Beta2,
                           1 - LearningRate * WeightDecay);
}

/// <summary>
/// <see cref="Lion{T}"/> over double-precision parameters, under its short name: <c>new Lion(…)</c> and
/// <c>new Lion&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Lion : Lion<double>
{
    /// <inheritdoc />
    public Lion(IEnumerable<Parameter<double>> parameters, double learningRate = 1e-4, double beta1 = 0.9, double beta2 = 0.99,
                double weightDecay = 0)
        : base(parameters, learningRate, beta1, beta2, weightDecay)
    {
    }
}
