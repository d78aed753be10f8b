using MathNet.Numerics.LinearAlgebra;

namespace Optimizers.Demo.Training;

/// <summary>
/// A regression data set with one input and one output: noisy samples of a known function, which the charts draw
/// beside the network's fit.
/// </summary>
/// <param name="Name">A short name for messages and charts.</param>
/// <param name="Inputs">One row per sample, one column (x).</param>
/// <param name="Targets">One row per sample, one column (y).</param>
/// <param name="TruthName">The function the targets are drawn from, as the output names it (<c>sin x</c>).</param>
/// <param name="Truth">That function.</param>
/// <param name="Noise">The standard deviation of the Gaussian noise added to each target.</param>
public sealed record RegressionData(string Name, Matrix<double> Inputs, Matrix<double> Targets, string TruthName, Func<double, double> Truth, double Noise)
{
    /// <summary>The number of samples.</summary>
    public int Count => Inputs.RowCount;

    /// <summary>
    /// y = sin x + ε on [−3, 3]: <paramref name="count"/> inputs drawn uniformly from the seeded generator, each target
    /// with Gaussian noise of standard deviation <paramref name="noise"/> (Box–Muller, from the same generator).
    /// </summary>
    /// <param name="count">The number of samples, at least 2.</param>
    /// <param name="noise">The noise's standard deviation, at least 0.</param>
    /// <param name="seed">Seeds the inputs and the noise.</param>
    public static RegressionData NoisySine(int count, double noise, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        var random = new Random(seed);
        var x = Matrix<double>.Build.Dense(count, 1);
        var y = Matrix<double>.Build.Dense(count, 1);
        for (int i = 0; i < count; i++)
        {
            x[i, 0] = -3 + 6 * random.NextDouble();
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            y[i, 0] = Math.Sin(x[i, 0]) + noise * gaussian;
        }

        return new RegressionData("sine", x, y, "sin x", Math.Sin, noise);
    }

    /// <summary>
    /// Splits the rows into a training and a held-out part after a seeded shuffle, by the rule of
    /// <c>Dataset.Split</c>: round(Count · testFraction) rows held out, at least one on each side.
    /// </summary>
    /// <param name="testFraction">The share of rows held out, in (0, 1).</param>
    /// <param name="seed">Seeds the shuffle.</param>
    public (RegressionData Train, RegressionData Test) Split(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        }

        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        int testCount = Math.Clamp((int)Math.Round(Count * testFraction), 1, Math.Max(1, Count - 1));
        return (Subset(order[testCount..]), Subset(order[..testCount]));
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public RegressionData Subset(IReadOnlyList<int> rows)
        => this with
        {
            Inputs = Matrix<double>.Build.Dense(rows.Count, Inputs.ColumnCount, (r, c) => Inputs.At(rows[r], c)),
            Targets = Matrix<double>.Build.Dense(rows.Count, Targets.ColumnCount, (r, c) => Targets.At(rows[r], c)),
        };

    /// <summary>The mean squared error of <see cref="Truth"/> itself on these rows: what the noise alone costs, the least a fit can expect.</summary>
    public double TruthError() => Enumerable.Range(0, Count).Average(i => Math.Pow(Truth(Inputs[i, 0]) - Targets[i, 0], 2));
}
