namespace Optimizers.Schedules;

/// <summary>How <see cref="OneCycleLR"/> moves between two learning rates within a phase.</summary>
public enum AnnealStrategy
{
    /// <summary>Half a cosine: <c>η = end + (start − end)/2 · (1 + cos(π·pct))</c> (torch's <c>'cos'</c>).</summary>
    Cos,

    /// <summary>A straight line: <c>η = (end − start)·pct + start</c> (torch's <c>'linear'</c>).</summary>
    Linear,
}
