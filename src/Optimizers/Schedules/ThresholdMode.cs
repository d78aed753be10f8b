namespace Optimizers.Schedules;

/// <summary>How <see cref="ReduceLROnPlateau"/> decides that a metric improved on the best value so far.</summary>
public enum ThresholdMode
{
    /// <summary>By a fraction of the best value: <c>metric &lt; best·(1 − threshold)</c> in min mode,
    /// <c>metric &gt; best·(1 + threshold)</c> in max mode; torch's <c>'rel'</c>.</summary>
    Relative,

    /// <summary>By a fixed amount: <c>metric &lt; best − threshold</c> in min mode, <c>metric &gt; best + threshold</c>
    /// in max mode; torch's <c>'abs'</c>.</summary>
    Absolute,
}
