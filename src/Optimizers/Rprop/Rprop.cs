using System.Numerics;

namespace Optimizers;

/// <summary>
/// Rprop (resilient backpropagation): every element moves by its own step size in the direction opposite to its
/// gradient's sign; the step size grows while the sign holds and shrinks when it flips. Exactly <c>torch.optim.Rprop</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (s starts at α, prev at 0, both per element):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                         (gₜ = −∇J(θₜ₋₁) when maximize)
/// pₜ = gₜ·prevₜ₋₁
/// sₜ = clamp(sₜ₋₁·η₊, sₘᵢₙ, sₘₐₓ)          when pₜ &gt; 0 (same sign: grow)
/// sₜ = clamp(sₜ₋₁·η₋, sₘᵢₙ, sₘₐₓ)          when pₜ &lt; 0 (sign flipped: shrink), and then gₜ = 0
/// sₜ = clamp(sₜ₋₁, sₘᵢₙ, sₘₐₓ)             when pₜ = 0
/// θₜ = θₜ₋₁ − sign(gₜ)·sₜ
/// prevₜ = gₜ
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.01), η₋ = <see cref="EtaMinus"/> (default 0.5),
/// η₊ = <see cref="EtaPlus"/> (default 1.2), sₘᵢₙ = <see cref="MinStepSize"/> (default 1e-6), sₘₐₓ =
/// <see cref="MaxStepSize"/> (default 50), maximize = <see cref="Maximize"/> (default false). State: "prev" and
/// "step_size" (s), read with <see cref="Optimizer{T}.GetState"/>.
/// </para>
/// <para>
/// The learning rate only sets the initial step sizes: s is filled with α at the first step (the α of that step),
/// and from then on α is never read again, so changing <see cref="Optimizer.LearningRate"/> later, or a learning-rate
/// schedule, has no effect on the steps. This is torch's behaviour (its <c>state['step_size']</c> is filled with
/// <c>lr</c> once). After a sign flip the gradient is taken as 0 for that step: the element does not move, and the next
/// step sees prev = 0 and keeps its (shrunk) step size, the "iRprop⁻" variant. Only the gradient's sign is used, so
/// Rprop suits full-batch training; with noisy mini-batch gradients the signs flip at random.
/// </para>
/// <para>
/// References: M. Riedmiller and H. Braun, "A Direct Adaptive Method for Faster Backpropagation Learning: The RPROP
/// Algorithm" (IEEE ICNN 1993); C. Igel and M. Hüsken, "Improving the Rprop Learning Algorithm" (2000) for iRprop⁻.
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.Rprop(params, lr, etas=(η₋, η₊), step_sizes=(sₘᵢₙ, sₘₐₓ), maximize=…)</c>, bit for bit
/// in float64 and float32 (each value is one product or a selection). For non-finite gradients only, which the default
/// <see cref="Optimizer.NonFiniteGradients"/> policy never lets through: torch 1.13's <c>sign(NaN)</c> is 0, so a NaN
/// gradient leaves θ unchanged there; here NaN reaches θ, s and prev (<see cref="NonFiniteGradientPolicy.Propagate"/>).
/// </para>
/// <para>
/// Single precision (<c>Rprop&lt;float&gt;</c>): α, η₋, η₊, sₘᵢₙ and sₘₐₓ are rounded to float32, as torch casts them;
/// s and prev live in float32.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Rprop<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _prev;
    private readonly T[][] _stepSize;

    /// <summary>Creates Rprop over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, the initial step size of every element, finite and ≥ 0 (default 0.01). Read at the first step only.</param>
    /// <param name="etaMinus">η₋, the factor a step size is multiplied by when the gradient flips sign, in (0, 1) (default 0.5).</param>
    /// <param name="etaPlus">η₊, the factor a step size is multiplied by while the gradient keeps its sign: finite and &gt; 1 (default 1.2).</param>
    /// <param name="minStepSize">sₘᵢₙ, the smallest step size: finite and ≥ 0 (default 1e-6).</param>
    /// <param name="maxStepSize">sₘₐₓ, the largest step size: finite and ≥ <paramref name="minStepSize"/> (default 50).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Rprop(IEnumerable<Parameter<T>> parameters, double learningRate = 0.01, double etaMinus = 0.5, double etaPlus = 1.2,
                 double minStepSize = 1e-6, double maxStepSize = 50, bool maximize = false)
        : base(parameters, learningRate)
    {
        if (!(etaMinus > 0 && etaMinus < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(etaMinus), etaMinus, $"etaMinus must be in (0, 1); got {etaMinus}.");
        }

        if (!(double.IsFinite(etaPlus) && etaPlus > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(etaPlus), etaPlus, $"etaPlus must be a finite number > 1; got {etaPlus}.");
        }

        Check.NonNegativeFinite(minStepSize);
        if (!(double.IsFinite(maxStepSize) && maxStepSize >= minStepSize))
        {
            throw new ArgumentOutOfRangeException(nameof(maxStepSize), maxStepSize,
                $"maxStepSize must be a finite number ≥ minStepSize ({minStepSize}); got {maxStepSize}.");
        }

        EtaMinus = etaMinus;
        EtaPlus = etaPlus;
        MinStepSize = minStepSize;
        MaxStepSize = maxStepSize;
        Maximize = maximize;
        RecordHyperparameter("eta_minus", EtaMinus);
        RecordHyperparameter("eta_plus", EtaPlus);
        RecordHyperparameter("min_step_size", MinStepSize);
        RecordHyperparameter("max_step_size", MaxStepSize);
        RecordHyperparameter("maximize", Maximize);
        _prev = AddVectorState("prev");
        _stepSize = AddVectorState("step_size", initialValue: learningRate);
    }

    /// <summary>η₋, the factor a step size is multiplied by when its gradient flips sign.</summary>
    public double EtaMinus { get; }

    /// <summary>η₊, the factor a step size is multiplied by while its gradient keeps its sign.</summary>
    public double EtaPlus { get; }

    /// <summary>sₘᵢₙ, the smallest step size.</summary>
    public double MinStepSize { get; }

    /// <summary>sₘₐₓ, the largest step size.</summary>
    public double MaxStepSize { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>At the first step, fills the step sizes of parameter <paramref name="index"/> with the current α, as torch does.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (step == 1)
        {
            Array.Fill(_stepSize[index], T.CreateTruncating(LearningRate));
        }
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        RpropKernel.Step(value, gradient, _prev[index].AsSpan(start, value.Length), _stepSize[index].AsSpan(start, value.Length),
                         EtaMinus, EtaPlus, MinStepSize, MaxStepSize, Maximize);
    }
}

/// <summary>
/// <see cref="Rprop{T}"/> over double-precision parameters, under its short name: <c>new Rprop(…)</c> and
/// <c>new Rprop&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Rprop : Rprop<double>
{
    /// <inheritdoc />
    public Rprop(IEnumerable<Parameter<double>> parameters, double learningRate = 0.01, double etaMinus = 0.5, double etaPlus = 1.2,
                 double minStepSize = 1e-6, double maxStepSize = 50, bool maximize = false)
        : base(parameters, learningRate, etaMinus, etaPlus, minStepSize, maxStepSize, maximize)
    {
    }
}
