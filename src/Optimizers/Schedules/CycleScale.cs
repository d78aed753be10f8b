namespace Optimizers.Schedules;

/// <summary>What a custom scale function of <see cref="CyclicLR"/> receives (torch's <c>scale_mode</c>).</summary>
public enum CycleScale
{
    /// <summary>The cycle number, from 1 (torch's <c>'cycle'</c>).</summary>
    Cycle,

    /// <summary>The number of steps since construction, the epoch (torch's <c>'iterations'</c>).</summary>
    Iterations,
}
