using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Mini-batch training of a <see cref="Network{T}"/>, a classifier with class labels or a regressor with a matrix of
/// targets: one epoch visits every sample once, in a fresh seeded order, and takes one optimizer step per batch.
/// </summary>
/// <remarks>
/// Thread safety: the <c>TrainEpoch</c> methods write the network's gradients and weights, the optimizer's state and the
/// <see cref="Random"/>; do not use any of them from another thread during an epoch. Distinct networks with distinct
/// optimizers and generators may train on different threads at once.
/// </remarks>
public static class MiniBatchTraining
{
    /// <summary>
    /// Trains the classifier <paramref name="network"/> for one epoch of mini-batch gradient steps and returns the
    /// mean loss of the epoch.
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
    /// <see cref="Network{T}.Loss(Matrix{T}, IReadOnlyList{int})"/> on all the rows.
    /// </para>
    /// </remarks>
    /// <param name="network">The classifier whose parameters <paramref name="optimizer"/> updates.</param>
    /// <param name="optimizer">An optimizer over <paramref name="network"/>'s <see cref="Network{T}.Parameters"/>.</param>
    /// <param name="inputs">One row per sample, <see cref="Network{T}.InputSize"/> columns; at least one row.</param>
    /// <param name="labels">One class index per row, each in [0, <see cref="Network{T}.ClassCount"/>).</param>
    /// <param name="batchSize">Rows per optimizer step, ≥ 1.</param>
    /// <param name="random">Source of the epoch's shuffle; advanced by one shuffle when there is more than one batch.</param>
    /// <returns>The mean training loss over the epoch's batches (weighted by batch size).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is a regressor (it takes a matrix of targets); nothing is changed.
    /// </exception>
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
        CheckNotNull(network, optimizer, inputs, random);
        ArgumentNullException.ThrowIfNull(labels);
        network.RequireClassifier("TrainEpoch with class labels");
        CheckSizes(network, inputs, batchSize);
        SoftmaxCrossEntropy.CheckLabels(labels, inputs.RowCount, network.OutputSize);
        return Epoch(network, optimizer, inputs, batchSize, random,
                     () => network.Backward(inputs, labels),
                     rows => new LabelBatch<T>(rows, inputs.ColumnCount, labels));
    }

    /// <summary>
    /// Trains the regressor <paramref name="network"/> for one epoch of mini-batch gradient steps and returns the
    /// mean loss of the epoch: as <see cref="TrainEpoch{T}(Network{T}, IOptimizer, Matrix{T}, IReadOnlyList{int}, int, Random)"/>
    /// (same shuffle, batches and mean), with the targets' rows taken along with the inputs'.
    /// </summary>
    /// <param name="network">The regressor whose parameters <paramref name="optimizer"/> updates.</param>
    /// <param name="optimizer">An optimizer over <paramref name="network"/>'s <see cref="Network{T}.Parameters"/>.</param>
    /// <param name="inputs">One row per sample, <see cref="Network{T}.InputSize"/> columns; at least one row.</param>
    /// <param name="targets">One row per sample, <see cref="Network{T}.OutputSize"/> columns of real values.</param>
    /// <param name="batchSize">Rows per optimizer step, ≥ 1.</param>
    /// <param name="random">Source of the epoch's shuffle; advanced by one shuffle when there is more than one batch.</param>
    /// <returns>The mean training loss over the epoch's batches (weighted by batch size).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="network"/> is a classifier (it takes class labels); nothing is changed.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// The column count of <paramref name="inputs"/> is not the network's input size, <paramref name="targets"/> has
    /// another row count or not <see cref="Network{T}.OutputSize"/> columns, or there are no rows; nothing is changed.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1; nothing is changed.</exception>
    public static double TrainEpoch<T>(this Network<T> network, IOptimizer optimizer, Matrix<T> inputs,
                                       Matrix<T> targets, int batchSize, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckNotNull(network, optimizer, inputs, random);
        ArgumentNullException.ThrowIfNull(targets);
        network.RequireRegressor("TrainEpoch with a matrix of targets");
        CheckSizes(network, inputs, batchSize);
        RegressionLosses.CheckTargets(targets, inputs.RowCount, network.OutputSize);
        return Epoch(network, optimizer, inputs, batchSize, random,
                     () => network.Backward(inputs, targets),
                     rows => new TargetBatch<T>(rows, inputs.ColumnCount, targets));
    }

    private static void CheckNotNull<T>(Network<T> network, IOptimizer optimizer, Matrix<T> inputs, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(random);
    }

    private static void CheckSizes<T>(Network<T> network, Matrix<T> inputs, int batchSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be at least 1; got {batchSize}.");
        }

        if (inputs.ColumnCount != network.InputSize)
        {
            throw new ArgumentException($"inputs has {inputs.ColumnCount} columns; this network takes {network.InputSize} features.", nameof(inputs));
        }
    }

    /// <summary>One epoch over n = inputs.RowCount rows: one full-batch step, or shuffled batches made by <paramref name="newBatch"/>.</summary>
    private static double Epoch<T>(Network<T> network, IOptimizer optimizer, Matrix<T> inputs, int batchSize, Random random,
                                   Func<double> fullBatch, Func<int, Batch<T>> newBatch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = inputs.RowCount;
        if (batchSize >= n)
        {
            optimizer.ZeroGrad();
            double loss = fullBatch();
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
        var full = newBatch(batchSize);
        double total = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var batch = count == batchSize ? full : newBatch(count);
            batch.Gather(inputs, order.AsSpan(start, count));
            optimizer.ZeroGrad();
            total += count * batch.Backward(network);
            optimizer.Step();
        }

        return total / n;
    }

    /// <summary>A batch's inputs, and its targets in a subclass, over reusable storage.</summary>
    private abstract class Batch<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _values;

        protected Batch(int rows, int columns)
        {
            _values = new T[rows * columns];
            Inputs = Matrix<T>.Build.Dense(rows, columns, _values);
        }

        public Matrix<T> Inputs { get; }

        /// <summary>Copies the rows at <paramref name="rows"/> (column-major, as DenseMatrix stores them), and their targets.</summary>
        public void Gather(Matrix<T> inputs, ReadOnlySpan<int> rows)
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

            GatherTargets(rows);
        }

        /// <summary>network.Backward on this batch.</summary>
        public abstract double Backward(Network<T> network);

        protected abstract void GatherTargets(ReadOnlySpan<int> rows);
    }

    private sealed class LabelBatch<T>(int rows, int columns, IReadOnlyList<int> labels) : Batch<T>(rows, columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int[] _labels = new int[rows];

        public override double Backward(Network<T> network) => network.Backward(Inputs, _labels);

        protected override void GatherTargets(ReadOnlySpan<int> rows)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                _labels[r] = labels[rows[r]];
            }
        }
    }

    private sealed class TargetBatch<T>(int rows, int columns, Matrix<T> targets) : Batch<T>(rows, columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Matrix<T> _targets = Matrix<T>.Build.Dense(rows, targets.ColumnCount, new T[rows * targets.ColumnCount]);

        public override double Backward(Network<T> network) => network.Backward(Inputs, _targets);

        protected override void GatherTargets(ReadOnlySpan<int> rows)
        {
            for (int c = 0; c < targets.ColumnCount; c++)
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    _targets.At(r, c, targets.At(rows[r], c));
                }
            }
        }
    }
}
