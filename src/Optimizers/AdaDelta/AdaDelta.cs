using System.Numerics;

namespace Optimizers;

/// <summary>
/// AdaDelta: a step whose size is the ratio of the running RMS of past steps to the running RMS of gradients,
/// exactly as <c>torch.optim.Adadelta</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (v is "square_avg", u is "acc_delta", both start at zero):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                          (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                        (weight decay, when λ ≠ 0)
/// vₜ = ρ·vₜ₋₁ + (1 − ρ)·gₜ²
/// Δₜ = √(uₜ₋₁ + ε) / √(vₜ + ε) · gₜ
/// uₜ = ρ·uₜ₋₁ + (1 − ρ)·Δₜ²
/// θₜ = θₜ₋₁ − γ·Δₜ
/// </code>
/// <para>
/// Symbols: γ = <see cref="Optimizer.LearningRate"/> (default 1.0, which is Zeiler's rule), ρ = <see cref="Rho"/>
/// (default 0.9), ε = <see cref="Epsilon"/> (default 1e-6), λ = <see cref="WeightDecay"/> (default 0),
/// maximize = <see cref="Maximize"/> (default false). ε sits inside both roots; in the numerator it is what lets
/// the first steps move at all (u₀ = 0), so ε must be &gt; 0 here. γ multiplies Δₜ after Δₜ has entered u, so a
/// changed <see cref="Optimizer.LearningRate"/> scales the next step without touching the accumulators, as in
/// PyTorch.
/// </para>
/// <para>Reference: M. D. Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701 (2012), Algorithm 1.</para>
/// <para>
/// torch.optim: equals <c>torch.optim.Adadelta(params, lr, rho, eps, weight_decay, maximize=maximize)</c> (2.x).
/// PyTorch accepts ρ in [0, 1] and ε = 0; this library requires ρ in [0, 1) (at ρ = 1 nothing is ever
/// accumulated and the rule degenerates to plain gradient descent) and ε &gt; 0 (at ε = 0 the numerator stays
/// √0 and θ never moves). Keras' <c>Adadelta</c> has the same form with defaults γ = 0.001, ρ = 0.95 and
/// ε = 1e-7; Optax's <c>adadelta</c> has the same form with ρ = 0.9 and ε = 1e-6.
/// </para>
/// <para>
/// Single precision (<c>AdaDelta&lt;float&gt;</c>): γ, ρ, 1 − ρ, ε and λ are formed in double and rounded to float32
/// once per step, as torch's scalars are; v and u live in float32. Against torch 1.13's float32 traces: bit for bit.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class AdaDelta<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _squareAvgs;
    private readonly T[][] _accDeltas;

    /// <summary>Creates AdaDelta over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">γ, the factor applied to Δₜ: finite and ≥ 0 (default 1.0).</param>
    /// <param name="rho">ρ, the decay rate of both running averages, in [0, 1) (default 0.9).</param>
    /// <param name="epsilon">ε, added inside both square roots: finite and &gt; 0 (default 1e-6).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public AdaDelta(IEnumerable<Parameter<T>> parameters, double learningRate = 1.0, double rho = 0.9,
                    double epsilon = 1e-6, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate)
    {
        Rho = Check.UnitInterval(rho);
        Epsilon = Check.PositiveFinite(epsilon);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        Maximize = maximize;
        RecordHyperparameter("rho", Rho);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("maximize", Maximize);
        _squareAvgs = AddVectorState("square_avg");
        _accDeltas = AddVectorState("acc_delta");
    }

    /// <summary>ρ, the decay rate of the running averages of gₜ² and Δₜ².</summary>
    public double Rho { get; }

    /// <summary>ε, added inside both square roots.</summary>
    public double Epsilon { get; }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
        => AdaDeltaKernel.Step(value, gradient, _squareAvgs[index].AsSpan(start, value.Length),
                               _accDeltas[index].AsSpan(start, value.Length),
                               LearningRate, Rho, Epsilon, WeightDecay, Maximize);
}

/// <summary>
/// <see cref="AdaDelta{T}"/> over double-precision parameters, under its short name: <c>new AdaDelta(…)</c> and
/// <c>new AdaDelta&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class AdaDelta : AdaDelta<double>
{
    /// <inheritdoc />
    public AdaDelta(IEnumerable<Parameter<double>> parameters, double learningRate = 1.0, double rho = 0.9,
                    double epsilon = 1e-6, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate, rho, epsilon, weightDecay, maximize)
    {
    }
}
