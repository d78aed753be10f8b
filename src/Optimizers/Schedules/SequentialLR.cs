namespace Optimizers.Schedules;

/// <summary>
/// Runs schedules one after another, switching at milestone epochs, as <c>torch.optim.lr_scheduler.SequentialLR</c>
/// (for example a <see cref="LinearLR"/> warm-up followed by <see cref="CosineAnnealingLR"/>).
/// </summary>
/// <remarks>
/// <code>
/// epoch t in [0, m₁)       → schedule 0 steps as usual
/// epoch t = mᵢ             → schedule i restarts at its own epoch 0 (closed form from η₀)
/// epoch t in (mᵢ, mᵢ₊₁)     → schedule i steps as usual (recursive form from the current learning rate)
/// </code>
/// <para>
/// Construct the schedules on the same optimizer first, then pass them here; from then on step only this
/// object. As in torch, all schedules share one base learning rate η₀ per parameter group (torch's <c>initial_lr</c>,
/// which the first schedule constructed on the optimizer records and later ones reuse, see
/// <see cref="LearningRateSchedule"/>), that is the optimizer's learning rate before any of them changed it. Construction resets the optimizer to η₀, marks every schedule as not
/// started (epoch −1) and starts the first one again, so the epoch-0 value is the first schedule's.
/// </para>
/// <para>
/// <see cref="OneCycleLR"/> is refused with an <see cref="ArgumentException"/> (it replaces η₀ and is a complete
/// cycle of its own). A <see cref="SequentialLR"/> cannot be nested and <see cref="ReduceLROnPlateau"/> cannot be
/// chained, since neither is a <see cref="LearningRateSchedule"/> (torch fails on the first at a milestone and
/// refuses the second).
/// Parameter groups: each group keeps its own η₀ (its learning rate before the first schedule was constructed),
/// and every chained schedule acts on every group, as in torch.
/// torch equivalent: <c>SequentialLR(optimizer, schedulers, milestones)</c>; Optax: <c>join_schedules</c>.
/// </para>
/// <para>Thread safety: instances are not thread-safe; step a schedule from the thread that steps its optimizer, between optimizer steps.</para>
/// </remarks>
public sealed class SequentialLR : ILearningRateSchedule, ICheckpointableSchedule
{
    private readonly LearningRateSchedule[] _schedules;
    private readonly int[] _milestones;
    private readonly double[] _baseLearningRates;
    private readonly double[] _currentLearningRates;

    /// <summary>Chains <paramref name="schedules"/> at <paramref name="milestones"/> and applies the epoch-0 value.</summary>
    /// <param name="optimizer">The optimizer every schedule drives.</param>
    /// <param name="schedules">The schedules in the order they run: at least one, each driving
    /// <paramref name="optimizer"/>, none repeated.</param>
    /// <param name="milestones">The epochs at which the next schedule takes over: one fewer than the schedules,
    /// each ≥ 1, strictly increasing.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// No schedule, a null, repeated or unsupported schedule, a schedule on another optimizer, the wrong number of
    /// milestones, or milestones that are not strictly increasing from 1.
    /// </exception>
    public SequentialLR(IOptimizerBase optimizer, IEnumerable<LearningRateSchedule> schedules, IEnumerable<int> milestones)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        _schedules = schedules.ToArray();
        _milestones = milestones.ToArray();
        if (_schedules.Length == 0)
        {
            throw new ArgumentException("At least one schedule is required; the list is empty.", nameof(schedules));
        }

        for (int i = 0; i < _schedules.Length; i++)
        {
            var schedule = _schedules[i] ?? throw new ArgumentException($"The schedule at index {i} is null.", nameof(schedules));
            if (schedule is OneCycleLR)
            {
                throw new ArgumentException(
                    $"The schedule at index {i} is a OneCycleLR, which replaces the base learning rate and is a complete " +
                    "warm-up and anneal of its own; it cannot be chained.", nameof(schedules));
            }

            if (!ReferenceEquals(schedule.Optimizer, optimizer))
            {
                throw new ArgumentException(
                    $"The schedule at index {i} ({schedule.GetType().Name}) drives another optimizer; every schedule must drive the one given.",
                    nameof(schedules));
            }

            if (Array.IndexOf(_schedules, schedule) != i)
            {
                throw new ArgumentException(
                    $"The schedule at index {i} ({schedule.GetType().Name}) appears more than once; each may be given once.",
                    nameof(schedules));
            }
        }

        if (_milestones.Length != _schedules.Length - 1)
        {
            throw new ArgumentException(
                $"There must be one milestone fewer than schedules; got {_schedules.Length} schedules and {_milestones.Length} milestones.",
                nameof(milestones));
        }

        for (int i = 0; i < _milestones.Length; i++)
        {
            int floor = i == 0 ? 1 : _milestones[i - 1] + 1;
            if (_milestones[i] < floor)
            {
                throw new ArgumentException(
                    $"Milestones must be epochs ≥ 1 in strictly increasing order; milestone {i} is {_milestones[i]}.",
                    nameof(milestones));
            }
        }

        Optimizer = optimizer;
        Schedules = _schedules.AsReadOnly();
        Milestones = _milestones.AsReadOnly();

        // torch resets every group to its initial_lr, which the chained schedules share. A target that is not an
        // Optimizer has no place to keep it: the base of the schedule constructed first is its learning rate before any
        // of them changed it.
        var targets = ScheduleTargets.Of(optimizer);
        var first = _schedules.MinBy(s => s.ConstructionOrder)!;
        _baseLearningRates = targets.Select((target, i) => target is Optimizers.Optimizer { InitialLearningRate: double shared }
            ? shared
            : first.BaseLearningRates[i]).ToArray();
        foreach (var schedule in _schedules)
        {
            schedule.Rebase(_baseLearningRates);
            schedule.Suspend();
        }

        for (int target = 0; target < targets.Length; target++)
        {
            targets[target].LearningRate = _baseLearningRates[target];
        }

        BaseLearningRates = Array.AsReadOnly(_baseLearningRates);
        _schedules[0].Restart();
        _currentLearningRates = _schedules[0].CurrentLearningRates.ToArray();
        CurrentLearningRates = Array.AsReadOnly(_currentLearningRates);
    }

    /// <summary>The optimizer every schedule drives.</summary>
    public IOptimizerBase Optimizer { get; }

    /// <summary>The chained schedules, in the order they run.</summary>
    public IReadOnlyList<LearningRateSchedule> Schedules { get; }

    /// <summary>The epochs at which the next schedule takes over.</summary>
    public IReadOnlyList<int> Milestones { get; }

    /// <summary>η₀ of the first target (group 0), shared by every schedule.</summary>
    public double BaseLearningRate => _baseLearningRates[0];

    /// <summary>η₀ of every target, one per parameter group, shared by every schedule.</summary>
    public IReadOnlyList<double> BaseLearningRates { get; }

    /// <inheritdoc />
    public double CurrentLearningRate => _currentLearningRates[0];

    /// <inheritdoc />
    public IReadOnlyList<double> CurrentLearningRates { get; }

    /// <inheritdoc />
    public int Epoch { get; private set; }

    /// <summary>The index of the schedule in charge of the current epoch.</summary>
    public int ActiveIndex => ActiveAt(Epoch);

    /// <inheritdoc />
    public void Step()
    {
        int epoch = checked(Epoch + 1);
        int index = ActiveAt(epoch);
        var schedule = _schedules[index];
        if (index > 0 && _milestones[index - 1] == epoch)
        {
            schedule.JumpToEpochZero();
        }
        else
        {
            schedule.Step();
        }

        Epoch = epoch;
        for (int target = 0; target < _currentLearningRates.Length; target++)
        {
            _currentLearningRates[target] = schedule.CurrentLearningRates[target];
        }
    }

    /// <inheritdoc />
    ScheduleState ICheckpointableSchedule.Capture() => new()
    {
        TypeName = GetType().Name,
        Configuration = ScheduleState.Settings(ScheduleState.Indexed("milestones", _milestones.Select(m => (double)m)).ToArray()),
        Epoch = Epoch,
        BaseLearningRates = (double[])_baseLearningRates.Clone(),
        CurrentLearningRates = (double[])_currentLearningRates.Clone(),
        Variables = ScheduleState.Settings(("active_index", ActiveIndex)),
        Children = _schedules.Select(s => ((ICheckpointableSchedule)s).Capture()).ToArray(),
    };

    /// <inheritdoc />
    void ICheckpointableSchedule.Validate(ScheduleState saved, string where)
    {
        saved.ValidateShape(((ICheckpointableSchedule)this).Capture(), where);
        if (saved.Epoch < 0 || saved.Counter("active_index", 0, _schedules.Length - 1) != ActiveAt(saved.Epoch))
        {
            throw Checkpoints.PayloadReader.Malformed(
                $"{where}SequentialLR is at epoch {saved.Epoch} with schedule {saved.Variable("active_index")} active; the milestones put schedule {ActiveAt(Math.Max(0, saved.Epoch))} in charge.");
        }

        for (int i = 0; i < _schedules.Length; i++)
        {
            ((ICheckpointableSchedule)_schedules[i]).Validate(saved.Children[i], $"{where}schedule {i}: ");
        }
    }

    /// <inheritdoc />
    void ICheckpointableSchedule.Restore(ScheduleState saved)
    {
        saved.BaseLearningRates.CopyTo(_baseLearningRates, 0);
        saved.CurrentLearningRates.CopyTo(_currentLearningRates, 0);
        Epoch = saved.Epoch;
        for (int i = 0; i < _schedules.Length; i++)
        {
            ((ICheckpointableSchedule)_schedules[i]).Restore(saved.Children[i]);
        }
    }

    /// <summary>The number of milestones ≤ epoch (Python's <c>bisect_right</c>).</summary>
    private int ActiveAt(int epoch)
    {
        int index = 0;
        while (index < _milestones.Length && _milestones[index] <= epoch)
        {
            index++;
        }

        return index;
    }
}
