using System.Numerics;

namespace Optimizers;

/// <summary>
/// Schedule-free AdamW: Adam-normalised steps on a base sequence z, the parameters evaluated at a running average x of
/// it and the gradient taken between the two; no learning-rate schedule. Exactly the authors' <c>AdamWScheduleFree</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (z starts at θ₀, v at 0; the parameters hold y while training):</para>
/// <code>
/// γₜ = η·min(1, t / warmup) ;  γmax = max(γmax, γₜ) ;  wₜ = tʳ·γmaxᵖ ;  W = W + wₜ ;  cₜ = wₜ / W
/// vₜ = β₂·vₜ₋₁ + (1 − β₂)·gₜ²                 (gₜ = ∇J(yₜ₋₁))
/// uₜ = gₜ / (√(vₜ / (1 − β₂ᵗ)) + ε) + λ·yₜ₋₁
/// yₜ = lerp(yₜ₋₁, zₜ₋₁, cₜ) + γₜ·(β₁·(1 − cₜ) − 1)·uₜ
/// zₜ = zₜ₋₁ − γₜ·uₜ
/// </code>
/// <para>
/// There is no first moment: β₁ is the interpolation y = (1 − β₁)·z + β₁·x, the momentum of the method. The weight
/// decay is taken at y and added after the normalisation, so it is decoupled (AdamW's), scaled by γₜ.
/// Symbols: η = <see cref="Optimizer.LearningRate"/> (default 0.0025), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.999), ε = <see cref="Epsilon"/> (default 1e-8),
/// λ = <see cref="ScheduleFreeOptimizer{T}.WeightDecay"/> (default 0), warmup =
/// <see cref="ScheduleFreeOptimizer{T}.WarmupSteps"/> (default 0), r = <see cref="ScheduleFreeOptimizer{T}.R"/>
/// (default 0), p = <see cref="ScheduleFreeOptimizer{T}.WeightLearningRatePower"/> (default 2). State: "z" and
/// "exp_avg_sq" (v). The modes, the switch between y and x, what a round trip guarantees, checkpoints and a
/// training loop that evaluates mid-training are on <see cref="ScheduleFreeOptimizer{T}"/>.
/// </para>
/// <para>
/// Reference: A. Defazio et al., "The Road Less Scheduled" (NeurIPS 2024), the winner of AlgoPerf 2024's
/// self-tuning track. Equals the authors' <c>AdamWScheduleFree(params, lr, betas=(β₁, β₂), eps, weight_decay,
/// warmup_steps, r, weight_lr_power, foreach=False)</c> (facebookresearch/schedule_free, <c>adamw_schedulefree.py</c> at
/// 70785b5, whose later <c>inner_momentum</c> option, 0 by default, is not offered), after its <c>train()</c>, in the
/// reference's order of operations except one: √(v/(1 − β₂ᵗ)) + ε and the division by it are folded into one division,
/// as <see cref="Adam{T}"/> does (see the single-precision paragraph below). The reference writes the normalised gradient into
/// <c>p.grad</c>; this rule leaves the gradient alone. Not in torch.optim. Warmup replaces a schedule: with
/// <c>warmupSteps</c> = n the rate rises linearly over the first n steps, and the average weights the later, larger
/// steps more (p = 2).
/// </para>
/// <para>
/// Single precision (<c>ScheduleFreeAdamW&lt;float&gt;</c>): W, γmax, γₜ, cₜ, 1 − β₂ᵗ and γₜ·(β₁·(1 − cₜ) − 1) are formed
/// in double (as the reference forms them in Python) and rounded to float32 once per step; y, z and v live in float32.
/// Against the traces of a NumPy transcription of the authors' code
/// (tests/Optimizers.Tests/ScheduleFree): at y and at x, every step, within 3.95e-16 relative in float64 and one unit in
/// the last place of the trace's largest value in float32. The kernel departs from the reference in one place: it
/// divides once per element, u = k·g / (√v + k·ε) with k = √(1 − β₂ᵗ) formed once per step, where the reference
/// divides twice, g / (√(v / (1 − β₂ᵗ)) + ε) (as Adam's kernel; the second division cost 1.4× in cache).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class ScheduleFreeAdamW<T> : ScheduleFreeOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvgSq;
    private double _biasCorrection2;

    /// <summary>Creates schedule-free AdamW over <paramref name="parameters"/>, in training mode.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">η, finite and ≥ 0 (default 0.0025).</param>
    /// <param name="beta1">β₁, the interpolation between z and x where the gradient is taken, in (0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the second moment, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε, added to the denominator: finite and ≥ 0 (default 1e-8).</param>
    /// <param name="weightDecay">λ, added as λ·y to the normalised gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="warmupSteps">The steps of linear warmup, ≥ 0 (default 0: none).</param>
    /// <param name="r">r, the power of t in the average's weights: finite and ≥ 0 (default 0).</param>
    /// <param name="weightLrPower">p, the power of the largest learning rate in the average's weights: finite and ≥ 0 (default 2).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
#pragma warning disable RS0022 // by design: the shared schedule-free base is not for derivation outside the library
    public ScheduleFreeAdamW(IEnumerable<Parameter<T>> parameters, double learningRate = 0.0025, double beta1 = 0.9,
                             double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, int warmupSteps = 0,
                             double r = 0, double weightLrPower = 2)
        : base(parameters, learningRate, OpenUnitInterval(beta1), weightDecay, warmupSteps, r, weightLrPower)
#pragma warning restore RS0022
    {
        Beta2 = Check.UnitInterval(beta2);
        Epsilon = Check.NonNegativeFinite(epsilon);
        RecordHyperparameter("beta1", Beta1);
        RecordHyperparameter("beta2", Beta2);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("warmup_steps", WarmupSteps);
        RecordHyperparameter("r", R);
        RecordHyperparameter("weight_lr_power", WeightLearningRatePower);
        _expAvgSq = AddVectorState("exp_avg_sq");
    }

    /// <summary>β₁, the weight of x in the training point y = (1 − β₁)·z + β₁·x.</summary>
    public double Beta1 => Beta;

    /// <summary>β₂, the decay rate of the second moment v.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to the bias-corrected root of the second moment.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    private protected sealed override void BeginStep(long step) => _biasCorrection2 = 1 - Math.Pow(Beta2, step);

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var (learningRate, averageWeight, yStep) = PerStep;
        ScheduleFreeKernel.Step(value, gradient, Z(index).AsSpan(start, value.Length),
                                _expAvgSq[index].AsSpan(start, value.Length), adaptive: true, Beta2, Epsilon,
                                _biasCorrection2, WeightDecay, averageWeight, yStep, learningRate);
    }
}

/// <summary>
/// <see cref="ScheduleFreeAdamW{T}"/> over double-precision parameters, under its short name.
/// </summary>
public sealed class ScheduleFreeAdamW : ScheduleFreeAdamW<double>
{
    /// <inheritdoc />
    public ScheduleFreeAdamW(IEnumerable<Parameter<double>> parameters, double learningRate = 0.0025, double beta1 = 0.9,
                             double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, int warmupSteps = 0,
                             double r = 0, double weightLrPower = 2)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps, r, weightLrPower)
    {
    }
}
