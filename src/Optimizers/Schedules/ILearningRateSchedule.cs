namespace Optimizers.Schedules;

/// <summary>
/// A learning-rate schedule: each <see cref="Step"/> moves it one epoch on and writes the new learning rate into
/// the optimizer it drives (into every parameter group, each from its own base learning rate).
/// </summary>
/// <remarks>
/// <para>
/// Call <see cref="Step"/> after <see cref="IOptimizer.Step"/>, once per epoch (or once per batch for schedules
/// meant to be stepped per batch, such as <see cref="OneCycleLR"/>), exactly as with <c>torch.optim.lr_scheduler</c>:
/// </para>
/// <code>
/// optimizer.Step();
/// schedule.Step();
/// </code>
/// <para>
/// Constructing a schedule already applies the epoch-0 value (torch does the same), so the first optimizer step
/// uses it. <see cref="ReduceLROnPlateau"/> is driven by a metric and therefore has <c>Step(double metric)</c>
/// instead of this interface.
/// </para>
/// <para>Thread safety: the schedules of this library are not thread-safe; a schedule writes its optimizer's <see cref="IOptimizerBase.LearningRate"/>, so step it from the thread that steps the optimizer, between optimizer steps.</para>
/// </remarks>
public interface ILearningRateSchedule : ISchedule
{
    /// <summary>Advances to the next epoch and sets each target's learning rate to that epoch's value.</summary>
    void Step();
}
