namespace Optimizers.Mpi;

/// <summary>
/// Which rows of each global batch a process trains on: every process shuffles with the same seed, cuts the order into
/// the same global batches, and takes its own contiguous share of each.
/// </summary>
/// <remarks>
/// With a global batch of B rows over N processes, rank r takes rows [r·B/N, (r+1)·B/N) of the batch. Each process's
/// gradient is the mean over its B/N rows, so the average of the N means (<see cref="DataParallel{T}"/>) is the mean over
/// the B rows: the gradient a single process would compute on the whole batch.
/// </remarks>
public static class BatchSharding
{
    /// <summary>The start and length of rank <paramref name="rank"/>'s rows inside a global batch of <paramref name="globalBatchSize"/> rows.</summary>
    /// <param name="globalBatchSize">Rows in the global batch: a positive multiple of <paramref name="size"/>.</param>
    /// <param name="rank">The process's rank, 0 … <paramref name="size"/> − 1.</param>
    /// <param name="size">The number of processes, ≥ 1.</param>
    /// <returns>The offset of the rank's first row in the batch and its number of rows, B / N.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is below 1, <paramref name="rank"/> is not a
    /// rank, or <paramref name="globalBatchSize"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="globalBatchSize"/> is not divisible by <paramref name="size"/>: the
    /// ranks' means would then weigh rows unequally and their average would not be the batch mean.</exception>
    public static (int Start, int Count) LocalRows(int globalBatchSize, int rank, int size)
    {
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"size must be at least 1; got {size}.");
        }

        if ((uint)rank >= (uint)size)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be 0 to {size - 1}; got {rank}.");
        }

        if (globalBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(globalBatchSize), globalBatchSize, $"globalBatchSize must be at least 1; got {globalBatchSize}.");
        }

        if (globalBatchSize % size != 0)
        {
            throw new ArgumentException(
                $"globalBatchSize {globalBatchSize} is not divisible by the process count {size}: every process must take the same "
                + "number of rows for the average of their mean gradients to be the batch's mean. Choose a multiple of the process count.",
                nameof(globalBatchSize));
        }

        int count = globalBatchSize / size;
        return (rank * count, count);
    }

    /// <summary>This process's rows of a global batch in <paramref name="communicator"/> (<see cref="LocalRows(int, int, int)"/>).</summary>
    /// <param name="globalBatchSize">Rows in the global batch: a positive multiple of the process count.</param>
    /// <param name="communicator">The processes sharing the batch.</param>
    /// <returns>The offset of this process's first row in the batch and its number of rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="communicator"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="globalBatchSize"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="globalBatchSize"/> is not divisible by the process count.</exception>
    public static (int Start, int Count) LocalRows(int globalBatchSize, Communicator communicator)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        return LocalRows(globalBatchSize, communicator.Rank, communicator.Size);
    }

    /// <summary>
    /// The row order of one epoch over <paramref name="rowCount"/> rows, the same on every process given the same
    /// <paramref name="random"/> state: 0 … n−1 shuffled with one <see cref="Random.Shuffle{T}(T[])"/> call (as
    /// <see cref="Networks.MiniBatchTraining"/> shuffles).
    /// </summary>
    /// <param name="rowCount">The number of rows, ≥ 1.</param>
    /// <param name="random">A generator seeded alike on every process; advanced by one shuffle.</param>
    /// <returns>The shuffled row indices.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rowCount"/> is below 1.</exception>
    public static int[] EpochOrder(int rowCount, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (rowCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"rowCount must be at least 1; got {rowCount}.");
        }

        int[] order = [.. Enumerable.Range(0, rowCount)];
        random.Shuffle(order);
        return order;
    }
}
