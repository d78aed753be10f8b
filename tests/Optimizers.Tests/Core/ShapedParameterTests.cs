using MathNet.Numerics.LinearAlgebra;
using Optimizers.Averaging;
using Optimizers.Networks;

namespace Optimizers.Tests;

/// <summary>Rank-2 parameters: built from a matrix, they share its storage and keep its logical shape.</summary>
public sealed class ShapedParameterTests
{
    [Fact]
    public void MatrixParameterSharesStorageAndKeepsRowsAndColumns()
    {
        // A 3 × 2 matrix (a tall weight: 3 outputs, 2 inputs); MathNet stores it column by column.
        var w = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var p = new Parameter("w", w);

        p.Rank.Should().Be(2);
        p.Rows.Should().Be(3);
        p.Columns.Should().Be(2);
        p.Shape.Should().Equal(3, 2);
        p.Length.Should().Be(6);
        p.ToString().Should().Be("w [3 × 2]");
        p.ValueMatrix.Should().BeSameAs(w);
        p.Value.ToArray().Should().Equal([1.0, 3, 5, 2, 4, 6], "element (i, j) is Value[i + j·Rows]: column-major");

        p.Gradient[1] = 8;   // element (1, 0)
        p.GradientMatrix[1, 0].Should().Be(8, "the gradient matrix is a view of the same storage, in the same order");

        p.Gradient[1] = 10;
        new GradientDescent([p], learningRate: 0.5).Step();
        w[1, 0].Should().Be(-2, "3 − 0.5·10 = −2, seen through the caller's matrix");
    }

    [Fact]
    public void SinglePrecisionMatrixParameter()
    {
        var w = Matrix<float>.Build.Dense(2, 5, (i, j) => i + 10 * j);
        var p = new Parameter<float>("w", w);
        p.Rows.Should().Be(2);
        p.Columns.Should().Be(5);
        p.Value[2].Should().Be(10f, "element (0, 1)");
        p.ValueMatrix.Should().BeSameAs(w);
    }

    [Fact]
    public void VectorParameterHasRankOneAndNoRowsOrColumns()
    {
        var p = new Parameter("b", new double[16]);
        p.Rank.Should().Be(1);
        p.Shape.Should().Equal(16);
        p.Invoking(q => q.Rows).Should().Throw<InvalidOperationException>().WithMessage("*'b' has rank 1*Rows*");
        p.Invoking(q => q.Columns).Should().Throw<InvalidOperationException>().WithMessage("*'b'*Columns*");
        p.Invoking(q => q.ValueMatrix).Should().Throw<InvalidOperationException>();
        p.Invoking(q => q.GradientMatrix).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void SparseOrNullMatrixIsRejectedNamingTheArgument()
    {
        var sparse = Matrix<double>.Build.Sparse(2, 2);
        FluentActions.Invoking(() => new Parameter("w", sparse)).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "value").WithMessage("*'w' needs a dense matrix*");
        FluentActions.Invoking(() => new Parameter("w", (Matrix<double>)null!)).Should().Throw<ArgumentNullException>()
            .Where(e => e.ParamName == "value");
        FluentActions.Invoking(() => new Parameter(" ", Matrix<double>.Build.Dense(1, 1))).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "name");
    }

    [Fact]
    public void NetworkWeightsCarryTheirShapeAndBiasesStayRankOne()
    {
        var network = Network.Mlp([4, 7, 3], seed: 1);
        var first = network.Layers[0];
        first.Weights.Rank.Should().Be(2);
        first.Weights.Rows.Should().Be(7, "torch's Linear weight is [out, in]");
        first.Weights.Columns.Should().Be(4);
        first.Weights.ValueMatrix.Should().BeSameAs(first.WeightMatrix);
        first.Bias.Rank.Should().Be(1);
        first.Bias.Shape.Should().Equal(7);
        network.Layers[1].Weights.Shape.Should().Equal(3, 7);

        var single = Network.Mlp<float>([2, 5, 2], seed: 1);
        single.Layers[0].Weights.Shape.Should().Equal(5, 2);
    }

    [Fact]
    public void AveragesKeepTheShapeOfTheirParameters()
    {
        var w = new Parameter("w", Matrix<double>.Build.Dense(3, 2));
        var b = new Parameter("b", new double[3]);
        var averaged = new AveragedParameters([w, b]);
        averaged.Averages[0].Shape.Should().Equal(3, 2);
        averaged.Averages[1].Shape.Should().Equal(3);
    }
}
