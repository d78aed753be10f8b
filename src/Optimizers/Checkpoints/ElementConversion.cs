namespace Optimizers.Checkpoints;

/// <summary>
/// Whether <see cref="Checkpoint.Load(Stream, ElementConversion, IOptimizerBase?, IEnumerable{Parameter{double}}?, Schedules.ISchedule?)"/>
/// may load state and values saved in one element type (float32 or float64) into an optimizer or parameters of the other.
/// </summary>
/// <remarks>
/// Without conversion (<see cref="None"/>, what <see cref="Checkpoint.Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, Schedules.ISchedule?)"/>
/// does) another element type is a <see cref="CheckpointError.Mismatch"/>: a float64 run resumed in float32, or the
/// reverse, does not continue the saved trajectory bit for bit, so it has to be asked for.
/// </remarks>
public enum ElementConversion
{
    /// <summary>No conversion: the checkpoint's element type must be the target's, or loading fails with
    /// <see cref="CheckpointError.Mismatch"/> naming both.</summary>
    None = 0,

    /// <summary>
    /// Every state element and parameter value is converted to the target's element type: float32 → float64 exactly,
    /// float64 → float32 rounded to the nearest float32 (ties to even; NaN stays NaN, ±∞ stays ±∞). A finite float64
    /// that float32 cannot hold (beyond ±3.4028235·10³⁸, which rounding would turn into ±∞) fails with
    /// <see cref="CheckpointError.Mismatch"/>, naming the value; nothing is changed then. Hyperparameters, learning
    /// rates and step counts are doubles and integers in both and are not converted. Sections of the target's own
    /// element type load unchanged.
    /// </summary>
    RoundToNearest = 1,
}
