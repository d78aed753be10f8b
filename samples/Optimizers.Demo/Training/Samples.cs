using System.Numerics;
using Optimizers.Datasets;
using Optimizers.Networks;

namespace Optimizers.Demo.Training;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Rows to train on or to score, in the element type <typeparamref name="T"/>: the inputs and what the network should
/// output for them (class labels for a classifier, a target matrix for a regressor).
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Samples<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps <paramref name="inputs"/>.</summary>
    protected Samples(Matrix<T> inputs) => Inputs = inputs;

    /// <summary>One row per sample.</summary>
    public Matrix<T> Inputs { get; }

    /// <summary>The number of samples.</summary>
    public int Count => Inputs.RowCount;

    /// <summary>Whether the rows have class labels (a classifier's), so that an accuracy can be measured.</summary>
    public abstract bool HasClasses { get; }

    /// <summary>One epoch of <c>network.TrainEpoch</c> on these rows; returns the epoch's mean loss.</summary>
    public abstract double TrainEpoch(Network<T> network, IOptimizer optimizer, int batchSize, Random random);

    /// <summary>The network's mean loss on these rows.</summary>
    public abstract double Loss(Network<T> network);

    /// <summary>Fills the network's gradients from every row at once (full batch) and returns the mean loss.</summary>
    public abstract double Backward(Network<T> network);

    /// <summary>The share of rows classified correctly, or null when the rows have no classes (regression).</summary>
    public abstract double? Accuracy(Network<T> network);

    /// <summary>The first <paramref name="count"/> rows (all of them if there are fewer).</summary>
    public abstract Samples<T> First(int count);
}

/// <summary>Rows with a class label each, for a classifier.</summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class LabelledSamples<T>(Matrix<T> inputs, int[] labels) : Samples<T>(inputs)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The class of each row.</summary>
    public int[] Labels { get; } = labels;

    /// <inheritdoc />
    public override bool HasClasses => true;

    /// <inheritdoc />
    public override double TrainEpoch(Network<T> network, IOptimizer optimizer, int batchSize, Random random)
        => network.TrainEpoch(optimizer, Inputs, Labels, batchSize, random);

    /// <inheritdoc />
    public override double Loss(Network<T> network) => network.Loss(Inputs, Labels);

    /// <inheritdoc />
    public override double Backward(Network<T> network) => network.Backward(Inputs, Labels);

    /// <inheritdoc />
    public override double? Accuracy(Network<T> network) => network.Accuracy(Inputs, Labels);

    /// <inheritdoc />
    public override Samples<T> First(int count)
    {
        int n = Math.Min(count, Count);
        return new LabelledSamples<T>(Inputs.SubMatrix(0, n, 0, Inputs.ColumnCount), Labels[..n]);
    }
}

/// <summary>Rows with real-valued targets, for a regressor.</summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class TargetSamples<T>(Matrix<T> inputs, Matrix<T> targets) : Samples<T>(inputs)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>One row of targets per sample.</summary>
    public Matrix<T> Targets { get; } = targets;

    /// <inheritdoc />
    public override bool HasClasses => false;

    /// <inheritdoc />
    public override double TrainEpoch(Network<T> network, IOptimizer optimizer, int batchSize, Random random)
        => network.TrainEpoch(optimizer, Inputs, Targets, batchSize, random);

    /// <inheritdoc />
    public override double Loss(Network<T> network) => network.Loss(Inputs, Targets);

    /// <inheritdoc />
    public override double Backward(Network<T> network) => network.Backward(Inputs, Targets);

    /// <inheritdoc />
    public override double? Accuracy(Network<T> network) => null;

    /// <inheritdoc />
    public override Samples<T> First(int count)
    {
        int n = Math.Min(count, Count);
        return new TargetSamples<T>(Inputs.SubMatrix(0, n, 0, Inputs.ColumnCount), Targets.SubMatrix(0, n, 0, Targets.ColumnCount));
    }
}

/// <summary>Builds <see cref="Samples{T}"/> from the demo's double-precision data, rounding every value to T once.</summary>
public static class Samples
{
    /// <summary>The features and labels of <paramref name="data"/> in <typeparamref name="T"/>.</summary>
    public static LabelledSamples<T> Of<T>(Dataset data)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(ToElementType<T>(data.Features), data.Labels);

    /// <summary>The inputs and targets of <paramref name="data"/> in <typeparamref name="T"/>.</summary>
    public static TargetSamples<T> Of<T>(RegressionData data)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(ToElementType<T>(data.Inputs), ToElementType<T>(data.Targets));

    /// <summary>A copy of <paramref name="m"/> with every element rounded to <typeparamref name="T"/> (the same matrix values for double).</summary>
    public static Matrix<T> ToElementType<T>(Matrix<double> m)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Matrix<T>.Build.Dense(m.RowCount, m.ColumnCount, (r, c) => T.CreateTruncating(m.At(r, c)));
}
