namespace Optimizers.Schedules;

/// <summary>The targets of a schedule: every group of an <see cref="IGroupedOptimizer"/>, or the optimizer itself.</summary>
internal static class ScheduleTargets
{
    public static IOptimizerBase[] Of(IOptimizerBase optimizer)
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
    public static double SharedInitialLearningRate(IOptimizerBase target) => target switch
    {
        Optimizer optimizer => optimizer.InitialLearningRate ??= optimizer.LearningRate,
        IInitialLearningRate closure => closure.InitialLearningRate ??= closure.LearningRate,
        _ => target.LearningRate,
    };

    /// <summary>Records <paramref name="value"/> as <paramref name="target"/>'s shared η₀, where it has a place for it.</summary>
    public static void SetSharedInitialLearningRate(IOptimizerBase target, double value)
    {
        if (target is Optimizer optimizer)
        {
            optimizer.InitialLearningRate = value;
        }
        else if (target is IInitialLearningRate closure)
        {
            closure.InitialLearningRate = value;
        }
    }
}

/// <summary>
/// An optimizer not derived from <see cref="Optimizer"/> (L-BFGS) that keeps torch's <c>initial_lr</c>, the base
/// learning rate its schedules share (see <see cref="Optimizer.InitialLearningRate"/>).
/// </summary>
internal interface IInitialLearningRate : IOptimizerBase
{
    /// <summary>The shared base learning rate η₀, or null until a schedule is built.</summary>
    double? InitialLearningRate { get; set; }
}
