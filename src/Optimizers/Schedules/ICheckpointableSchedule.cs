namespace Optimizers.Schedules;

/// <summary>
/// The schedules of this library whose position a checkpoint can hold. Loading verifies with
/// <see cref="Validate"/> before it changes anything, then <see cref="Restore"/> copies, which cannot fail.
/// </summary>
internal interface ICheckpointableSchedule
{
    /// <summary>A copy of the complete position.</summary>
    ScheduleState Capture();

    /// <summary>
    /// Throws <see cref="Checkpoints.CheckpointException"/> unless <paramref name="saved"/> fits this schedule
    /// (same type, configuration and target count; well-formed values). Changes nothing.
    /// </summary>
    void Validate(ScheduleState saved, string where);

    /// <summary>Takes over <paramref name="saved"/>, which <see cref="Validate"/> accepted.</summary>
    void Restore(ScheduleState saved);
}
