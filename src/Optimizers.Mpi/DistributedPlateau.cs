using Optimizers.Schedules;

namespace Optimizers.Mpi;

/// <summary><see cref="ReduceLROnPlateau"/> in a data-parallel run: every process reduces its learning rate at the same epoch.</summary>
public static class DistributedPlateau
{
    /// <summary>
    /// Averages <paramref name="localMetric"/> over the processes (<see cref="Communicator.Mean"/>) and passes the mean,
    /// the same bits on every process, to <see cref="ReduceLROnPlateau.Step(double)"/>; every process must call it.
    /// </summary>
    /// <param name="schedule">The plateau schedule of this process's optimizer.</param>
    /// <param name="localMetric">This process's metric (for example the validation loss on its share of the rows).</param>
    /// <param name="communicator">The processes; <see cref="Communicator.World"/> if null.</param>
    /// <returns>What <see cref="ReduceLROnPlateau.Step(double)"/> returns for the mean.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    public static bool Step(this ReduceLROnPlateau schedule, double localMetric, Communicator? communicator)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Step((communicator ?? Communicator.World).Mean(localMetric));
    }
}
