namespace Optimizers.Schedules;

/// <summary>
/// Cyclical learning rates: the learning rate moves up and down a triangle between a base and a peak, and the
/// momentum (or β₁) inversely, as <c>torch.optim.lr_scheduler.CyclicLR</c>. Step it once per batch.
/// </summary>
/// <remarks>
/// <code>
/// S = up + down,   r = up / S,   cycle = ⌊1 + t / S⌋,   x = 1 + t / S − cycle
/// s = x / r                  if x ≤ r        (rising)
/// s = (x − 1) / (r − 1)      otherwise       (falling)
/// ηₜ = η_base + (η_max − η_base) · s · scale(c)
/// μₜ = μ_max − (μ_max − μ_base) · s · scale(c)       (cycleMomentum)
/// c = cycle for Triangular, Triangular2 and a custom function with CycleScale.Cycle; c = t otherwise
/// scale: Triangular 1;  Triangular2 1 / 2^(c − 1);  ExpRange γ^c;  or the custom function
/// </code>
/// <para>
/// Symbols: t = <see cref="LearningRateSchedule.Epoch"/>, up = <see cref="StepSizeUp"/> (default 2000), down =
/// <see cref="StepSizeDown"/> (default up), η_base = <see cref="LearningRateSchedule.BaseLearningRates"/>, η_max =
/// <see cref="MaxLearningRates"/>, γ = <see cref="Gamma"/> (default 1), μ_base / μ_max = <see cref="BaseMomentum"/> /
/// <see cref="MaxMomentum"/> (defaults 0.8 / 0.9). For example η_base = 0.1, η_max = 1, up = down = 2, Triangular:
/// t = 0 → s = 0, η = 0.1; t = 1 → x = 0.25, s = 0.5, η = 0.1 + 0.9·0.5 = 0.55; t = 2 → s = 1, η = 1; t = 3 → 0.55;
/// t = 4 → a new cycle, 0.1.
/// </para>
/// <para>
/// As in torch, building the schedule sets every group's learning rate to η_base (the optimizer's learning rate is
/// ignored) and, with cycleMomentum, its momentum to μ_max. The mode only picks the scale function; torch likewise
/// ignores <c>scale_mode</c> unless a custom function is given. Every value is the closed form above (torch has no
/// recursive form for this schedule).
/// </para>
/// <para>
/// Momentum: with <c>cycleMomentum</c> (default true, as torch) each group's momentum is cycled by torch's rule: its
/// <c>momentum</c> (<see cref="Momentum{T}.MomentumFactor"/>; RMSProp's momentum, for which a buffer is then kept) if
/// the rule has one, else β₁ (<see cref="Adam{T}.Beta1"/> and the rest of the Adam family). torch 1.13 cycled only
/// <c>momentum</c>; β₁ follows torch 2.x. A rule with neither throws <see cref="ArgumentException"/>: pass
/// <c>cycleMomentum: false</c>. Checkpoints of the optimizer save and restore the cycled value.
/// </para>
/// <para>
/// Checkpoints: the position is saved; a custom scale function is code, so only the fact that one was given is, and a
/// checkpoint loads into a schedule built with the same function. Parameter groups: one base and one peak for every
/// group (torch also takes a list per group; not offered here).
/// Reference: L. N. Smith, "Cyclical Learning Rates for Training Neural Networks" (WACV 2017).
/// torch equivalent: <c>CyclicLR(optimizer, base_lr, max_lr, step_size_up, step_size_down, mode, gamma, scale_fn,
/// scale_mode, cycle_momentum, base_momentum, max_momentum)</c>.
/// </para>
/// </remarks>
public sealed class CyclicLR : LearningRateSchedule
{
    private readonly double[] _peaks;
    private readonly Func<double, double> _scale;
    private readonly ICyclableMomentum[]? _cycled;
    private readonly double _totalSize;
    private readonly double _stepRatio;

    /// <summary>Creates the schedule, sets every group's learning rate to η_base and, with cycleMomentum, its momentum to μ_max.</summary>
    /// <param name="optimizer">The optimizer to drive; its learning rates are replaced.</param>
    /// <param name="baseLearningRate">η_base, the bottom of the triangle: finite and ≥ 0.</param>
    /// <param name="maxLearningRate">η_max, the top of the triangle: finite and ≥ 0.</param>
    /// <param name="stepSizeUp">The number of steps from bottom to top: ≥ 1 (default 2000).</param>
    /// <param name="stepSizeDown">The number of steps from top to bottom: ≥ 1, or null for <paramref name="stepSizeUp"/>.</param>
    /// <param name="mode">The scale policy (default <see cref="CyclicMode.Triangular"/>); ignored with a custom function.</param>
    /// <param name="gamma">γ of <see cref="CyclicMode.ExpRange"/>: finite and &gt; 0 (default 1).</param>
    /// <param name="scaleFunction">A custom scale function, replacing the mode's; its values must keep the learning
    /// rate finite and ≥ 0 (null for the mode's).</param>
    /// <param name="scaleMode">What the custom function receives: the cycle number or the step (default cycle).</param>
    /// <param name="cycleMomentum">Cycle each group's momentum or β₁ inversely (default true, as torch).</param>
    /// <param name="baseMomentum">μ_base, the momentum at the top of the triangle, in [0, 1) (default 0.8).</param>
    /// <param name="maxMomentum">μ_max, the momentum at the bottom, in [0, 1) (default 0.9).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="cycleMomentum"/> is true for a rule with neither momentum nor β₁.</exception>
    public CyclicLR(IOptimizerBase optimizer, double baseLearningRate, double maxLearningRate, int stepSizeUp = 2000,
                    int? stepSizeDown = null, CyclicMode mode = CyclicMode.Triangular, double gamma = 1.0,
                    Func<double, double>? scaleFunction = null, CycleScale scaleMode = CycleScale.Cycle,
                    bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9)
        : base(Prepare(optimizer, baseLearningRate, maxLearningRate, stepSizeUp, stepSizeDown, mode, gamma, scaleMode,
                       cycleMomentum, baseMomentum, maxMomentum, out var cycled))
    {
        StepSizeUp = stepSizeUp;
        StepSizeDown = stepSizeDown ?? stepSizeUp;
        Mode = mode;
        Gamma = gamma;
        HasCustomScale = scaleFunction is not null;
        ScaleMode = scaleFunction is not null ? scaleMode : mode == CyclicMode.ExpRange ? CycleScale.Iterations : CycleScale.Cycle;
        BaseMomentum = baseMomentum;
        MaxMomentum = maxMomentum;
        _cycled = cycled;
        _scale = scaleFunction ?? mode switch
        {
            CyclicMode.Triangular => _ => 1.0,
            CyclicMode.Triangular2 => x => 1 / Math.Pow(2.0, x - 1),
            _ => x => Math.Pow(gamma, x),
        };
        _totalSize = (double)StepSizeUp + StepSizeDown;
        _stepRatio = StepSizeUp / _totalSize;
        _peaks = Enumerable.Repeat(maxLearningRate, TargetCount).ToArray();
        MaxLearningRates = Array.AsReadOnly(_peaks);
        SetBaseLearningRates(Enumerable.Repeat(baseLearningRate, TargetCount).ToArray());
        if (cycled is not null)
        {
            MomentumCycling.Begin(cycled, maxMomentum);
        }

        Start();
    }

    /// <summary>η_max of every target, one per parameter group.</summary>
    public IReadOnlyList<double> MaxLearningRates { get; }

    /// <summary>The number of steps from the bottom of the triangle to its top.</summary>
    public int StepSizeUp { get; }

    /// <summary>The number of steps from the top of the triangle back to its bottom.</summary>
    public int StepSizeDown { get; }

    /// <summary>The scale policy (ignored when a custom scale function was given).</summary>
    public CyclicMode Mode { get; }

    /// <summary>γ, the per-step factor of <see cref="CyclicMode.ExpRange"/>.</summary>
    public double Gamma { get; }

    /// <summary>What the scale function receives: the cycle number or the step.</summary>
    public CycleScale ScaleMode { get; }

    /// <summary>Whether each group's momentum (or β₁) is cycled.</summary>
    public bool CycleMomentum => _cycled is not null;

    /// <summary>μ_base, the momentum at the top of the triangle.</summary>
    public double BaseMomentum { get; }

    /// <summary>μ_max, the momentum at the bottom of the triangle.</summary>
    public double MaxMomentum { get; }

    private bool HasCustomScale { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate)
        => Value(target, 0, baseLearningRate);

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => Value(target, epoch, baseLearningRate);

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate) => Value(target, 0, baseLearningRate);

    private protected override void Applied(int epoch)
    {
        if (_cycled is null)
        {
            return;
        }

        var (factor, scale) = Position(epoch);
        double momentum = MaxMomentum - (MaxMomentum - BaseMomentum) * factor * scale;
        foreach (var target in _cycled)
        {
            target.CycledValue = momentum;
        }
    }

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => ScheduleState.Indexed("base_lr", BaseLearningRates).Concat(ScheduleState.Indexed("max_lr", _peaks)).Concat(
        [
            ("step_size_up", StepSizeUp), ("step_size_down", StepSizeDown), ("mode", (int)Mode), ("gamma", Gamma),
            ("scale_fn", HasCustomScale ? 1 : 0), ("scale_mode", (int)ScaleMode), ("cycle_momentum", CycleMomentum ? 1 : 0),
            ("base_momentum", BaseMomentum), ("max_momentum", MaxMomentum),
        ]);

    private double Value(int target, int epoch, double baseLearningRate)
    {
        var (factor, scale) = Position(epoch);
        return baseLearningRate + (_peaks[target] - baseLearningRate) * factor * scale;
    }

    /// <summary>s, the position on the triangle, and the scale at <paramref name="epoch"/>, in torch's operation order.</summary>
    private (double Factor, double Scale) Position(int epoch)
    {
        double cycle = Math.Floor(1 + epoch / _totalSize);
        double x = 1.0 + epoch / _totalSize - cycle;
        double factor = x <= _stepRatio ? x / _stepRatio : (x - 1) / (_stepRatio - 1);
        double scale = _scale(ScaleMode == CycleScale.Cycle ? cycle : epoch);
        return (factor, scale);
    }

    /// <summary>
    /// Checks every argument, then sets each target's learning rate to η_base before the base class records η₀, as
    /// torch's constructor does before <c>LRScheduler.__init__</c>; nothing changes if an argument is bad.
    /// </summary>
    private static IOptimizerBase Prepare(IOptimizerBase optimizer, double baseLearningRate, double maxLearningRate, int stepSizeUp,
                                      int? stepSizeDown, CyclicMode mode, double gamma, CycleScale scaleMode,
                                      bool cycleMomentum, double baseMomentum, double maxMomentum, out ICyclableMomentum[]? cycled)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Check.NonNegativeFinite(baseLearningRate);
        Check.NonNegativeFinite(maxLearningRate);
        Check.PositiveInt(stepSizeUp);
        if (stepSizeDown is int down)
        {
            Check.PositiveInt(down, nameof(stepSizeDown));
        }

        Check.Defined(mode);
        Check.PositiveFinite(gamma);
        Check.Defined(scaleMode);
        cycled = cycleMomentum ? MomentumCycling.Targets(optimizer, nameof(CyclicLR), baseMomentum, maxMomentum) : null;
        foreach (var target in ScheduleTargets.Of(optimizer))
        {
            target.LearningRate = baseLearningRate;
        }

        return optimizer;
    }
}
