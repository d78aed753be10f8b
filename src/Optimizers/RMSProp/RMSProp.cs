using System.Numerics;

namespace Optimizers;

/// <summary>
/// RMSProp: divide the step by a running root-mean-square of recent gradients, optionally centred and with
/// momentum, exactly as <c>torch.optim.RMSprop</c>.
/// </summary>
/// <remarks>
/// <para>
/// Update at step t (v is "square_avg"; ḡ is "grad_avg", kept only when centered; b is "momentum_buffer", kept only
/// when μ &gt; 0; all start at zero):
/// </para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                       (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                     (weight decay, when λ ≠ 0)
/// vₜ = α·vₜ₋₁ + (1 − α)·gₜ²
/// ḡₜ = α·ḡₜ₋₁ + (1 − α)·gₜ              (centered only)
/// dₜ = √max(vₜ − ḡₜ², 0) + ε   if centered,  else  dₜ = √vₜ + ε
/// bₜ = μ·bₜ₋₁ + gₜ/dₜ ,  θₜ = θₜ₋₁ − γ·bₜ      (when μ &gt; 0)
/// θₜ = θₜ₋₁ − γ·gₜ/dₜ                          (when μ = 0)
/// </code>
/// <para>
/// Symbols: γ = <see cref="Optimizer.LearningRate"/> (default 0.01), α = <see cref="Alpha"/> (the smoothing
/// constant, default 0.99), ε = <see cref="Epsilon"/> (default 1e-8), λ = <see cref="WeightDecay"/> (default 0),
/// μ = <see cref="MomentumFactor"/> (argument <c>momentum</c>, default 0), centered = <see cref="Centered"/>
/// (default false), maximize = <see cref="Maximize"/> (default false). ε is added after the square root. The
/// momentum buffer is in gradient-over-RMS units and γ multiplies the whole step, so a changed
/// <see cref="Optimizer.LearningRate"/> scales the next step at once, as in PyTorch.
/// </para>
/// <para>
/// References: G. Hinton, N. Srivastava, K. Swersky, "Neural Networks for Machine Learning", Coursera lecture 6e
/// (2012), for RMSProp; A. Graves, "Generating Sequences With Recurrent Neural Networks", arXiv:1308.0850 (2013),
/// for the centred variant with momentum (Graves puts ε inside the root).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered,
/// maximize=maximize)</c> (2.x); ḡ is updated with torch's <c>lerp</c> and follows its rounding. PyTorch accepts
/// any α ≥ 0 and μ ≥ 0; this library requires both in [0, 1), the range in which v, ḡ and b are averages that
/// stay bounded. The centred variance vₜ − ḡₜ² can round to a tiny negative number when the gradient stays constant;
/// PyTorch then takes its root and returns NaN from that step on, while this library clamps it at 0 (every result
/// PyTorch computes without NaN is unchanged). Keras' <c>RMSprop</c> defaults to γ = 0.001, ρ (our α) = 0.9 and ε = 1e-7, puts ε inside the
/// root (<c>γ·g/√(v + ε)</c>) and keeps its momentum in parameter units (γ inside the buffer); Optax's
/// <c>rmsprop</c> defaults to decay 0.9 and also puts ε inside the root unless <c>eps_in_sqrt=False</c>.
/// </para>
/// <para>
/// Single precision (<c>RMSProp&lt;float&gt;</c>): γ, α, 1 − α, ε, μ and λ are formed in double and rounded to float32
/// once per step, as torch's scalars are; v, ḡ and b live in float32. Against torch 1.13's float32 traces: at most
/// 6.7e-8 of a trace's largest |value| (one ulp of it, from torch's fused multiply-adds; four ulps element by element
/// on small values that carry the rounding of larger ones).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class RMSProp<T> : ElementwiseOptimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _squareAvgs;
    private T[][]? _momentumBuffers;
    private double _momentum;
    private readonly T[][]? _gradAvgs;

    /// <summary>Creates RMSProp over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">γ, finite and ≥ 0 (default 0.01).</param>
    /// <param name="alpha">α, the smoothing constant of the running averages, in [0, 1) (default 0.99).</param>
    /// <param name="epsilon">ε, added to the root in the denominator: finite and ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="momentum">μ, the momentum factor, in [0, 1); 0 keeps no momentum buffer (default 0).</param>
    /// <param name="centered">Divide by the root of the estimated variance vₜ − ḡₜ² instead of vₜ (default false).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public RMSProp(IEnumerable<Parameter<T>> parameters, double learningRate = 0.01, double alpha = 0.99,
                   double epsilon = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false,
                   bool maximize = false)
        : base(parameters, learningRate)
    {
        Alpha = Check.UnitInterval(alpha);
        Epsilon = Check.NonNegativeFinite(epsilon);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        _momentum = Check.UnitInterval(momentum);
        Centered = centered;
        Maximize = maximize;
        RecordHyperparameter("alpha", Alpha);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("momentum", MomentumFactor);
        RecordHyperparameter("centered", Centered);
        RecordHyperparameter("maximize", Maximize);
        _squareAvgs = AddVectorState("square_avg");
        _momentumBuffers = momentum > 0 ? AddVectorState("momentum_buffer") : null;
        _gradAvgs = centered ? AddVectorState("grad_avg") : null;
        AddCycledSetting("momentum", () => _momentum, v => _momentum = v, _momentum, v => v >= 0 && v < 1 && (v == 0 || _momentumBuffers is not null));
    }

    /// <summary>α, the smoothing constant of the running averages of gₜ² (and of gₜ when centred).</summary>
    public double Alpha { get; }

    /// <summary>ε, added after the square root in the denominator.</summary>
    public double Epsilon { get; }

    /// <summary>λ, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>
    /// μ, the momentum factor; 0 means no momentum buffer is kept. A schedule cycling momentum
    /// (<see cref="Schedules.OneCycleLR"/>, <see cref="Schedules.CyclicLR"/>) changes it between steps, as torch's
    /// <c>param_group['momentum']</c>, and from then on a momentum buffer ("momentum_buffer") is kept even if μ was 0.
    /// </summary>
    public double MomentumFactor => _momentum;

    /// <inheritdoc />
    string ICyclableMomentum.CycledName => "momentum";

    /// <inheritdoc />
    double ICyclableMomentum.CycledValue
    {
        get => _momentum;
        set => _momentum = Check.UnitInterval(value, nameof(MomentumFactor));
    }

    /// <inheritdoc />
    void ICyclableMomentum.BeginCycling() => _momentumBuffers ??= AddVectorState("momentum_buffer");

    /// <summary>Whether the denominator uses the centred second moment vₜ − ḡₜ² (state "grad_avg" is kept).</summary>
    public bool Centered { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
        => RMSPropKernel.Step(value, gradient, _squareAvgs[index].AsSpan(start, value.Length),
                              _gradAvgs is null ? Span<T>.Empty : _gradAvgs[index].AsSpan(start, value.Length),
                              _momentumBuffers is null ? Span<T>.Empty : _momentumBuffers[index].AsSpan(start, value.Length),
                              LearningRate, Alpha, Epsilon, WeightDecay, MomentumFactor, Centered, Maximize);
}

/// <summary>
/// <see cref="RMSProp{T}"/> over double-precision parameters, under its short name: <c>new RMSProp(…)</c> and
/// <c>new RMSProp&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class RMSProp : RMSProp<double>
{
    /// <inheritdoc />
    public RMSProp(IEnumerable<Parameter<double>> parameters, double learningRate = 0.01, double alpha = 0.99,
                   double epsilon = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false,
                   bool maximize = false)
        : base(parameters, learningRate, alpha, epsilon, weightDecay, momentum, centered, maximize)
    {
    }
}
