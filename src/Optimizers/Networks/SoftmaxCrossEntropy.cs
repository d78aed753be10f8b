using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Softmax over each row of logits and the mean cross-entropy against integer class labels.
/// </summary>
/// <remarks>
/// <code>
/// pᵢₖ = exp(zᵢₖ − mᵢ) / Σⱼ exp(zᵢⱼ − mᵢ)          (mᵢ = maxⱼ zᵢⱼ, for stability)
/// J   = −(1/n) Σᵢ log pᵢ,yᵢ
/// ∂J/∂zᵢₖ = (pᵢₖ − [k = yᵢ]) / n
/// </code>
/// Equals <c>torch.nn.functional.cross_entropy(z, y)</c> with the default mean reduction.
/// <para>Thread safety: the methods are pure functions of their arguments and may be called from several threads at once, as long as no thread writes the matrices passed in.</para>
/// </remarks>
public static class SoftmaxCrossEntropy
{
    /// <summary>Row-wise softmax of <paramref name="logits"/>: every row is a probability vector.</summary>
    /// <param name="logits">One row per sample, one column per class.</param>
    /// <returns>A new matrix of probabilities; each row sums to 1.</returns>
    public static Matrix<T> Softmax<T>(Matrix<T> logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        var p = logits.Clone();
        for (int r = 0; r < p.RowCount; r++)
        {
            T max = T.NegativeInfinity;
            for (int c = 0; c < p.ColumnCount; c++)
            {
                max = T.Max(max, p.At(r, c));
            }

            T sum = T.Zero;
            for (int c = 0; c < p.ColumnCount; c++)
            {
                T e = T.Exp(p.At(r, c) - max);
                p.At(r, c, e);
                sum += e;
            }

            for (int c = 0; c < p.ColumnCount; c++)
            {
                p.At(r, c, p.At(r, c) / sum);
            }
        }

        return p;
    }

    /// <summary>The mean cross-entropy −(1/n) Σᵢ log softmax(zᵢ)[yᵢ], computed with log-sum-exp.</summary>
    /// <param name="logits">One row per sample, one column per class.</param>
    /// <param name="labels">One class index per row, each in [0, classes).</param>
    /// <exception cref="ArgumentException">The label count differs from the row count, or there are no rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classes).</exception>
    public static double Loss<T>(Matrix<T> logits, IReadOnlyList<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        CheckLabels(labels, logits.RowCount, logits.ColumnCount);
        T total = T.Zero;
        for (int r = 0; r < logits.RowCount; r++)
        {
            T max = T.NegativeInfinity;
            for (int c = 0; c < logits.ColumnCount; c++)
            {
                max = T.Max(max, logits.At(r, c));
            }

            T sum = T.Zero;
            for (int c = 0; c < logits.ColumnCount; c++)
            {
                sum += T.Exp(logits.At(r, c) - max);
            }

            total += max + T.Log(sum) - logits.At(r, labels[r]);
        }

        return double.CreateTruncating(total / T.CreateTruncating(logits.RowCount));
    }

    /// <summary>∂J/∂z = (softmax(z) − onehot(y)) / n for the mean loss.</summary>
    /// <param name="probabilities">softmax(z), as returned by <see cref="Softmax"/>.</param>
    /// <param name="labels">One class index per row.</param>
    /// <returns>A new matrix of the same shape.</returns>
    public static Matrix<T> Gradient<T>(Matrix<T> probabilities, IReadOnlyList<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        CheckLabels(labels, probabilities.RowCount, probabilities.ColumnCount);
        var g = probabilities.Clone();
        for (int r = 0; r < g.RowCount; r++)
        {
            g.At(r, labels[r], g.At(r, labels[r]) - T.One);
        }

        return g.Divide(T.CreateTruncating(g.RowCount));
    }

    /// <summary>Validates labels against a batch of <paramref name="rows"/> samples and <paramref name="classes"/> classes.</summary>
    internal static void CheckLabels(IReadOnlyList<int>? labels, int rows, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (rows == 0)
        {
            throw new ArgumentException("The batch is empty: at least one sample is needed.", nameof(labels));
        }

        if (labels.Count != rows)
        {
            throw new ArgumentException($"There are {labels.Count} labels for {rows} samples; one label per sample is needed.", nameof(labels));
        }

        for (int i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {i} is {labels[i]}; labels must be in [0, {classes}).");
            }
        }
    }
}
