using MathNet.Numerics.LinearAlgebra;

namespace Optimizers.Datasets;

/// <summary>A classification data set: one row of <see cref="Features"/> per sample and one label each.</summary>
/// <param name="Name">A short name for messages and plots.</param>
/// <param name="Features">One row per sample.</param>
/// <param name="Labels">The class of each row, in [0, <see cref="ClassNames"/>.Count).</param>
/// <param name="ClassNames">A name per class.</param>
public sealed record Dataset(string Name, Matrix<double> Features, int[] Labels, IReadOnlyList<string> ClassNames)
{
    /// <summary>The number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>The number of features per sample.</summary>
    public int FeatureCount => Features.ColumnCount;

    /// <summary>The number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// A copy with every feature column shifted and scaled by the mean and standard deviation of that column in
    /// <paramref name="statisticsFrom"/> (this data set when null): mean 0 and standard deviation 1 for the data the
    /// statistics come from. Constant columns are only centred. Standardize a held-out part with the training
    /// part's statistics (<c>test.Standardized(train)</c>) so that nothing of it leaks into training.
    /// </summary>
    /// <param name="statisticsFrom">The data whose column statistics to use; it must have the same feature count.</param>
    /// <exception cref="ArgumentException"><paramref name="statisticsFrom"/> has another feature count or no rows.</exception>
    public Dataset Standardized(Dataset? statisticsFrom = null)
    {
        var source = statisticsFrom ?? this;
        if (source.FeatureCount != FeatureCount || source.Count == 0)
        {
            throw new ArgumentException(
                $"statisticsFrom must have {FeatureCount} features and at least one row; it has {source.FeatureCount} features and {source.Count} rows.",
                nameof(statisticsFrom));
        }

        var x = Features.Clone();
        for (int c = 0; c < x.ColumnCount; c++)
        {
            var column = source.Features.Column(c);
            double mean = column.Average();
            double sd = Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Average());
            double scale = sd > 0 ? 1 / sd : 1;
            for (int r = 0; r < x.RowCount; r++)
            {
                x.At(r, c, (x.At(r, c) - mean) * scale);
            }
        }

        return this with { Features = x };
    }

    /// <summary>
    /// Splits the rows into a training and a held-out part after a seeded shuffle. The held-out part has
    /// round(Count · testFraction) rows, but at least one, and leaves at least one row for training (when Count ≥ 2).
    /// </summary>
    /// <param name="testFraction">The share of rows held out, in (0, 1).</param>
    /// <param name="seed">Seeds the shuffle.</param>
    public (Dataset Train, Dataset Test) Split(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        }

        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        // At least one row on each side (when there are two or more): rounding must not empty either part.
        int testCount = Math.Clamp((int)Math.Round(Count * testFraction), 1, Math.Max(1, Count - 1));
        return (Subset(order[testCount..]), Subset(order[..testCount]));
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public Dataset Subset(IReadOnlyList<int> rows)
    {
        var x = Matrix<double>.Build.Dense(rows.Count, FeatureCount, (r, c) => Features.At(rows[r], c));
        return this with { Features = x, Labels = rows.Select(r => Labels[r]).ToArray() };
    }
}
