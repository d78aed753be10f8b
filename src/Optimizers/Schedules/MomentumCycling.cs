namespace Optimizers.Schedules;

/// <summary>
/// The momentum that <see cref="OneCycleLR"/> and <see cref="CyclicLR"/> cycle, by torch's rule: each target's
/// <c>momentum</c> if its rule has one (<see cref="Momentum{T}"/>, <see cref="RMSProp{T}"/>), else its β₁ (the Adam
/// family); a rule with neither is refused.
/// </summary>
internal static class MomentumCycling
{
    /// <summary>The targets of <paramref name="optimizer"/> as rules with a cyclable momentum, or an <see cref="ArgumentException"/>.</summary>
    /// <param name="optimizer">The optimizer the schedule drives.</param>
    /// <param name="schedule">The schedule's name, for the message.</param>
    /// <param name="baseMomentum">The lower momentum, checked to be in [0, 1).</param>
    /// <param name="maxMomentum">The upper momentum, checked to be in [0, 1).</param>
    public static ICyclableMomentum[] Targets(IOptimizerBase optimizer, string schedule, double baseMomentum, double maxMomentum)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var targets = ScheduleTargets.Of(optimizer);
        var cycled = new ICyclableMomentum[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            cycled[i] = targets[i] as ICyclableMomentum ?? throw new ArgumentException(
                $"{schedule} cycles momentum (cycleMomentum: true, torch's default), but {Describe(targets[i], i, targets.Length)} " +
                "has neither a momentum nor a β₁ that a schedule can cycle. Pass cycleMomentum: false to cycle the learning rate only, or use " +
                "Momentum (or a rule with β₁, such as Adam).", "cycleMomentum");
        }

        Check.UnitInterval(baseMomentum);
        Check.UnitInterval(maxMomentum);
        return cycled;
    }

    /// <summary>Starts cycling: every target keeps what cycling needs and is set to <paramref name="maxMomentum"/>, as torch's constructor.</summary>
    public static void Begin(ICyclableMomentum[] targets, double maxMomentum)
    {
        foreach (var target in targets)
        {
            target.BeginCycling();
            target.CycledValue = maxMomentum;
        }
    }

    private static string Describe(IOptimizerBase target, int index, int count)
    {
        string rule = target is Optimizer optimizer ? optimizer.RuleName : target.GetType().Name;
        return count == 1 ? $"the optimizer ({rule})" : $"parameter group {index} ({rule})";
    }
}
