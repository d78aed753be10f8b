namespace Optimizers.Schedules;

/// <summary>The built-in amplitude policies of <see cref="CyclicLR"/> (torch's <c>mode</c>).</summary>
public enum CyclicMode
{
    /// <summary>A triangle of constant height: scale 1 (torch's <c>'triangular'</c>, scaled per cycle).</summary>
    Triangular,

    /// <summary>A triangle whose height halves every cycle: scale 1 / 2^(cycle − 1) (torch's <c>'triangular2'</c>).</summary>
    Triangular2,

    /// <summary>A triangle scaled by γ^iterations (torch's <c>'exp_range'</c>, scaled per iteration).</summary>
    ExpRange,
}
