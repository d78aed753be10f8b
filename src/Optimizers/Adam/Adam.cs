using System.Numerics;

namespace Optimizers;

/// <summary>
/// Adam: momentum on the gradient, divided by the root of a running mean of its square, both bias-corrected;
/// optionally AMSGrad. Exactly <c>torch.optim.Adam</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (m, v and, with AMSGrad, vmax are kept per element and start at 0):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                         (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ·θₜ₋₁                       (L2 weight decay, when λ ≠ 0; decoupled: θₜ₋₁ = θₜ₋₁·(1 − α·λ) instead)
/// mₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ
/// vₜ = β₂·vₜ₋₁ + (1 − β₂)·gₜ²
/// v̂ₜ = vₜ                               (amsgrad: v̂ₜ = vmaxₜ = max(vmaxₜ₋₁, vₜ), the maximum of the raw vₜ)
/// θₜ = θₜ₋₁ − α/(1 − β₁ᵗ) · mₜ / (√v̂ₜ / √(1 − β₂ᵗ) + ε)
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.001), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.999), ε = <see cref="Epsilon"/> (default 1e-8), λ = <see cref="WeightDecay"/>
/// (default 0), amsgrad = <see cref="AmsGrad"/> (default false), maximize = <see cref="Maximize"/> (default false),
/// decoupled = <see cref="DecoupledWeightDecay"/> (default false; when true this is <see cref="AdamW{T}"/> bit for bit,
/// as torch's <c>Adam(decoupled_weight_decay=True)</c> is AdamW; the hyperparameter is recorded only when true, so
/// checkpoints of Adam without it keep loading). t is <see cref="Optimizer.StepCount"/> after the step. State: "exp_avg" (m), "exp_avg_sq" (v) and, with AMSGrad
/// only, "max_exp_avg_sq" (vmax), read with <see cref="Optimizer{T}.GetState"/>.
/// </para>
/// <para>
/// The last line is the paper's θₜ = θₜ₋₁ − α·m̂ₜ/(√v̂ₜ + ε) with m̂ₜ = mₜ/(1 − β₁ᵗ) and v̂ₜ = vₜ/(1 − β₂ᵗ): ε is added
/// after the bias-corrected square root. The current α is read at every step, so changing
/// <see cref="Optimizer.LearningRate"/> between steps rescales the next step only, as in PyTorch.
/// </para>
/// <para>
/// References: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015);
/// S. J. Reddi, S. Kale and S. Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018) for AMSGrad.
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.Adam(params, lr, betas=(β₁, β₂), eps, weight_decay, amsgrad, maximize=…)</c>
/// (its single-tensor code in 2.x), including the AMSGrad maximum taken over the uncorrected vₜ before bias
/// correction, and weight decay added to the gradient after the maximize sign flip. Differences elsewhere:
/// Keras' <c>Adam</c> defaults to ε = 1e-7 and adds its ε to the uncorrected √vₜ ("epsilon hat", the paper's
/// efficient form θₜ = θₜ₋₁ − αₜ·mₜ/(√vₜ + ε̂) with αₜ = α·√(1 − β₂ᵗ)/(1 − β₁ᵗ)), which equals ε = ε̂/√(1 − β₂ᵗ) here.
/// Optax's <c>adam</c> places ε as here (with <c>eps_root</c> = 0), but its <c>amsgrad</c> takes the maximum of the
/// bias-corrected second moment. For decoupled weight decay pass <c>decoupledWeightDecay: true</c> or use <see cref="AdamW"/>.
/// </para>
/// <para>
/// Single precision (<c>Adam&lt;float&gt;</c>): the step size α/(1 − β₁ᵗ) and √(1 − β₂ᵗ) are formed in double, as torch
/// forms them in Python, and the kernel's scalars (α/(1 − β₁ᵗ)·√(1 − β₂ᵗ) and ε·√(1 − β₂ᵗ), β₁, 1 − β₁, β₂, 1 − β₂
/// and λ) are rounded to float32 once per step; m, v and vmax live in float32. Against torch 1.13's float32 traces:
/// bit for bit in four of five, including one whose every step is below half an ulp of θ; one ulp of the trace's
/// largest |value| (6.1e-8) in the fifth, since the kernel divides once where torch divides twice.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Adam<T> : ElementwiseOptimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvg;
    private readonly T[][] _expAvgSq;
    private readonly T[][]? _maxExpAvgSq;
    private StepScalars<(double StepSize, double BiasCorrection2Sqrt)> _perStep;
    private double _beta1;

    /// <summary>Creates Adam over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.001).</param>
    /// <param name="beta1">β₁, the decay rate of the first moment, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the second moment, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε, added to the denominator: finite and ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="amsgrad">Use the AMSGrad variant (default false).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <param name="decoupledWeightDecay">Shrink θ by 1 − α·λ each step instead of adding λ·θ to the gradient, as AdamW (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Adam(IEnumerable<Parameter<T>> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                double epsilon = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false,
                bool decoupledWeightDecay = false)
        : base(parameters, learningRate)
    {
        _beta1 = Check.UnitInterval(beta1);
        Beta2 = Check.UnitInterval(beta2);
        Epsilon = Check.NonNegativeFinite(epsilon);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        AmsGrad = amsgrad;
        Maximize = maximize;
        RecordHyperparameter("beta1", Beta1);
        RecordHyperparameter("beta2", Beta2);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("amsgrad", AmsGrad);
        RecordHyperparameter("maximize", Maximize);
        AddCycledSetting("beta1", () => _beta1, v => Beta1 = v, _beta1, v => v >= 0 && v < 1);
        DecoupledWeightDecay = decoupledWeightDecay;
        if (decoupledWeightDecay)
        {
            RecordHyperparameter("decoupled_weight_decay", true);
        }

        _expAvg = AddVectorState("exp_avg");
        _expAvgSq = AddVectorState("exp_avg_sq");
        _maxExpAvgSq = amsgrad ? AddVectorState("max_exp_avg_sq") : null;
    }

    /// <summary>
    /// β₁, the decay rate of the first moment m: the constructor's value, or the value a schedule cycling momentum (<see cref="Schedules.OneCycleLR"/>,
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

    /// <summary>Whether the AMSGrad variant (running maximum of v) is used.</summary>
    public bool AmsGrad { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>Whether λ is decoupled weight decay (θ shrinks by 1 − α·λ, as <see cref="AdamW{T}"/>) rather than an L2 penalty.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <summary>Forms s = α/(1 − β₁ᵗ) and √(1 − β₂ᵗ) once per step, not once per parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (!_perStep.IsFor(step, LearningRate))
        {
            _perStep.Set(step, LearningRate, (LearningRate / (1 - Math.Pow(Beta1, step)), Math.Sqrt(1 - Math.Pow(Beta2, step))));
        }
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var (stepSize, biasCorrection2Sqrt) = _perStep.Value;
        AdamKernel.Step(value, gradient, _expAvg[index].AsSpan(start, value.Length),
                        _expAvgSq[index].AsSpan(start, value.Length),
                        _maxExpAvgSq is null ? Span<T>.Empty : _maxExpAvgSq[index].AsSpan(start, value.Length),
                        Beta1, Beta2, Epsilon, weightDecay: DecoupledWeightDecay ? 0 : WeightDecay,
                        shrink: DecoupledWeightDecay ? 1 - LearningRate * WeightDecay : 1, Maximize, AmsGrad,
                        stepSize, biasCorrection2Sqrt);
    }
}

/// <summary>
/// <see cref="Adam{T}"/> over double-precision parameters, under its short name: <c>new Adam(…)</c> and
/// <c>new Adam&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Adam : Adam<double>
{
    /// <inheritdoc />
    public Adam(IEnumerable<Parameter<double>> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                double epsilon = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false,
                bool decoupledWeightDecay = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, maximize, decoupledWeightDecay)
    {
    }
}
