using MathNet.Numerics.LinearAlgebra;
using Optimizers.Networks;

namespace Optimizers.Tests;

/// <summary>
/// A regressor given class labels, a classifier given a matrix of targets, and bad targets: each throws naming the
/// problem and leaves every value and gradient as it was.
/// </summary>
public sealed class RegressorArgumentTests
{
    private readonly Network _regressor = Network.Regressor([3, 5, 2], Activation.Tanh, RegressionLoss.MeanSquaredError, seed: 1);
    private readonly Network _classifier = Network.Mlp([3, 5, 2], Activation.Tanh, seed: 1);
    private readonly Matrix<double> _inputs = Matrix<double>.Build.Dense(4, 3, (r, c) => (0.3 * r) - (0.2 * c));
    private readonly Matrix<double> _targets = Matrix<double>.Build.Dense(4, 2, (r, c) => r - c);
    private readonly int[] _labels = [0, 1, 1, 0];

    public RegressorArgumentTests()
    {
        // Non-zero gradients, so that "unchanged" means something.
        _regressor.Backward(_inputs, _targets);
        _classifier.Backward(_inputs, _labels);
    }

    [Fact]
    public void Class_methods_on_a_regressor_throw_InvalidOperationException_and_change_nothing()
    {
        var snapshot = Capture(_regressor);
        var optimizer = new GradientDescent(_regressor.Parameters, 0.1);

        var calls = new (string Name, Action Call)[]
        {
            ("Classify", () => _regressor.Classify(_inputs)),
            ("Accuracy", () => _regressor.Accuracy(_inputs, _labels)),
            ("Loss", () => _regressor.Loss(_inputs, _labels)),
            ("Backward", () => _regressor.Backward(_inputs, _labels)),
            ("TrainEpoch", () => _regressor.TrainEpoch(optimizer, _inputs, _labels, 2, new Random(1))),
            ("ClassCount", () => _ = _regressor.ClassCount),
        };
        foreach (var (name, call) in calls)
        {
            var message = FluentActions.Invoking(call).Should().ThrowExactly<InvalidOperationException>(name).Which.Message;
            message.Should().Contain("regressor", name);
        }

        FluentActions.Invoking(() => _regressor.Classify(_inputs)).Should().Throw<InvalidOperationException>()
            .WithMessage("Classify does not apply: this network is a regressor (mean squared error); its outputs are real values, not class scores. *");
        ShouldBeUnchanged(_regressor, snapshot);
        optimizer.StepCount.Should().Be(0);
    }

    [Fact]
    public void Targets_given_to_a_classifier_throw_InvalidOperationException_and_change_nothing()
    {
        var snapshot = Capture(_classifier);
        var optimizer = new GradientDescent(_classifier.Parameters, 0.1);

        var calls = new (string Name, Action Call)[]
        {
            ("Loss", () => _classifier.Loss(_inputs, _targets)),
            ("Backward", () => _classifier.Backward(_inputs, _targets)),
            ("TrainEpoch", () => _classifier.TrainEpoch(optimizer, _inputs, _targets, 2, new Random(1))),
        };
        foreach (var (name, call) in calls)
        {
            FluentActions.Invoking(call).Should().ThrowExactly<InvalidOperationException>(name)
                .WithMessage($"{name} with a matrix of targets does not apply: this network is a classifier (softmax cross-entropy). *Network.Regressor*");
        }

        ShouldBeUnchanged(_classifier, snapshot);
        optimizer.StepCount.Should().Be(0);
    }

    public static TheoryData<string, int, int, int> BadTargets => new()
    {
        // what, input columns, target rows, target columns   (the valid batch is 4 × 3 inputs, 4 × 2 targets)
        { "too few target rows", 3, 3, 2 },
        { "too many target rows", 3, 5, 2 },
        { "too few target columns", 3, 4, 1 },
        { "too many target columns", 3, 4, 3 },
        { "too few input columns", 2, 4, 2 },
        { "too many input columns", 4, 4, 2 },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public void Loss_Backward_and_TrainEpoch_reject_a_bad_batch_and_change_nothing(string what, int columns, int rows, int outputs)
    {
        var inputs = Matrix<double>.Build.Dense(4, columns, (r, c) => r + c);
        var targets = Matrix<double>.Build.Dense(rows, outputs, (r, c) => r * c);
        string expectedName = columns != 3 ? "inputs" : "targets";
        var snapshot = Capture(_regressor);
        var optimizer = new GradientDescent(_regressor.Parameters, 0.1);

        foreach (var call in new Action[]
                 {
                     () => _regressor.Loss(inputs, targets),
                     () => _regressor.Backward(inputs, targets),
                     () => _regressor.TrainEpoch(optimizer, inputs, targets, 2, new Random(1)),
                 })
        {
            FluentActions.Invoking(call).Should().ThrowExactly<ArgumentException>(what).Which.ParamName.Should().Be(expectedName, what);
        }

        ShouldBeUnchanged(_regressor, snapshot);
    }

    [Fact]
    public void Empty_and_null_targets_are_named()
    {
        var snapshot = Capture(_regressor);
        var optimizer = new GradientDescent(_regressor.Parameters, 0.1);
        FluentActions.Invoking(() => _regressor.Backward(Matrix<double>.Build.Dense(0, 3), Matrix<double>.Build.Dense(0, 2)))
            .Should().ThrowExactly<ArgumentException>().WithMessage("*empty*").Which.ParamName.Should().Be("targets");
        FluentActions.Invoking(() => _regressor.Backward(_inputs, (Matrix<double>)null!))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("targets");
        FluentActions.Invoking(() => _regressor.Loss(null!, _targets))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("inputs");
        FluentActions.Invoking(() => _regressor.TrainEpoch(optimizer, _inputs, (Matrix<double>)null!, 2, new Random(1)))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("targets");
        FluentActions.Invoking(() => _regressor.TrainEpoch(optimizer, _inputs, _targets, 0, new Random(1)))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("batchSize");
        ShouldBeUnchanged(_regressor, snapshot);
    }

    public static TheoryData<int[]> BadSizes => new()
    {
        Array.Empty<int>(),
        new[] { 4 },                // no output count
        new[] { 0, 3 },             // no inputs
        new[] { 4, 0, 1 },          // empty hidden layer
        new[] { 4, 5, 0 },          // no outputs
    };

    [Theory]
    [MemberData(nameof(BadSizes))]
    public void Regressor_rejects_invalid_sizes(int[] sizes)
    {
        FluentActions.Invoking(() => Network.Regressor(sizes)).Should().ThrowExactly<ArgumentException>()
            .Which.ParamName.Should().Be("layerSizes");
        FluentActions.Invoking(() => Network.Regressor<float>(sizes)).Should().ThrowExactly<ArgumentException>()
            .Which.ParamName.Should().Be("layerSizes");
    }

    [Fact]
    public void Regressor_rejects_an_unknown_loss_or_activation_and_null_sizes()
    {
        FluentActions.Invoking(() => Network.Regressor([2, 1], Activation.Tanh, (RegressionLoss)7)).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("loss");
        FluentActions.Invoking(() => Network.Regressor([2, 1], (Activation)42)).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("hidden");
        FluentActions.Invoking(() => Network.Regressor(null!)).Should().Throw<ArgumentNullException>()
            .Which.ParamName.Should().Be("layerSizes");
    }

    [Fact]
    public void A_regressor_may_have_one_output_and_no_hidden_layer()
    {
        var network = Network.Regressor([1, 1]);
        network.Layers.Should().ContainSingle().Which.Activation.Should().BeNull();
        network.OutputSize.Should().Be(1);
        network.Parameters.Select(p => p.Name).Should().Equal("layer1.weight", "layer1.bias");
        network.Predict(Matrix<double>.Build.Dense(2, 1, [1.0, 2.0])).ColumnCount.Should().Be(1);
    }

    private static (double[][] Values, double[][] Gradients) Capture(Network network) =>
        (network.Parameters.Select(p => p.Value.ToArray()).ToArray(),
         network.Parameters.Select(p => p.Gradient.ToArray()).ToArray());

    private static void ShouldBeUnchanged(Network network, (double[][] Values, double[][] Gradients) snapshot)
    {
        for (int k = 0; k < network.Parameters.Count; k++)
        {
            network.Parameters[k].Value.ToArray().Should().Equal(snapshot.Values[k]);
            network.Parameters[k].Gradient.ToArray().Should().Equal(snapshot.Gradients[k]);
        }

        snapshot.Gradients.SelectMany(g => g).Should().Contain(g => g != 0);
    }
}
