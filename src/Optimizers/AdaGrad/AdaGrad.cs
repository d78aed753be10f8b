using System.Numerics;

namespace Optimizers;

/// <summary>
/// AdaGrad: each element's step is scaled by the inverse root of the sum of all its squared gradients so far,
/// exactly as <c>torch.optim.Adagrad</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (s is the accumulator "sum", one per parameter, filled with s₀ at construction):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                       (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                     (weight decay, when λ ≠ 0)
/// γ̃ₜ = γ / (1 + (t − 1)·η)             (learning-rate decay by step count)
/// sₜ = sₜ₋₁ + gₜ²
/// θₜ = θₜ₋₁ − γ̃ₜ·gₜ / (√sₜ + ε)
/// </code>
/// <para>
/// Symbols: γ = <see cref="Optimizer.LearningRate"/> (default 0.01), η = <see cref="LearningRateDecay"/>
/// (argument <c>lrDecay</c>, default 0), λ = <see cref="WeightDecay"/> (default 0),
/// s₀ = <see cref="InitialAccumulatorValue"/> (default 0), ε = <see cref="Epsilon"/> (default 1e-10),
/// maximize = <see cref="Maximize"/> (default false). t is <see cref="Optimizer.StepCount"/> after the step.
/// γ is read at every step, so a changed <see cref="Optimizer.LearningRate"/> takes effect at the next step,
/// still divided by the step-count decay.
/// </para>
/// <para>
/// Reference: J. Duchi, E. Hazan, Y. Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
/// Optimization", JMLR 12 (2011) — the diagonal variant.
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.Adagrad(params, lr, lr_decay, weight_decay, initial_accumulator_value,
/// eps, maximize=maximize)</c> (2.x), including the eager accumulator (state "sum" exists, filled with s₀, before
/// the first step), ε added after the square root, and the sign flip before the decay term. Keras'
/// <c>Adagrad</c> defaults to γ = 0.001, s₀ = 0.1 and ε = 1e-7 placed inside the root (<c>γ·g/√(s + ε)</c>) and has
/// no step-count decay; Optax's <c>adagrad</c> also starts at s₀ = 0.1 with ε = 1e-7 inside the root, and leaves
/// an element unchanged while its sum is 0.
/// </para>
/// <para>
/// Single precision (<c>AdaGrad&lt;float&gt;</c>): the decayed rate γ/(1 + (t − 1)·η) is formed in double (t exact) and
/// rounded to float32 once per step, as torch's <c>clr</c>; ε and λ are rounded once, s₀ when the state is created; the
/// sum s lives in float32. Against torch 1.13's float32 traces: bit for bit.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class AdaGrad<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _sums;

    /// <summary>Creates AdaGrad over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">γ, finite and ≥ 0 (default 0.01).</param>
    /// <param name="lrDecay">η, the learning-rate decay per step: γ̃ₜ = γ / (1 + (t − 1)·η); finite and ≥ 0 (default 0).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="initialAccumulatorValue">s₀, the starting value of every accumulator element: finite and ≥ 0 (default 0).</param>
    /// <param name="epsilon">ε, added to √s in the denominator: finite and ≥ 0 (default 1e-10).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or negative.</exception>
    public AdaGrad(IEnumerable<Parameter<T>> parameters, double learningRate = 0.01, double lrDecay = 0,
                   double weightDecay = 0, double initialAccumulatorValue = 0, double epsilon = 1e-10,
                   bool maximize = false)
        : base(parameters, learningRate)
    {
        LearningRateDecay = Check.NonNegativeFinite(lrDecay);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        InitialAccumulatorValue = Check.NonNegativeFinite(initialAccumulatorValue);
        Epsilon = Check.NonNegativeFinite(epsilon);
        Maximize = maximize;
        RecordHyperparameter("lr_decay", LearningRateDecay);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("initial_accumulator_value", InitialAccumulatorValue);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("maximize", Maximize);
        _sums = AddVectorState("sum", initialAccumulatorValue);
    }

    /// <summary>η, the learning-rate decay: step t uses γ / (1 + (t − 1)·η).</summary>
    public double LearningRateDecay { get; }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>s₀, the value every accumulator element starts from.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε, added to the square root of the accumulator.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        double decayedLr = LearningRate / (1 + (step - 1) * LearningRateDecay);
        AdaGradKernel.Step(value, gradient, _sums[index].AsSpan(start, value.Length), decayedLr, Epsilon, WeightDecay, Maximize);
    }
}

/// <summary>
/// <see cref="AdaGrad{T}"/> over double-precision parameters, under its short name: <c>new AdaGrad(…)</c> and
/// <c>new AdaGrad&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class AdaGrad : AdaGrad<double>
{
    /// <inheritdoc />
    public AdaGrad(IEnumerable<Parameter<double>> parameters, double learningRate = 0.01, double lrDecay = 0,
                   double weightDecay = 0, double initialAccumulatorValue = 0, double epsilon = 1e-10,
                   bool maximize = false)
        : base(parameters, learningRate, lrDecay, weightDecay, initialAccumulatorValue, epsilon, maximize)
    {
    }
}
