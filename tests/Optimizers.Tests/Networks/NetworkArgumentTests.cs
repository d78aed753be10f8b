using MathNet.Numerics.LinearAlgebra;
using Optimizers.Networks;

namespace Optimizers.Tests;

/// <summary>Bad shapes and labels throw naming the argument and leave every value and gradient as it was.</summary>
public sealed class NetworkArgumentTests
{
    private readonly Network _network = Network.Mlp([3, 5, 4, 3], Activation.Tanh, seed: 1);
    private readonly Matrix<double> _inputs = Matrix<double>.Build.Dense(4, 3, (r, c) => (0.3 * r) - (0.2 * c));
    private readonly int[] _labels = [0, 1, 2, 1];

    public NetworkArgumentTests()
    {
        _network.Backward(_inputs, _labels);   // non-zero gradients, so "unchanged" means something
    }

    public static TheoryData<string, int, int[]> BadBatches => new()
    {
        // what, input columns, labels   (the valid batch is 4 rows × 3 columns, labels in [0, 3))
        { "too few labels", 3, [0, 1, 2] },
        { "too many labels", 3, [0, 1, 2, 1, 0] },
        { "label −1", 3, [0, -1, 2, 1] },
        { "label = class count", 3, [0, 1, 3, 1] },
        { "too few columns", 2, [0, 1, 2, 1] },
        { "too many columns", 4, [0, 1, 2, 1] },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public void BackwardAndLossRejectABadBatchAndChangeNothing(string what, int columns, int[] labels)
    {
        var inputs = Matrix<double>.Build.Dense(4, columns, (r, c) => r + c);
        string expectedName = columns != 3 ? "inputs" : "labels";
        var snapshot = Capture();

        var backward = FluentActions.Invoking(() => _network.Backward(inputs, labels)).Should().Throw<ArgumentException>(what).Which;
        backward.ParamName.Should().Be(expectedName, what);
        var loss = FluentActions.Invoking(() => _network.Loss(inputs, labels)).Should().Throw<ArgumentException>(what).Which;
        loss.ParamName.Should().Be(expectedName, what);
        var accuracy = FluentActions.Invoking(() => _network.Accuracy(inputs, labels)).Should().Throw<ArgumentException>(what).Which;
        accuracy.ParamName.Should().Be(expectedName, what);

        ShouldBeUnchanged(snapshot);
    }

    [Fact]
    public void LabelOutOfRangeIsAnArgumentOutOfRangeException()
    {
        FluentActions.Invoking(() => _network.Backward(_inputs, [0, 1, 7, 1]))
            .Should().ThrowExactly<ArgumentOutOfRangeException>().Which.ActualValue.Should().Be(7);
    }

    [Fact]
    public void EmptyBatchIsRejected()
    {
        var snapshot = Capture();
        var empty = Matrix<double>.Build.Dense(0, 3);
        FluentActions.Invoking(() => _network.Backward(empty, [])).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("labels");
        FluentActions.Invoking(() => _network.Loss(empty, [])).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("empty");
        ShouldBeUnchanged(snapshot);
    }

    [Fact]
    public void NullArgumentsAreNamed()
    {
        FluentActions.Invoking(() => _network.Backward(null!, _labels)).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("inputs");
        FluentActions.Invoking(() => _network.Backward(_inputs, (int[])null!)).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("labels");
        FluentActions.Invoking(() => _network.Predict(null!)).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("inputs");
    }

    [Fact]
    public void PredictAndClassifyRejectTheWrongInputWidth()
    {
        var wide = Matrix<double>.Build.Dense(2, 5);
        FluentActions.Invoking(() => _network.Predict(wide)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("inputs");
        FluentActions.Invoking(() => _network.Classify(wide)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("inputs");
    }

    public static TheoryData<int[]> BadSizes => new()
    {
        Array.Empty<int>(),
        new[] { 4 },                // no class count
        new[] { 0, 3 },             // no inputs
        new[] { 4, 0, 3 },          // empty hidden layer
        new[] { 4, -2, 3 },
        new[] { 4, 5, 1 },          // one class
    };

    [Theory]
    [MemberData(nameof(BadSizes))]
    public void MlpRejectsInvalidSizes(int[] sizes)
    {
        FluentActions.Invoking(() => Network.Mlp(sizes)).Should().ThrowExactly<ArgumentException>()
            .Which.ParamName.Should().Be("layerSizes");
    }

    [Fact]
    public void MlpRejectsNullSizesAndUnknownActivation()
    {
        FluentActions.Invoking(() => Network.Mlp(null!)).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("layerSizes");
        FluentActions.Invoking(() => Network.Mlp([2, 3], (Activation)42)).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("hidden");
    }

    [Fact]
    public void TheSmallestValidNetworkHasNoHiddenLayer()
    {
        var network = Network.Mlp([1, 2]);
        network.Layers.Should().ContainSingle();
        network.Parameters.Should().HaveCount(2);
    }

    private (double[][] Values, double[][] Gradients) Capture() =>
        (_network.Parameters.Select(p => p.Value.ToArray()).ToArray(),
         _network.Parameters.Select(p => p.Gradient.ToArray()).ToArray());

    private void ShouldBeUnchanged((double[][] Values, double[][] Gradients) snapshot)
    {
        for (int k = 0; k < _network.Parameters.Count; k++)
        {
            _network.Parameters[k].Value.ToArray().Should().Equal(snapshot.Values[k]);
            _network.Parameters[k].Gradient.ToArray().Should().Equal(snapshot.Gradients[k]);
        }

        snapshot.Gradients.SelectMany(g => g).Should().Contain(g => g != 0);
    }
}
