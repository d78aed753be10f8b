using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Optimizers.Tests;

public sealed class ParameterTests
{
    [Fact]
    public void GradientStartsAsZerosOfTheSameLength()
    {
        var p = new Parameter("w", Vector<double>.Build.DenseOfArray([1.0, 2.0, 3.0]));
        p.Name.Should().Be("w");
        p.Length.Should().Be(3);
        p.Gradient.ToArray().Should().Equal([0.0, 0.0, 0.0]);
        p.ToString().Should().Be("w [3]");
    }

    [Fact]
    public void ValueWrapsTheGivenStorageAndStepUpdatesItInPlace()
    {
        var storage = new double[] { 1, 2 };
        var vector = new DenseVector(storage);
        var p = new Parameter("w", vector);
        p.Value.Should().BeSameAs(vector);

        p.Gradient[0] = 4;
        p.Gradient[1] = -4;
        var sgd = new GradientDescent([p], learningRate: 0.5);
        sgd.Step();

        p.Value.Should().BeSameAs(vector, "Step writes into the existing vector");
        storage.Should().Equal([-1.0, 4.0], "1 − 0.5·4 = −1, 2 + 0.5·4 = 4, seen through the caller's array");
    }

    [Fact]
    public void ArrayConstructorSharesTheArray()
    {
        var storage = new double[] { 5, 6 };
        var p = new Parameter("w", storage);
        p.Value[1] = 7;
        storage[1].Should().Be(7);
    }

    [Fact]
    public void ZeroGradClearsTheGradientInPlace()
    {
        var p = new Parameter("w", new double[] { 1, 2 });
        var gradient = p.Gradient;
        gradient[0] = 3;
        gradient[1] = double.NaN;
        p.ZeroGrad();
        p.Gradient.Should().BeSameAs(gradient);
        p.Gradient.ToArray().Should().Equal([0.0, 0.0]);
    }

    [Fact]
    public void NullArgumentsAreNamed()
    {
        var value = Vector<double>.Build.Dense(2);
        FluentActions.Invoking(() => new Parameter(null!, value))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("name");
        FluentActions.Invoking(() => new Parameter("w", (Vector<double>)null!))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("value");
        FluentActions.Invoking(() => new Parameter("w", (double[])null!))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("values");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyNameIsRejected(string name)
    {
        FluentActions.Invoking(() => new Parameter(name, Vector<double>.Build.Dense(2)))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("name");
    }

    [Fact]
    public void SparseVectorIsRejectedBecauseItCannotBeUpdatedInPlace()
    {
        FluentActions.Invoking(() => new Parameter("w", Vector<double>.Build.Sparse(3)))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("value");
    }
}
