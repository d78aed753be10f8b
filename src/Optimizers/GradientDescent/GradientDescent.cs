using System.Numerics;

namespace Optimizers;

/// <summary>
/// Plain (stochastic) gradient descent: step against the gradient, scaled by the learning rate.
/// </summary>
/// <remarks>
/// <para>Update, for every element of every parameter, at step t:</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                   (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                 (weight decay, when λ ≠ 0)
/// θₜ = θₜ₋₁ − α·gₜ
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/>, λ = <see cref="WeightDecay"/> (L2 penalty, default 0),
/// maximize = <see cref="Maximize"/> (default false: minimise J). There is no per-parameter state.
/// </para>
/// <para>
/// Reference: A. Cauchy, "Méthode générale pour la résolution des systèmes d'équations simultanées" (1847);
/// H. Robbins and S. Monro, "A Stochastic Approximation Method" (1951).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.SGD(params, lr, momentum=0, weight_decay, maximize)</c>, including the order
/// of the sign flip and the decay (maximize negates the gradient first, then λθ is added, so decay still
/// shrinks θ when maximising).
/// </para>
/// <para>
/// Single precision (<c>GradientDescent&lt;float&gt;</c>): α and λ are rounded to float32 once per step, as torch's
/// <c>alpha=</c> scalars are, and θ is updated in float32, so a step smaller than half an ulp of θ leaves it unchanged,
/// as in torch. Against torch 1.13's float32 traces: at most 6.2e-8 of a trace's largest |value| (one ulp element by
/// element: torch's build fuses θ + (−α)·g into one rounding), and a trace whose every step is below half an ulp of θ
/// bit for bit.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class GradientDescent<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates gradient descent over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0.</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or negative.</exception>
    public GradientDescent(IEnumerable<Parameter<T>> parameters, double learningRate,
                           double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate)
    {
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        Maximize = maximize;
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("maximize", Maximize);
    }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
        => GradientDescentKernel.Step(value, gradient, LearningRate, WeightDecay, Maximize);
}

/// <summary>
/// <see cref="GradientDescent{T}"/> over double-precision parameters, under its short name: <c>new GradientDescent(…)</c> and
/// <c>new GradientDescent&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class GradientDescent : GradientDescent<double>
{
    /// <inheritdoc />
    public GradientDescent(IEnumerable<Parameter<double>> parameters, double learningRate,
                           double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate, weightDecay, maximize)
    {
    }
}
