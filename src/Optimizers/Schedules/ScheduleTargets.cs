namespace Optimizers.Schedules;

/// <summary>The targets of a schedule: every group of an <see cref="IGroupedOptimizer"/>, or the optimizer itself.</summary>
internal static class ScheduleTargets
{
    public static IOptimizer[] Of(IOptimizer optimizer)
        => optimizer is IGroupedOptimizer grouped ? grouped.Groups.ToArray() : [optimizer];
}
