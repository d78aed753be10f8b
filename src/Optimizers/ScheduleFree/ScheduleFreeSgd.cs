using System.Numerics;

namespace Optimizers;

/// <summary>
/// Schedule-free SGD: SGD steps on a base sequence z, the parameters evaluated at a running average x of it and the
/// gradient taken between the two; no learning-rate schedule. Exactly the authors' <c>SGDScheduleFree</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (z starts at θ₀; x and y are never stored apart: the parameters hold y while training):</para>
/// <code>
/// γₜ = η·min(1, t / warmup) ;  γmax = max(γmax, γₜ) ;  wₜ = tʳ·γmaxᵖ ;  W = W + wₜ ;  cₜ = wₜ / W
/// uₜ = ∇J(yₜ₋₁) + λ·yₜ₋₁
/// yₜ = lerp(yₜ₋₁, zₜ₋₁, cₜ) + γₜ·(β·(1 − cₜ) − 1)·uₜ
/// zₜ = zₜ₋₁ − γₜ·uₜ
/// </code>
/// <para>
/// which is zₜ = zₜ₋₁ − γₜ·uₜ, xₜ = (1 − cₜ)·xₜ₋₁ + cₜ·zₜ, yₜ = (1 − β)·zₜ + β·xₜ with x stored implicitly.
/// Symbols: η = <see cref="Optimizer.LearningRate"/> (default 1.0), β = <see cref="Momentum"/> (default 0.9),
/// λ = <see cref="ScheduleFreeOptimizer{T}.WeightDecay"/> (default 0), warmup =
/// <see cref="ScheduleFreeOptimizer{T}.WarmupSteps"/> (default 0), r = <see cref="ScheduleFreeOptimizer{T}.R"/>
/// (default 0), p = <see cref="ScheduleFreeOptimizer{T}.WeightLearningRatePower"/> (default 2). State: "z". The modes,
/// the switch between y and x, what a round trip guarantees, checkpoints and a training loop that evaluates
/// mid-training are on <see cref="ScheduleFreeOptimizer{T}"/>.
/// </para>
/// <para>
/// Reference: A. Defazio et al., "The Road Less Scheduled" (NeurIPS 2024). Equals the authors'
/// <c>SGDScheduleFree(params, lr, momentum, weight_decay, warmup_steps, r, weight_lr_power, foreach=False)</c>
/// (facebookresearch/schedule_free, <c>sgd_schedulefree.py</c> at 70785b5), operation for operation, after its
/// <c>train()</c>; it writes λ·y into <c>p.grad</c>, this rule leaves the gradient alone. Not in torch.optim. The
/// learning rate is large by SGD's standards (1.0) because the average damps it; the authors suggest 10–50× that
/// of a scheduled SGD.
/// </para>
/// <para>
/// Single precision (<c>ScheduleFreeSgd&lt;float&gt;</c>): W, γmax, γₜ, cₜ and γₜ·(β·(1 − cₜ) − 1) are formed in double
/// (as the reference forms them in Python) and rounded to float32 once per step; y and z live in float32.
/// Against the traces of a NumPy transcription of the authors' code
/// (tests/Optimizers.Tests/ScheduleFree): bit for bit at y and at x, every step, in float32 and in float64.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class ScheduleFreeSgd<T> : ScheduleFreeOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates schedule-free SGD over <paramref name="parameters"/>, in training mode.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">η, finite and ≥ 0 (default 1.0).</param>
    /// <param name="momentum">β, the interpolation between z and x where the gradient is taken, in (0, 1) (default 0.9).</param>
    /// <param name="weightDecay">λ, the L2 term added to the gradient at y: finite and ≥ 0 (default 0).</param>
    /// <param name="warmupSteps">The steps of linear warmup, ≥ 0 (default 0: none).</param>
    /// <param name="r">r, the power of t in the average's weights: finite and ≥ 0 (default 0).</param>
    /// <param name="weightLrPower">p, the power of the largest learning rate in the average's weights: finite and ≥ 0 (default 2).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
#pragma warning disable RS0022 // by design: the shared schedule-free base is not for derivation outside the library
    public ScheduleFreeSgd(IEnumerable<Parameter<T>> parameters, double learningRate = 1.0, double momentum = 0.9,
                           double weightDecay = 0, int warmupSteps = 0, double r = 0, double weightLrPower = 2)
        : base(parameters, learningRate, OpenUnitInterval(momentum), weightDecay, warmupSteps, r, weightLrPower)
#pragma warning restore RS0022
    {
        RecordHyperparameter("momentum", momentum);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("warmup_steps", WarmupSteps);
        RecordHyperparameter("r", R);
        RecordHyperparameter("weight_lr_power", WeightLearningRatePower);
    }

    /// <summary>β, the weight of x in the training point y = (1 − β)·z + β·x.</summary>
    public double Momentum => Beta;

    /// <inheritdoc />
    private protected sealed override void BeginStep(long step)
    {
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var (learningRate, averageWeight, yStep) = PerStep;
        ScheduleFreeKernel.Step(value, gradient, Z(index).AsSpan(start, value.Length), Span<T>.Empty, adaptive: false,
                                beta2: 0, epsilon: 0, biasCorrection2: 1, WeightDecay, averageWeight, yStep, learningRate);
    }
}

/// <summary>
/// <see cref="ScheduleFreeSgd{T}"/> over double-precision parameters, under its short name.
/// </summary>
public sealed class ScheduleFreeSgd : ScheduleFreeSgd<double>
{
    /// <inheritdoc />
    public ScheduleFreeSgd(IEnumerable<Parameter<double>> parameters, double learningRate = 1.0, double momentum = 0.9,
                           double weightDecay = 0, int warmupSteps = 0, double r = 0, double weightLrPower = 2)
        : base(parameters, learningRate, momentum, weightDecay, warmupSteps, r, weightLrPower)
    {
    }
}
