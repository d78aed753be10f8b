using Optimizers.Datasets;

namespace Optimizers.Tests;

public sealed class DatasetTests
{
    [Fact]
    public void StandardizedColumnsHaveMeanZeroAndStandardDeviationOne()
    {
        var iris = PublicData.Iris();
        var standardized = iris.Standardized();

        for (int c = 0; c < standardized.FeatureCount; c++)
        {
            var column = standardized.Features.Column(c);
            column.Average().Should().BeApproximately(0, 1e-12, $"column {c}");
            Math.Sqrt(column.Select(v => v * v).Average()).Should().BeApproximately(1, 1e-12, $"column {c} (population sd)");
        }

        standardized.Labels.Should().Equal(iris.Labels);
        iris.Features[0, 0].Should().Be(5.1, "Standardized returns a copy and leaves the original alone");
    }

    [Fact]
    public void StandardizedOnlyCentresAConstantColumn()
    {
        var data = new Dataset("d", MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 1 }, { 2, 3 } }), [0, 1], ["a", "b"]);
        var standardized = data.Standardized();
        standardized.Features.Column(0).ToArray().Should().Equal(0.0, 0.0);
        standardized.Features.Column(1).ToArray().Should().Equal(-1.0, 1.0);
    }

    [Fact]
    public void StandardizedWithOtherStatisticsUsesTheirMeanAndDeviation()
    {
        var build = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build;
        var train = new Dataset("train", build.DenseOfArray(new double[,] { { 1 }, { 3 } }), [0, 1], ["a", "b"]);   // mean 2, sd 1
        var test = new Dataset("test", build.DenseOfArray(new double[,] { { 2 }, { 5 } }), [0, 1], ["a", "b"]);

        test.Standardized(statisticsFrom: train).Features.Column(0).ToArray().Should().Equal(0.0, 3.0); // (2−2)/1, (5−2)/1

        var wider = new Dataset("w", build.Dense(2, 2), [0, 1], ["a", "b"]);
        test.Invoking(t => t.Standardized(wider)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("statisticsFrom");
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.01)]
    public void SplitIsDisjointAndCoversEveryRow(double testFraction)
    {
        // Tag every row with its index as an extra feature so that rows can be traced through the split.
        var iris = PublicData.Iris();
        var tagged = iris with { Features = iris.Features.InsertColumn(4, MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(150, i => i)) };

        var (train, test) = tagged.Split(testFraction, seed: 7);

        test.Count.Should().Be((int)Math.Round(150 * testFraction));
        train.Count.Should().Be(150 - test.Count);
        var trainRows = train.Features.Column(4).Select(x => (int)x).ToArray();
        var testRows = test.Features.Column(4).Select(x => (int)x).ToArray();
        trainRows.Intersect(testRows).Should().BeEmpty();
        trainRows.Concat(testRows).Order().Should().Equal(Enumerable.Range(0, 150));

        // Each row keeps its own label and features.
        foreach (var (part, rows) in new[] { (train, trainRows), (test, testRows) })
        {
            for (int i = 0; i < rows.Length; i++)
            {
                part.Labels[i].Should().Be(iris.Labels[rows[i]]);
                part.Features.Row(i).SubVector(0, 4).ToArray().Should().Equal(iris.Features.Row(rows[i]).ToArray());
            }
        }

        tagged.Split(testFraction, seed: 7).Test.Features.Equals(test.Features).Should().BeTrue("the shuffle is seeded");
    }

    [Theory]
    [InlineData(0.999)]
    [InlineData(0.9999)]
    public void SplitKeepsAtLeastOneRowOnEachSide(double testFraction)
    {
        // 150 · 0.999 rounds to 150: without a bound the training part would be empty.
        var (train, test) = PublicData.Iris().Split(testFraction, seed: 1);
        train.Count.Should().Be(1);
        test.Count.Should().Be(149);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void SplitRejectsAFractionOutsideZeroToOne(double testFraction)
    {
        FluentActions.Invoking(() => PublicData.Iris().Split(testFraction, seed: 0))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("testFraction");
    }
}
