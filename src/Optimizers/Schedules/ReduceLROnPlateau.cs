namespace Optimizers.Schedules;

/// <summary>
/// Cuts the learning rate by a factor when a metric has stopped improving, as
/// <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c>. Call <see cref="Step(double)"/> once per epoch with the
/// metric (for example the validation loss).
/// </summary>
/// <remarks>
/// <para>Each <see cref="Step(double)"/> with metric x:</para>
/// <code>
/// if better(x, best):  best ← x,  bad ← 0      else  bad ← bad + 1
/// if cooldown &gt; 0:     cooldown ← cooldown − 1,  bad ← 0      (bad epochs during a cooldown are ignored)
/// if bad &gt; patience:   η_new = max(η·factor, η_min);  if η − η_new &gt; ε then η ← η_new;
///                      cooldown ← cooldownEpochs,  bad ← 0
/// better(x, best) in min mode:  x &lt; best·(1 − threshold)  (relative)   or   x &lt; best − threshold  (absolute)
/// better(x, best) in max mode:  x &gt; best·(1 + threshold)  (relative)   or   x &gt; best + threshold  (absolute)
/// best starts at +∞ (min mode) or −∞ (max mode), so the first finite metric is always an improvement.
/// </code>
/// <para>
/// Symbols: mode = <see cref="Mode"/> (default min), factor = <see cref="Factor"/> (default 0.1), patience =
/// <see cref="Patience"/> (default 10), threshold = <see cref="Threshold"/> (default 10⁻⁴), threshold mode =
/// <see cref="ThresholdMode"/> (default relative), cooldownEpochs = <see cref="Cooldown"/> (default 0), η_min =
/// <see cref="MinLearningRate"/> (default 0), ε = <see cref="Eps"/> (default 10⁻⁸); bad = <see cref="BadEpochs"/>,
/// cooldown = <see cref="CooldownCounter"/>, best = <see cref="Best"/>.
/// </para>
/// <para>
/// A NaN metric is never an improvement, so it counts as a bad epoch, as in torch. Construction does not change
/// the learning rate. The rule reads the optimizer's current learning rate, so it composes with changes made
/// elsewhere, as torch's does.
/// </para>
/// <para>
/// Parameter groups: with an <see cref="IGroupedOptimizer"/>, the rule is applied to each group's learning rate with
/// the same η_min (torch's <c>min_lr</c> as a number; torch also takes a list of floors, one per group, which this
/// class does not offer yet: its rule is written per group, so it is a constructor overload away); the metric,
/// best, bad-epoch and cooldown counters are shared, as in torch.
/// </para>
/// <para>
/// This class does not implement <see cref="ILearningRateSchedule"/>, whose <c>Step()</c> takes no metric; torch
/// likewise refuses it in <c>SequentialLR</c>. torch equivalent: <c>ReduceLROnPlateau(optimizer, mode, factor,
/// patience, threshold, threshold_mode, cooldown, min_lr, eps)</c>; Keras: the <c>ReduceLROnPlateau</c> callback
/// (<c>min_delta</c> is an absolute threshold); Optax: <c>contrib.reduce_on_plateau</c>.
/// </para>
/// <para>Thread safety: instances are not thread-safe; step a schedule from the thread that steps its optimizer, between optimizer steps.</para>
/// </remarks>
public sealed class ReduceLROnPlateau : ISchedule, ICheckpointableSchedule
{
    private readonly IOptimizerBase[] _targets;
    private readonly double[] _minLearningRates;
    private readonly double[] _currentLearningRates;

    /// <summary>Creates the rule with one floor for every parameter group; the learning rates are left as they are.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are reduced.</param>
    /// <param name="mode">Whether the metric should fall (<see cref="PlateauMode.Min"/>, the default) or rise.</param>
    /// <param name="factor">The factor applied on a plateau, in [0, 1) (default 0.1).</param>
    /// <param name="patience">The number of bad epochs tolerated before reducing: ≥ 0 (default 10).</param>
    /// <param name="threshold">The margin a metric must beat the best by: finite and ≥ 0 (default 10⁻⁴).</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative (the default) or absolute.</param>
    /// <param name="cooldown">The number of epochs after a reduction during which bad epochs are ignored: ≥ 0 (default 0).</param>
    /// <param name="minLearningRate">η_min, the floor of every group's learning rate: finite and ≥ 0 (default 0).</param>
    /// <param name="eps">ε, the smallest reduction worth applying: finite and ≥ 0 (default 10⁻⁸).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its range or an enum value is undefined.</exception>
    public ReduceLROnPlateau(IOptimizerBase optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1,
                             int patience = 10, double threshold = 1e-4,
                             ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0,
                             double minLearningRate = 0, double eps = 1e-8)
        : this(optimizer, Enumerable.Repeat(minLearningRate, 1), broadcast: true, mode, factor, patience, threshold,
               thresholdMode, cooldown, eps)
    {
    }

    /// <summary>
    /// The constructor, written per target: <paramref name="minLearningRates"/> holds one floor per target, or one
    /// floor used for every target when <paramref name="broadcast"/> is true (torch's <c>min_lr</c> as a number).
    /// </summary>
    private ReduceLROnPlateau(IOptimizerBase optimizer, IEnumerable<double> minLearningRates, bool broadcast,
                              PlateauMode mode, double factor, int patience, double threshold,
                              ThresholdMode thresholdMode, int cooldown, double eps)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        _targets = ScheduleTargets.Of(optimizer);
        double[] floors = minLearningRates.ToArray();
        foreach (double floor in floors)
        {
            Check.NonNegativeFinite(floor, "minLearningRate");
        }

        _minLearningRates = broadcast ? Enumerable.Repeat(floors[0], _targets.Length).ToArray() : floors;

        Mode = Check.Defined(mode);
        Factor = Check.UnitInterval(factor);
        Patience = Check.NonNegativeInt(patience);
        Threshold = Check.NonNegativeFinite(threshold);
        ThresholdMode = Check.Defined(thresholdMode);
        Cooldown = Check.NonNegativeInt(cooldown);
        Eps = Check.NonNegativeFinite(eps);
        Optimizer = optimizer;
        MinLearningRates = Array.AsReadOnly(_minLearningRates);
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        _currentLearningRates = _targets.Select(t => t.LearningRate).ToArray();
        CurrentLearningRates = Array.AsReadOnly(_currentLearningRates);
    }

    /// <summary>The optimizer whose learning rates are reduced.</summary>
    public IOptimizerBase Optimizer { get; }

    /// <summary>Whether the metric should fall or rise.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor applied to the learning rate on a plateau.</summary>
    public double Factor { get; }

    /// <summary>The number of bad epochs tolerated before reducing.</summary>
    public int Patience { get; }

    /// <summary>The margin a metric must beat the best value by to count as an improvement.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>The number of epochs after a reduction during which bad epochs are ignored.</summary>
    public int Cooldown { get; }

    /// <summary>η_min of the first target (group 0); see <see cref="MinLearningRates"/>.</summary>
    public double MinLearningRate => _minLearningRates[0];

    /// <summary>η_min of every target, one per parameter group (torch's <c>min_lrs</c>).</summary>
    public IReadOnlyList<double> MinLearningRates { get; }

    /// <summary>ε: a reduction smaller than this is not applied.</summary>
    public double Eps { get; }

    /// <summary>The best metric seen so far (±∞ before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>The number of consecutive epochs without improvement (torch's <c>num_bad_epochs</c>).</summary>
    public int BadEpochs { get; private set; }

    /// <summary>The epochs of cooldown left (torch's <c>cooldown_counter</c>).</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The first target's learning rate after the last step (at construction: the learning rate then).</summary>
    public double CurrentLearningRate => _currentLearningRates[0];

    /// <summary>Every target's learning rate after the last step, one per parameter group.</summary>
    public IReadOnlyList<double> CurrentLearningRates { get; }

    /// <summary>The number of <see cref="Step(double)"/> calls so far (torch's <c>last_epoch</c>).</summary>
    public int Epoch { get; private set; }

    /// <summary>Records one epoch's metric and reduces the learning rates if it has stopped improving.</summary>
    /// <param name="metric">The monitored quantity; NaN counts as no improvement.</param>
    /// <returns>True when this step reduced the learning rate of at least one target.</returns>
    public bool Step(double metric)
    {
        int epoch = checked(Epoch + 1);
        int bad = BadEpochs;
        int cooldownLeft = CooldownCounter;
        double best = Best;
        if (IsBetter(metric, best))
        {
            best = metric;
            bad = 0;
        }
        else
        {
            bad++;
        }

        if (cooldownLeft > 0)
        {
            cooldownLeft--;
            bad = 0;
        }

        bool reduced = false;
        if (bad > Patience)
        {
            for (int target = 0; target < _targets.Length; target++)
            {
                double old = _targets[target].LearningRate;
                double next = Math.Max(old * Factor, _minLearningRates[target]);
                if (old - next > Eps)
                {
                    _targets[target].LearningRate = next;
                    reduced = true;
                }
            }

            cooldownLeft = Cooldown;
            bad = 0;
        }

        Epoch = epoch;
        Best = best;
        BadEpochs = bad;
        CooldownCounter = cooldownLeft;
        for (int target = 0; target < _targets.Length; target++)
        {
            _currentLearningRates[target] = _targets[target].LearningRate;
        }

        return reduced;
    }

    /// <inheritdoc />
    ScheduleState ICheckpointableSchedule.Capture() => new()
    {
        TypeName = GetType().Name,
        Configuration = ScheduleState.Settings(
        [
            ("mode", (int)Mode), ("factor", Factor), ("patience", Patience), ("threshold", Threshold),
            ("threshold_mode", (int)ThresholdMode), ("cooldown", Cooldown),
            .. ScheduleState.Indexed("min_lr", _minLearningRates), ("eps", Eps),
        ]),
        Epoch = Epoch,
        BaseLearningRates = [],
        CurrentLearningRates = (double[])_currentLearningRates.Clone(),
        Variables = ScheduleState.Settings(("best", Best), ("num_bad_epochs", BadEpochs), ("cooldown_counter", CooldownCounter)),
        Children = [],
    };

    /// <inheritdoc />
    void ICheckpointableSchedule.Validate(ScheduleState saved, string where)
    {
        saved.ValidateShape(((ICheckpointableSchedule)this).Capture(), where);
        if (saved.Epoch < 0)
        {
            throw Checkpoints.PayloadReader.Malformed($"{where}ReduceLROnPlateau is at epoch {saved.Epoch}; it starts at 0.");
        }

        saved.Counter("num_bad_epochs", 0, Patience);
        saved.Counter("cooldown_counter", 0, Cooldown);
    }

    /// <inheritdoc />
    void ICheckpointableSchedule.Restore(ScheduleState saved)
    {
        saved.CurrentLearningRates.CopyTo(_currentLearningRates, 0);
        Epoch = saved.Epoch;
        Best = saved.Variable("best");
        BadEpochs = (int)saved.Variable("num_bad_epochs");
        CooldownCounter = (int)saved.Variable("cooldown_counter");
    }

    private bool IsBetter(double metric, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => metric < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => metric > best * (Threshold + 1.0),
        _ => metric > best + Threshold,
    };
}
