using System.Numerics;

namespace Optimizers;

/// <summary>
/// Gradient descent with momentum (heavy ball), optionally Nesterov's, exactly as <c>torch.optim.SGD</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (b is the momentum buffer, one per parameter, in gradient units):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                    (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                  (weight decay, when λ ≠ 0)
/// b₁ = g₁                           (first step: no dampening)
/// bₜ = μ·bₜ₋₁ + (1 − τ)·gₜ           (t > 1)
/// dₜ = gₜ + μ·bₜ   if nesterov,  else  dₜ = bₜ
/// θₜ = θₜ₋₁ − α·dₜ
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/>, μ = <see cref="MomentumFactor"/> (default 0.9),
/// τ = <see cref="Dampening"/> (default 0), λ = <see cref="WeightDecay"/> (default 0),
/// nesterov = <see cref="Nesterov"/> (default false), maximize = <see cref="Maximize"/> (default false).
/// Nesterov momentum requires μ &gt; 0 and τ = 0.
/// </para>
/// <para>
/// The textbook form (Polyak; Sutskever et al.) keeps a velocity in parameter units:
/// </para>
/// <code>
/// vₜ = μ·vₜ₋₁ − α·gₜ ,   θₜ = θₜ₋₁ + vₜ        (v₀ = 0)
/// </code>
/// <para>
/// With τ = 0 and a constant α the two forms trace the same path, since vₜ = −α·bₜ. They differ when α changes
/// between steps: the textbook velocity carries the old α inside it, whereas here the buffer is in gradient
/// units and the current α scales the whole step. This library keeps PyTorch's form so that a learning-rate
/// schedule behaves exactly as it does in PyTorch.
/// </para>
/// <para>
/// References: B. T. Polyak, "Some methods of speeding up the convergence of iteration methods" (1964);
/// Y. Nesterov, "A method for solving the convex programming problem with convergence rate O(1/k²)" (1983);
/// I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and momentum in deep
/// learning" (ICML 2013).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov, maximize)</c>.
/// Keras' <c>SGD(momentum=…)</c> uses the textbook velocity form instead.
/// </para>
/// <para>
/// Single precision (<c>Momentum&lt;float&gt;</c>): α, μ, 1 − τ and λ are formed in double and rounded to float32 once
/// per step, as torch's <c>alpha=</c> and <c>mul_</c> scalars are; the buffer b lives in float32. Against torch 1.13's
/// float32 traces: at most 6.1e-8 of a trace's largest |value| (one ulp element by element, from torch's fused
/// multiply-adds).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Momentum<T> : ElementwiseOptimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _buffers;
    private double _momentum;

    /// <summary>Creates momentum gradient descent over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0.</param>
    /// <param name="momentum">μ, the momentum factor, in [0, 1) (default 0.9).</param>
    /// <param name="dampening">τ, the dampening of the gradient added to the buffer, in [0, 1] (default 0).</param>
    /// <param name="nesterov">Use Nesterov momentum; needs μ &gt; 0 and τ = 0 (default false).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">
    /// The parameter list is empty or repeats a parameter, or Nesterov is asked for with μ = 0 or τ ≠ 0.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Momentum(IEnumerable<Parameter<T>> parameters, double learningRate, double momentum = 0.9,
                    double dampening = 0, bool nesterov = false, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate)
    {
        _momentum = Check.UnitInterval(momentum);
        Dampening = Check.ClosedUnitInterval(dampening);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        if (nesterov && (momentum == 0 || dampening != 0))
        {
            throw new ArgumentException(
                $"Nesterov momentum needs momentum > 0 and dampening = 0; got momentum {momentum}, dampening {dampening}.",
                nameof(nesterov));
        }

        Nesterov = nesterov;
        Maximize = maximize;
        RecordHyperparameter("momentum", MomentumFactor);
        RecordHyperparameter("dampening", Dampening);
        RecordHyperparameter("nesterov", Nesterov);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("maximize", Maximize);
        _buffers = AddVectorState("momentum_buffer");
        AddCycledSetting("momentum", () => _momentum, v => _momentum = v, _momentum, v => v >= 0 && v < 1 && !(Nesterov && v == 0));
    }

    /// <summary>
    /// μ, the momentum factor: the constructor's value, or the value a schedule cycling momentum
    /// (<see cref="Schedules.OneCycleLR"/>, <see cref="Schedules.CyclicLR"/>) or the caller set for the next step, as torch's
    /// <c>param_group['momentum']</c>. Checkpoints save and restore a changed value (the constructor's value is compared).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1), or 0 with Nesterov momentum; nothing changes.</exception>
    public double MomentumFactor
    {
        get => _momentum;
        set
        {
            Check.UnitInterval(value, nameof(MomentumFactor));
            if (Nesterov && value == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(MomentumFactor), value, "Nesterov momentum needs a momentum factor > 0; got 0.");
            }

            _momentum = value;
        }
    }

    /// <inheritdoc />
    string ICyclableMomentum.CycledName => "momentum";

    /// <inheritdoc />
    double ICyclableMomentum.CycledValue { get => MomentumFactor; set => MomentumFactor = value; }

    /// <summary>τ, the dampening applied to the gradient when it is added to the buffer (not on the first step).</summary>
    public double Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>The momentum buffer b of the parameter at <paramref name="index"/> (zeros before the first step);
    /// the same as <c>GetState("momentum_buffer", index)</c>.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    public ReadOnlySpan<T> MomentumBuffer(int index) => _buffers[index];

    /// <inheritdoc />
    void ICyclableMomentum.BeginCycling()
    {
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
        => MomentumKernel.Step(value, gradient, _buffers[index].AsSpan(start, value.Length), LearningRate, MomentumFactor,
                               Dampening, Nesterov, WeightDecay, Maximize, firstStep: step == 1);
}

/// <summary>
/// <see cref="Momentum{T}"/> over double-precision parameters, under its short name: <c>new Momentum(…)</c> and
/// <c>new Momentum&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Momentum : Momentum<double>
{
    /// <inheritdoc />
    public Momentum(IEnumerable<Parameter<double>> parameters, double learningRate, double momentum = 0.9,
                    double dampening = 0, bool nesterov = false, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate, momentum, dampening, nesterov, weightDecay, maximize)
    {
    }
}
