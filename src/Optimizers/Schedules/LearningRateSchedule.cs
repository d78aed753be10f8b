namespace Optimizers.Schedules;

/// <summary>
/// The shared mechanics of the epoch-driven schedules: the optimizer they drive, the base learning rate, the
/// epoch counter and the order in which a step reads and writes the learning rate.
/// </summary>
/// <remarks>
/// <para>
/// Construction records the optimizer's learning rate as the base learning rate η₀ (torch's <c>initial_lr</c>),
/// then applies the epoch-0 value, exactly as torch's constructor does with its initial step. Each
/// <see cref="Step"/> increments <see cref="Epoch"/> and computes the next learning rate.
/// </para>
/// <para>
/// Floating point: torch 2.x computes each step with the <em>recursive</em> ("chainable") form of
/// <c>get_lr</c>, which multiplies the optimizer's current learning rate ηₜ₋₁ by a factor, and uses the closed
/// form (<c>_get_closed_form_lr</c>) only where its <c>SequentialLR</c> restarts a schedule at a milestone. This
/// library does the same, with the same operations in the same order, so the learning rates agree with torch's
/// to the last bit or nearly so. Each schedule's documentation states which form it follows. A consequence, as in
/// torch: a change made to <see cref="IOptimizer.LearningRate"/> between steps is carried forward by the
/// recursive forms.
/// </para>
/// <para>
/// The base learning rate is kept per target: today the target is the one <see cref="IOptimizer"/>, and the
/// computation is written per target so that parameter groups can each get their own base learning rate.
/// </para>
/// <para>
/// This class cannot be derived from outside the library; implement <see cref="ILearningRateSchedule"/> for a
/// custom schedule. Instances are not thread-safe.
/// </para>
/// </remarks>
public abstract class LearningRateSchedule : ILearningRateSchedule
{
    private static long s_constructed;
    private readonly double[] _baseLearningRates;

    /// <summary>Records the optimizer and its current learning rate as the base learning rate.</summary>
    /// <param name="optimizer">The optimizer whose <see cref="IOptimizer.LearningRate"/> this schedule sets.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    private protected LearningRateSchedule(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        _baseLearningRates = [optimizer.LearningRate];
        ConstructionOrder = Interlocked.Increment(ref s_constructed);
        Epoch = -1;
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>
    /// η₀, the base learning rate: the optimizer's learning rate when the schedule was constructed (torch's
    /// <c>initial_lr</c>). <see cref="OneCycleLR"/> uses maxLearningRate / divFactor instead, as torch does.
    /// </summary>
    public double BaseLearningRate => _baseLearningRates[0];

    /// <inheritdoc />
    public double CurrentLearningRate { get; private set; }

    /// <inheritdoc />
    public int Epoch { get; private set; }

    /// <summary>A number that grows with each schedule constructed, used by <see cref="SequentialLR"/>.</summary>
    internal long ConstructionOrder { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The schedule has no further epoch (see <see cref="OneCycleLR"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The optimizer rejects the new learning rate (for example a growing schedule reached +∞); nothing changes then.
    /// </exception>
    public void Step()
    {
        int epoch = checked(Epoch + 1);
        Advance(epoch);
        for (int target = 0; target < _baseLearningRates.Length; target++)
        {
            double next = NextLearningRate(target, epoch, GetLearningRate(target), _baseLearningRates[target]);
            SetLearningRate(target, next);
        }

        Epoch = epoch;
    }

    /// <summary>
    /// Applies the epoch-0 value from epoch −1 (torch's <c>_initial_step</c>). Derived constructors call it last;
    /// <see cref="SequentialLR"/> calls it again on its first schedule.
    /// </summary>
    private protected void Start()
    {
        ResetState();
        for (int target = 0; target < _baseLearningRates.Length; target++)
        {
            double initial = InitialLearningRate(target, GetLearningRate(target), _baseLearningRates[target]);
            SetLearningRate(target, initial);
        }

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
        for (int target = 0; target < _baseLearningRates.Length; target++)
        {
            SetLearningRate(target, ClosedFormAtEpochZero(target, _baseLearningRates[target]));
        }

        Epoch = 0;
    }

    /// <summary>Marks the schedule as not started (epoch −1), as torch's <c>SequentialLR</c> does to later schedules.</summary>
    internal void Suspend() => Epoch = -1;

    /// <summary>Replaces the base learning rate of every target (torch's shared <c>initial_lr</c>).</summary>
    /// <param name="baseLearningRate">The new η₀.</param>
    internal void Rebase(double baseLearningRate) => Array.Fill(_baseLearningRates, baseLearningRate);

    /// <summary>The value at epoch 0 on construction, from the current learning rate (torch's initial step).</summary>
    /// <param name="target">The target's index (0 today).</param>
    /// <param name="current">The target's learning rate before the initial step.</param>
    /// <param name="baseLearningRate">η₀ of the target.</param>
    private protected abstract double InitialLearningRate(int target, double current, double baseLearningRate);

    /// <summary>The value at <paramref name="epoch"/> ≥ 1, in torch 2.x's recursive form where it has one.</summary>
    /// <param name="target">The target's index (0 today).</param>
    /// <param name="epoch">The epoch being entered, t ≥ 1.</param>
    /// <param name="current">ηₜ₋₁, the target's learning rate now.</param>
    /// <param name="baseLearningRate">η₀ of the target.</param>
    private protected abstract double NextLearningRate(int target, int epoch, double current, double baseLearningRate);

    /// <summary>The closed form at epoch 0 (torch's <c>_get_closed_form_lr</c>, or <c>get_lr</c> where there is none).</summary>
    /// <param name="target">The target's index (0 today).</param>
    /// <param name="baseLearningRate">η₀ of the target.</param>
    private protected abstract double ClosedFormAtEpochZero(int target, double baseLearningRate);

    /// <summary>
    /// Called once at the start of <see cref="Step"/>, before any learning rate is computed, with the epoch being
    /// entered. Schedules with their own counters advance them here; a schedule that cannot advance throws here,
    /// before anything has changed.
    /// </summary>
    /// <param name="epoch">The epoch being entered.</param>
    private protected virtual void Advance(int epoch)
    {
    }

    /// <summary>Resets a schedule's own counters to their epoch-0 values.</summary>
    private protected virtual void ResetState()
    {
    }

    private double GetLearningRate(int target) => target == 0
        ? Optimizer.LearningRate
        : throw new ArgumentOutOfRangeException(nameof(target));

    private void SetLearningRate(int target, double value)
    {
        if (target != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(target));
        }

        Optimizer.LearningRate = value;
        CurrentLearningRate = value;
    }
}
