namespace Optimizers.Schedules;

/// <summary>
/// The shared mechanics of the epoch-driven schedules: the optimizer they drive, the targets (parameter groups) and
/// their base learning rates, the epoch counter and the order in which a step reads and writes the learning rates.
/// </summary>
/// <remarks>
/// <para>
/// Targets: when the optimizer is an <see cref="IGroupedOptimizer"/> (such as <see cref="ParameterGroups"/>), each
/// group is a target with its own base learning rate, exactly as torch keeps an <c>initial_lr</c> per param group;
/// otherwise the optimizer is the one target. For example groups at 0.1 and 0.01 under
/// <c>StepLR(stepSize: s, gamma: 0.5)</c> go to 0.05 and 0.005 at epoch s.
/// </para>
/// <para>
/// Construction takes each target's base learning rate η₀ from the optimizer (torch's <c>initial_lr</c>), then
/// applies the epoch-0 value, exactly as torch's constructor does with its initial step. η₀ is shared by every schedule
/// built on the same optimizer or parameter group: the first one records the learning rate of that moment, later ones
/// reuse it (torch's <c>group.setdefault('initial_lr', group['lr'])</c>), so a second schedule does not mistake the
/// rate the first one has already scheduled for its base. For example on a learning rate of 0.1,
/// <c>new LinearLR(o, startFactor: 0.5)</c> sets 0.05, and a <c>new CosineAnnealingWarmRestarts(o, t0: 10)</c> built
/// next starts from η₀ = 0.1, as in torch. <see cref="OneCycleLR"/> replaces the shared η₀ with η_max / d, as torch
/// does; <see cref="ReduceLROnPlateau"/> neither sets nor reads it. A checkpoint of the optimizer saves and restores it.
/// Each <see cref="Step"/> increments <see cref="Epoch"/> and computes the next learning rate of every target.
/// </para>
/// <para>
/// Floating point: torch 2.x computes each step with the <em>recursive</em> ("chainable") form of
/// <c>get_lr</c>, which multiplies the target's current learning rate ηₜ₋₁ by a factor, and uses the closed
/// form (<c>_get_closed_form_lr</c>) only where its <c>SequentialLR</c> restarts a schedule at a milestone. This
/// library does the same, with the same operations in the same order, so the learning rates agree with torch's
/// to the last bit or nearly so. Each schedule's documentation states which form it follows. A consequence, as in
/// torch: a change made to a learning rate between steps is carried forward by the recursive forms.
/// </para>
/// <para>
/// The position (epoch, base and current learning rates, the schedule's own counters) can be saved with
/// <see cref="Checkpoints.Checkpoint"/> and restored into a schedule built with the same arguments.
/// </para>
/// <para>
/// This class cannot be derived from outside the library; implement <see cref="ILearningRateSchedule"/> for a
/// custom schedule. Instances are not thread-safe.
/// </para>
/// </remarks>
public abstract class LearningRateSchedule : ILearningRateSchedule, ICheckpointableSchedule
{
    private static long s_constructed;
    private readonly IOptimizerBase[] _targets;
    private readonly double[] _baseLearningRates;
    private readonly double[] _currentLearningRates;

    /// <summary>Records the optimizer, its targets and their current learning rates as the base learning rates.</summary>
    /// <param name="optimizer">The optimizer whose learning rates this schedule sets.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    private protected LearningRateSchedule(IOptimizerBase optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        _targets = ScheduleTargets.Of(optimizer);
        _baseLearningRates = _targets.Select(ScheduleTargets.SharedInitialLearningRate).ToArray();
        _currentLearningRates = (double[])_baseLearningRates.Clone();
        BaseLearningRates = Array.AsReadOnly(_baseLearningRates);
        CurrentLearningRates = Array.AsReadOnly(_currentLearningRates);
        ConstructionOrder = Interlocked.Increment(ref s_constructed);
        Epoch = -1;
    }

    /// <summary>The optimizer whose learning rates this schedule sets.</summary>
    public IOptimizerBase Optimizer { get; }

    /// <summary>
    /// η₀ of the first target: the optimizer's (or group 0's) learning rate when the first schedule was built on it
    /// (torch's <c>initial_lr</c>). <see cref="OneCycleLR"/> uses maxLearningRate / divFactor instead, as torch does.
    /// </summary>
    public double BaseLearningRate => _baseLearningRates[0];

    /// <summary>η₀ of every target, one per parameter group (torch's <c>base_lrs</c>).</summary>
    public IReadOnlyList<double> BaseLearningRates { get; }

    /// <inheritdoc />
    public double CurrentLearningRate => _currentLearningRates[0];

    /// <inheritdoc />
    public IReadOnlyList<double> CurrentLearningRates { get; }

    /// <inheritdoc />
    public int Epoch { get; private set; }

    /// <summary>The number of targets: the optimizer's parameter groups, or 1.</summary>
    private protected int TargetCount => _targets.Length;

    /// <summary>A number that grows with each schedule constructed, used by <see cref="SequentialLR"/>.</summary>
    internal long ConstructionOrder { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The schedule has no further epoch (see <see cref="OneCycleLR"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A new learning rate is not finite and ≥ 0 (for example a growing schedule reached +∞); no learning rate changes then.
    /// </exception>
    public void Step()
    {
        int epoch = checked(Epoch + 1);
        Advance(epoch);
        var next = new double[_targets.Length];
        for (int target = 0; target < _targets.Length; target++)
        {
            next[target] = NextLearningRate(target, epoch, _targets[target].LearningRate, _baseLearningRates[target]);
        }

        Apply(next);
        Applied(epoch);
        Epoch = epoch;
    }

    /// <summary>
    /// Applies the epoch-0 value from epoch −1 (torch's <c>_initial_step</c>). Derived constructors call it last;
    /// <see cref="SequentialLR"/> calls it again on its first schedule.
    /// </summary>
    private protected void Start()
    {
        ResetState();
        var initial = new double[_targets.Length];
        for (int target = 0; target < _targets.Length; target++)
        {
            initial[target] = InitialLearningRate(target, _targets[target].LearningRate, _baseLearningRates[target]);
        }

        Apply(initial);
        Applied(0);
        Epoch = 0;
    }

    /// <summary>Starts again from epoch −1 (torch's undo of the initial step followed by <c>_initial_step</c>).</summary>
    internal void Restart() => Start();

    /// <summary>
    /// Jumps to epoch 0 using the closed form, as torch's <c>SequentialLR</c> does at a milestone
    /// (<c>_update_lr(0)</c>): the value depends only on the base learning rate, not on the current one.
    /// </summary>
    internal void JumpToEpochZero()
    {
        ResetState();
        var values = new double[_targets.Length];
        for (int target = 0; target < _targets.Length; target++)
        {
            values[target] = AtMilestone(target, _targets[target].LearningRate, _baseLearningRates[target]);
        }

        Apply(values);
        Applied(0);
        Epoch = 0;
    }

    /// <summary>Marks the schedule as not started (epoch −1), as torch's <c>SequentialLR</c> does to later schedules.</summary>
    internal void Suspend() => Epoch = -1;

    /// <summary>
    /// Replaces the base learning rate of every target, in this schedule and as the optimizer's shared η₀ (torch's
    /// <c>initial_lr</c> per group), so that schedules built later start from it too.
    /// </summary>
    /// <param name="baseLearningRates">The new η₀ of each target.</param>
    internal void Rebase(IReadOnlyList<double> baseLearningRates)
    {
        for (int target = 0; target < _baseLearningRates.Length; target++)
        {
            _baseLearningRates[target] = baseLearningRates[target];
            ScheduleTargets.SetSharedInitialLearningRate(_targets[target], baseLearningRates[target]);
        }
    }

    /// <summary>The value at epoch 0 on construction, from the current learning rate (torch's initial step).</summary>
    /// <param name="target">The target's index (its parameter group).</param>
    /// <param name="current">The target's learning rate before the initial step.</param>
    /// <param name="baseLearningRate">η₀ of the target.</param>
    private protected abstract double InitialLearningRate(int target, double current, double baseLearningRate);

    /// <summary>The value at <paramref name="epoch"/> ≥ 1, in torch 2.x's recursive form where it has one.</summary>
    /// <param name="target">The target's index (its parameter group).</param>
    /// <param name="epoch">The epoch being entered, t ≥ 1.</param>
    /// <param name="current">ηₜ₋₁, the target's learning rate now.</param>
    /// <param name="baseLearningRate">η₀ of the target.</param>
    private protected abstract double NextLearningRate(int target, int epoch, double current, double baseLearningRate);

    /// <summary>The closed form at epoch 0 (torch's <c>_get_closed_form_lr</c>, or <c>get_lr</c> where there is none).</summary>
    /// <param name="target">The target's index (its parameter group).</param>
    /// <param name="baseLearningRate">η₀ of the target.</param>
    private protected abstract double ClosedFormAtEpochZero(int target, double baseLearningRate);

    /// <summary>
    /// The value when <see cref="SequentialLR"/> restarts this schedule at a milestone: the closed form at epoch 0 by
    /// default; a schedule without a closed form (torch's <c>get_lr</c> at <c>last_epoch = 0</c>) may read the current rate.
    /// </summary>
    /// <param name="target">The target's index (its parameter group).</param>
    /// <param name="current">The target's learning rate now.</param>
    /// <param name="baseLearningRate">η₀ of the target.</param>
    private protected virtual double AtMilestone(int target, double current, double baseLearningRate)
        => ClosedFormAtEpochZero(target, baseLearningRate);

    /// <summary>The constructor arguments by torch's names, for checkpoints (a loaded position must come from the same ones).</summary>
    private protected abstract IEnumerable<(string Name, double Value)> Configuration();

    /// <summary>The schedule's own variables beyond epoch and learning rates, for checkpoints (none by default).</summary>
    private protected virtual IEnumerable<(string Name, double Value)> Variables() => [];

    /// <summary>Checks a saved state's own variables and epoch beyond <see cref="ScheduleState.ValidateShape"/>.</summary>
    /// <param name="saved">The state to check; throw <see cref="Checkpoints.CheckpointException"/> if it is impossible.</param>
    private protected virtual void ValidateVariables(ScheduleState saved)
    {
    }

    /// <summary>Takes over the saved variables listed by <see cref="Variables"/>.</summary>
    /// <param name="saved">A state that <see cref="ValidateVariables"/> accepted.</param>
    private protected virtual void RestoreVariables(ScheduleState saved)
    {
    }

    /// <summary>
    /// Called once at the start of <see cref="Step"/>, before any learning rate is computed, with the epoch being
    /// entered. Schedules with their own counters advance them here; a schedule that cannot advance throws here,
    /// before anything has changed.
    /// </summary>
    /// <param name="epoch">The epoch being entered.</param>
    private protected virtual void Advance(int epoch)
    {
    }

    /// <summary>
    /// Called after the learning rates of <paramref name="epoch"/> were set (on construction with 0): schedules that
    /// cycle momentum set it here.
    /// </summary>
    /// <param name="epoch">The epoch entered.</param>
    private protected virtual void Applied(int epoch)
    {
    }

    /// <summary>Sets every target's base learning rate in this schedule only (torch's <c>self.base_lrs = …</c>).</summary>
    /// <param name="baseLearningRates">The new η₀ of each target.</param>
    private protected void SetBaseLearningRates(IReadOnlyList<double> baseLearningRates)
    {
        for (int target = 0; target < _baseLearningRates.Length; target++)
        {
            _baseLearningRates[target] = baseLearningRates[target];
        }
    }

    /// <summary>Resets a schedule's own counters to their epoch-0 values.</summary>
    private protected virtual void ResetState()
    {
    }

    /// <inheritdoc />
    ScheduleState ICheckpointableSchedule.Capture() => new()
    {
        TypeName = GetType().Name,
        Configuration = ScheduleState.Settings(Configuration().ToArray()),
        Epoch = Epoch,
        BaseLearningRates = (double[])_baseLearningRates.Clone(),
        CurrentLearningRates = (double[])_currentLearningRates.Clone(),
        Variables = ScheduleState.Settings(Variables().ToArray()),
        Children = [],
    };

    /// <inheritdoc />
    void ICheckpointableSchedule.Validate(ScheduleState saved, string where)
    {
        saved.ValidateShape(((ICheckpointableSchedule)this).Capture(), where);
        ValidateVariables(saved);
    }

    /// <inheritdoc />
    void ICheckpointableSchedule.Restore(ScheduleState saved)
    {
        saved.BaseLearningRates.CopyTo(_baseLearningRates, 0);
        saved.CurrentLearningRates.CopyTo(_currentLearningRates, 0);
        Epoch = saved.Epoch;
        RestoreVariables(saved);
    }

    /// <summary>Sets every target's learning rate, after checking them all, so that a bad value changes nothing.</summary>
    private void Apply(double[] values)
    {
        for (int target = 0; target < values.Length; target++)
        {
            if (!double.IsFinite(values[target]) || values[target] < 0)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(IOptimizerBase.LearningRate), values[target],
                    $"{GetType().Name} computed the learning rate {values[target]:R} for target {target}; " +
                    "a learning rate must be finite and ≥ 0. No learning rate was changed.");
            }
        }

        for (int target = 0; target < values.Length; target++)
        {
            _targets[target].LearningRate = values[target];
            _currentLearningRates[target] = values[target];
        }
    }
}
