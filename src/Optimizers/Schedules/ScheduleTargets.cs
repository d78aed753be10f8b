namespace Optimizers.Schedules;

/// <summary>The targets of a schedule: every group of an <see cref="IGroupedOptimizer"/>, or the optimizer itself.</summary>
internal static class ScheduleTargets
{
    public static IOptimizer[] Of(IOptimizer optimizer)
        => optimizer switch
        {
            IOptimizerWrapper wrapper => Of(wrapper.Inner),
            IGroupedOptimizer grouped => grouped.Groups.ToArray(),
            _ => [optimizer],
        };

    /// <summary>
    /// The base learning rate η₀ that every schedule on <paramref name="target"/> shares: the one recorded by the first
    /// schedule built on it, or (for the first) its learning rate now, which is then recorded (torch's
    /// <c>group.setdefault('initial_lr', group['lr'])</c>). A target that is not an <see cref="Optimizer"/> has no place
    /// to record it; its learning rate now is used.
    /// </summary>
    public static double SharedInitialLearningRate(IOptimizer target)
        => target is Optimizer optimizer ? optimizer.InitialLearningRate ??= optimizer.LearningRate : target.LearningRate;
}
