namespace Optimizers;

/// <summary>A job cut into numbered parts that may run on different threads in any order.</summary>
internal interface IPartitionedWork
{
    /// <summary>Runs part <paramref name="part"/> (0 ≤ part &lt; the count given to <see cref="WorkerPool.Run"/>).</summary>
    void RunPart(int part);
}
