namespace Optimizers.Schedules;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches a metric that should fall or one that should rise.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss); torch's <c>'min'</c>.</summary>
    Min,

    /// <summary>Higher is better (an accuracy); torch's <c>'max'</c>.</summary>
    Max,
}
