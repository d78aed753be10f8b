using System.Numerics;

namespace Optimizers;

/// <summary>
/// AdamW: Adam with decoupled weight decay, which shrinks θ directly instead of adding λθ to the gradient.
/// Exactly <c>torch.optim.AdamW</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (m, v and, with AMSGrad, vmax are kept per element and start at 0):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                         (gₜ = −∇J(θₜ₋₁) when maximize)
/// θ′ = θₜ₋₁·(1 − α·λ)                    (decoupled weight decay)
/// mₜ = β₁·mₜ₋₁ + (1 − β₁)·gₜ
/// vₜ = β₂·vₜ₋₁ + (1 − β₂)·gₜ²
/// v̂ₜ = vₜ                               (amsgrad: v̂ₜ = vmaxₜ = max(vmaxₜ₋₁, vₜ), the maximum of the raw vₜ)
/// θₜ = θ′ − α/(1 − β₁ᵗ) · mₜ / (√v̂ₜ / √(1 − β₂ᵗ) + ε)
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.001), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.999), ε = <see cref="Epsilon"/> (default 1e-8), λ = <see cref="WeightDecay"/>
/// (default 0.01), amsgrad = <see cref="AmsGrad"/> (default false), maximize = <see cref="Maximize"/> (default false).
/// State: "exp_avg", "exp_avg_sq" and, with AMSGrad only, "max_exp_avg_sq".
/// </para>
/// <para>
/// The gradient never sees λ, so the decay is not divided by √v̂ₜ as Adam's L2 penalty is. The decay factor uses
/// the current α, so a learning-rate schedule scales the decay too, as in PyTorch. With λ = 0 this is
/// <see cref="Adam"/> bit for bit: both run the same kernel.
/// </para>
/// <para>
/// Reference: I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019); the Adam part is
/// D. P. Kingma and J. Ba (ICLR 2015), AMSGrad is S. J. Reddi, S. Kale and S. Kumar (ICLR 2018).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.AdamW(params, lr, betas=(β₁, β₂), eps, weight_decay, amsgrad, maximize=…)</c>,
/// default λ = 0.01. Differences elsewhere: Optax's <c>adamw</c> defaults to weight_decay = 1e-4 (also scaled by the
/// learning rate) and its ε and AMSGrad follow Optax's Adam; Keras' <c>AdamW</c> defaults to weight_decay = 0.004 and
/// ε = 1e-7 with Keras' "epsilon hat" placement. The paper's own form scales the decay by a schedule multiplier
/// ηₜ rather than by α.
/// </para>
/// <para>
/// Single precision (<c>AdamW&lt;float&gt;</c>): as <see cref="Adam{T}"/>, plus the shrink factor 1 − α·λ, formed in
/// double and rounded to float32 once per step (torch's <c>param.mul_(1 - lr * weight_decay)</c>). Against torch
/// 1.13's float32 traces: at most 3.0e-8 of a trace's largest |value| (one ulp element by element, from torch's fused
/// multiply-adds and Adam's one division).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class AdamW<T> : ElementwiseOptimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvg;
    private readonly T[][] _expAvgSq;
    private readonly T[][]? _maxExpAvgSq;
    private StepScalars<(double StepSize, double BiasCorrection2Sqrt, double Shrink)> _perStep;
    private double _beta1;

    /// <summary>Creates AdamW over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.001).</param>
    /// <param name="beta1">β₁, the decay rate of the first moment, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the second moment, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε, added to the denominator: finite and ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ, the decoupled decay rate (θ shrinks by α·λ each step): finite and ≥ 0 (default 0.01).</param>
    /// <param name="amsgrad">Use the AMSGrad variant (default false).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public AdamW(IEnumerable<Parameter<T>> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                 double epsilon = 1e-8, double weightDecay = 0.01, bool amsgrad = false, bool maximize = false)
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

    /// <summary>λ, the decoupled weight decay rate: each step multiplies θ by 1 − α·λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the AMSGrad variant (running maximum of v) is used.</summary>
    public bool AmsGrad { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>Forms s = α/(1 − β₁ᵗ), √(1 − β₂ᵗ) and 1 − α·λ once per step, not once per parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (!_perStep.IsFor(step, LearningRate))
        {
            _perStep.Set(step, LearningRate, (LearningRate / (1 - Math.Pow(Beta1, step)), Math.Sqrt(1 - Math.Pow(Beta2, step)),
                                              1 - LearningRate * WeightDecay));
        }
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var (stepSize, biasCorrection2Sqrt, shrink) = _perStep.Value;
        AdamKernel.Step(value, gradient, _expAvg[index].AsSpan(start, value.Length),
                        _expAvgSq[index].AsSpan(start, value.Length),
                        _maxExpAvgSq is null ? Span<T>.Empty : _maxExpAvgSq[index].AsSpan(start, value.Length),
                        Beta1, Beta2, Epsilon, weightDecay: 0, shrink, Maximize, AmsGrad,
                        stepSize, biasCorrection2Sqrt);
    }
}

/// <summary>
/// <see cref="AdamW{T}"/> over double-precision parameters, under its short name: <c>new AdamW(…)</c> and
/// <c>new AdamW&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class AdamW : AdamW<double>
{
    /// <inheritdoc />
    public AdamW(IEnumerable<Parameter<double>> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
                 double epsilon = 1e-8, double weightDecay = 0.01, bool amsgrad = false, bool maximize = false)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, maximize)
    {
    }
}
