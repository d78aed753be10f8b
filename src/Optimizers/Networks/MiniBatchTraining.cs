using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Mini-batch training of a <see cref="Network{T}"/>: one epoch visits every sample once, in a fresh seeded order,
/// and takes one optimizer step per batch.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="TrainEpoch{T}"/> writes the network's gradients and weights, the optimizer's state and the
/// <see cref="Random"/>; do not use any of them from another thread during an epoch. Distinct networks with distinct
/// optimizers and generators may train on different threads at once.
/// </remarks>
public static class MiniBatchTraining
{
    /// <summary>
    /// Trains <paramref name="network"/> for one epoch of mini-batch gradient steps and returns the mean loss
    /// of the epoch.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The epoch shuffles the row indices 0 … n−1 with one call of <see cref="Random.Shuffle{T}(T[])"/> on
    /// <paramref name="random"/>, cuts that order into consecutive batches of <paramref name="batchSize"/> rows (the
    /// last batch holds the remainder), and for each batch B does
    /// <c>optimizer.ZeroGrad(); Jʙ = network.Backward(X_B, y_B); optimizer.Step()</c>. Passing the same seeded
    /// <see cref="Random"/> through successive epochs gives a new, reproducible order each epoch.
    /// </para>
    /// <para>
    /// When <paramref name="batchSize"/> ≥ n the epoch is a single full-batch step on the rows in their given
    /// order and <paramref name="random"/> is not used, so full-batch training is exactly the plain
    /// ZeroGrad/Backward/Step loop.
    /// </para>
    /// <para>
    /// The returned value is the sample-weighted mean of the batch losses, Σ_B |B|·Jʙ / n, each measured before
    /// its batch's step (PyTorch users know it as the running "epoch loss"). With a zero learning rate it equals
    /// <see cref="Network{T}.Loss"/> on all the rows.
    /// </para>
    /// </remarks>
    /// <param name="network">The network whose parameters <paramref name="optimizer"/> updates.</param>
    /// <param name="optimizer">An optimizer over <paramref name="network"/>'s <see cref="Network{T}.Parameters"/>.</param>
    /// <param name="inputs">One row per sample, <see cref="Network{T}.InputSize"/> columns; at least one row.</param>
    /// <param name="labels">One class index per row, each in [0, <see cref="Network{T}.ClassCount"/>).</param>
    /// <param name="batchSize">Rows per optimizer step, ≥ 1.</param>
    /// <param name="random">Source of the epoch's shuffle; advanced by one shuffle when there is more than one batch.</param>
    /// <returns>The mean training loss over the epoch's batches (weighted by batch size).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The column count is not the network's input size, the label count differs from the row count, or there
    /// are no rows; nothing is changed.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="batchSize"/> is below 1 or a label is out of range; nothing is changed.
    /// </exception>
    public static double TrainEpoch<T>(this Network<T> network, IOptimizer optimizer, Matrix<T> inputs,
                                       IReadOnlyList<int> labels, int batchSize, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be at least 1; got {batchSize}.");
        }

        if (inputs.ColumnCount != network.InputSize)
        {
            throw new ArgumentException($"inputs has {inputs.ColumnCount} columns; this network takes {network.InputSize} features.", nameof(inputs));
        }

        SoftmaxCrossEntropy.CheckLabels(labels, inputs.RowCount, network.ClassCount);

        int n = inputs.RowCount;
        if (batchSize >= n)
        {
            optimizer.ZeroGrad();
            double loss = network.Backward(inputs, labels);
            optimizer.Step();
            return loss;
        }

        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);

        // Full batches reuse one buffer; only the remainder batch gets its own.
        var fullBatch = new Batch<T>(batchSize, inputs.ColumnCount);
        double total = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var batch = count == batchSize ? fullBatch : new Batch<T>(count, inputs.ColumnCount);
            batch.Gather(inputs, labels, order.AsSpan(start, count));
            optimizer.ZeroGrad();
            total += count * network.Backward(batch.Inputs, batch.Labels);
            optimizer.Step();
        }

        return total / n;
    }

    /// <summary>A batch's inputs and labels over reusable storage.</summary>
    private sealed class Batch<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _values;

        public Batch(int rows, int columns)
        {
            _values = new T[rows * columns];
            Inputs = Matrix<T>.Build.Dense(rows, columns, _values);
            Labels = new int[rows];
        }

        public Matrix<T> Inputs { get; }

        public int[] Labels { get; }

        /// <summary>Copies the rows at <paramref name="rows"/> (column-major, as DenseMatrix stores them).</summary>
        public void Gather(Matrix<T> inputs, IReadOnlyList<int> labels, ReadOnlySpan<int> rows)
        {
            int count = rows.Length;
            for (int c = 0; c < inputs.ColumnCount; c++)
            {
                int offset = c * count;
                for (int r = 0; r < count; r++)
                {
                    _values[offset + r] = inputs.At(rows[r], c);
                }
            }

            for (int r = 0; r < count; r++)
            {
                Labels[r] = labels[rows[r]];
            }
        }
    }
}
