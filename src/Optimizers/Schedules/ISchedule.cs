namespace Optimizers.Schedules;

/// <summary>
/// Anything in this namespace that sets an optimizer's learning rates over time: the epoch-driven schedules
/// (<see cref="ILearningRateSchedule"/>) and the metric-driven <see cref="ReduceLROnPlateau"/>. Its position can be
/// saved in a checkpoint with <see cref="Checkpoints.Checkpoint"/>.
/// </summary>
/// <remarks>
/// A schedule acts on every parameter group: when its optimizer is an <see cref="IGroupedOptimizer"/>, each group is
/// a target with its own learning rate, as each param group is in torch. Otherwise the optimizer is the one target.
/// </remarks>
public interface ISchedule
{
    /// <summary>
    /// The learning rate this schedule set most recently on its first target (torch's <c>get_last_lr()[0]</c>). It is
    /// not re-read from the optimizer: if the caller changes <see cref="IOptimizerBase.LearningRate"/> directly, this keeps
    /// the schedule's last value.
    /// </summary>
    double CurrentLearningRate { get; }

    /// <summary>
    /// The learning rate this schedule set most recently on each target, one per parameter group (torch's
    /// <c>get_last_lr()</c>); a single optimizer is one target.
    /// </summary>
    IReadOnlyList<double> CurrentLearningRates { get; }

    /// <summary>
    /// The number of steps since construction (torch's <c>last_epoch</c>): 0 right after construction. Called an
    /// epoch by convention, whether you step per epoch or per batch.
    /// </summary>
    int Epoch { get; }
}
