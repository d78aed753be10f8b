namespace Optimizers.Schedules;

/// <summary>
/// Steps several schedules of one optimizer together, each once per <see cref="Step"/> in the order given, as
/// <c>torch.optim.lr_scheduler.ChainedScheduler</c>: their effects compose (for example a <see cref="ConstantLR"/>
/// warm-up under an <see cref="ExponentialLR"/> decay).
/// </summary>
/// <remarks>
/// <para>
/// Build the schedules on the same optimizer first, then pass them here and from then on step only this object.
/// Nothing is restarted: construction keeps the learning rates the schedules set when they were built, and each
/// <see cref="Step"/> calls every schedule's <see cref="ILearningRateSchedule.Step"/> in order, so the recursive forms
/// multiply (0.1 under <c>ConstantLR(factor: 0.5, totalIters: 2)</c> and <c>ExponentialLR(0.9)</c>: 0.05, 0.045,
/// 0.081, 0.0729, …). The schedules share each group's base learning rate η₀ (torch's <c>initial_lr</c>, see
/// <see cref="LearningRateSchedule"/>).
/// </para>
/// <para>
/// The schedules are this library's epoch-driven ones (including <see cref="SequentialLR"/> and another
/// <see cref="ChainedScheduler"/>); <see cref="ReduceLROnPlateau"/> is refused, as torch refuses it, since it needs
/// a metric. A checkpoint holds the position of every chained schedule.
/// torch equivalent: <c>ChainedScheduler(schedulers)</c>.
/// </para>
/// <para>Thread safety: instances are not thread-safe; step a schedule from the thread that steps its optimizer, between optimizer steps.</para>
/// </remarks>
public sealed class ChainedScheduler : ILearningRateSchedule, ICheckpointableSchedule
{
    private readonly ILearningRateSchedule[] _schedules;
    private readonly IOptimizerBase[] _targets;
    private readonly double[] _currentLearningRates;

    /// <summary>Chains <paramref name="schedules"/>; the learning rates stay those they set when built.</summary>
    /// <param name="schedules">The schedules, stepped in this order: at least one, all driving one optimizer, none
    /// repeated, each one of this library's epoch-driven schedules.</param>
    /// <exception cref="ArgumentNullException"><paramref name="schedules"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// No schedule; a null, repeated or unsupported schedule (one not from this library); schedules of different optimizers.
    /// </exception>
    public ChainedScheduler(IEnumerable<ILearningRateSchedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        _schedules = schedules.ToArray();
        if (_schedules.Length == 0)
        {
            throw new ArgumentException("At least one schedule is required; the list is empty.", nameof(schedules));
        }

        IOptimizerBase? optimizer = null;
        for (int i = 0; i < _schedules.Length; i++)
        {
            var schedule = _schedules[i] ?? throw new ArgumentException($"The schedule at index {i} is null.", nameof(schedules));
            var driven = OptimizerOf(schedule) ?? throw new ArgumentException(
                $"The schedule at index {i} ({schedule.GetType().Name}) is not one of this library's schedules; a chain " +
                "holds this library's epoch-driven schedules, whose positions a checkpoint can save.", nameof(schedules));
            optimizer ??= driven;
            if (!ReferenceEquals(driven, optimizer))
            {
                throw new ArgumentException(
                    $"The schedule at index {i} ({schedule.GetType().Name}) drives another optimizer than the schedule at index 0; " +
                    "every chained schedule must drive the same one.", nameof(schedules));
            }

            if (Array.IndexOf(_schedules, schedule) != i)
            {
                throw new ArgumentException(
                    $"The schedule at index {i} ({schedule.GetType().Name}) appears more than once; each may be given once.",
                    nameof(schedules));
            }
        }

        Optimizer = optimizer!;
        Schedules = Array.AsReadOnly(_schedules);
        _targets = ScheduleTargets.Of(Optimizer);
        _currentLearningRates = _targets.Select(t => t.LearningRate).ToArray();
        CurrentLearningRates = Array.AsReadOnly(_currentLearningRates);
    }

    /// <summary>The optimizer every schedule drives.</summary>
    public IOptimizerBase Optimizer { get; }

    /// <summary>The chained schedules, in the order they are stepped.</summary>
    public IReadOnlyList<ILearningRateSchedule> Schedules { get; }

    /// <inheritdoc />
    public double CurrentLearningRate => _currentLearningRates[0];

    /// <summary>
    /// The optimizer's learning rate of each target after the last step (or at construction), which all the chained
    /// schedules together set (torch's <c>get_last_lr()</c> of a <c>ChainedScheduler</c>).
    /// </summary>
    public IReadOnlyList<double> CurrentLearningRates { get; }

    /// <summary>The number of <see cref="Step"/> calls since construction.</summary>
    public int Epoch { get; private set; }

    /// <inheritdoc />
    /// <remarks>If a schedule throws, the ones before it in the chain have already stepped, as in torch.</remarks>
    public void Step()
    {
        int epoch = checked(Epoch + 1);
        foreach (var schedule in _schedules)
        {
            schedule.Step();
        }

        Epoch = epoch;
        for (int target = 0; target < _targets.Length; target++)
        {
            _currentLearningRates[target] = _targets[target].LearningRate;
        }
    }

    /// <summary>The optimizer a schedule of this library drives; null for any other schedule.</summary>
    internal static IOptimizerBase? OptimizerOf(ILearningRateSchedule schedule) => schedule switch
    {
        LearningRateSchedule s => s.Optimizer,
        SequentialLR s => s.Optimizer,
        ChainedScheduler s => s.Optimizer,
        _ => null,
    };

    /// <inheritdoc />
    ScheduleState ICheckpointableSchedule.Capture() => new()
    {
        TypeName = GetType().Name,
        Configuration = ScheduleState.Settings(("schedulers", _schedules.Length)),
        Epoch = Epoch,
        BaseLearningRates = [],
        CurrentLearningRates = (double[])_currentLearningRates.Clone(),
        Variables = [],
        Children = _schedules.Select(s => ((ICheckpointableSchedule)s).Capture()).ToArray(),
    };

    /// <inheritdoc />
    void ICheckpointableSchedule.Validate(ScheduleState saved, string where)
    {
        saved.ValidateShape(((ICheckpointableSchedule)this).Capture(), where);
        if (saved.Epoch < 0)
        {
            throw Checkpoints.PayloadReader.Malformed($"{where}ChainedScheduler is at epoch {saved.Epoch}; its epochs are ≥ 0.");
        }

        for (int i = 0; i < _schedules.Length; i++)
        {
            ((ICheckpointableSchedule)_schedules[i]).Validate(saved.Children[i], $"{where}schedule {i}: ");
        }
    }

    /// <inheritdoc />
    void ICheckpointableSchedule.Restore(ScheduleState saved)
    {
        saved.CurrentLearningRates.CopyTo(_currentLearningRates, 0);
        Epoch = saved.Epoch;
        for (int i = 0; i < _schedules.Length; i++)
        {
            ((ICheckpointableSchedule)_schedules[i]).Restore(saved.Children[i]);
        }
    }
}
