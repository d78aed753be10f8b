using MathNet.Numerics.LinearAlgebra;
using Optimizers.Networks;

namespace Optimizers.Tests;

/// <summary>
/// Inputs that used to get through (issue 13): layer sizes whose weight count overflows an array, and NaN or infinite
/// inputs, which must show in the loss and must not be classified.
/// </summary>
public sealed class NetworkInputTests
{
    public static TheoryData<int[], int> OversizedLayers => new()
    {
        // sizes, index of the first layer size of the oversized product
        { new[] { 65536, 65537, 2 }, 0 },        // 4,295,032,832 weights: overflowed int to 65,536, then IndexOutOfRange
        { new[] { 46341, 46341, 2 }, 0 },        // 2,147,488,281: just past int.MaxValue (was an OverflowException)
        { new[] { 2, 46341, 46341, 3 }, 1 },     // the second layer
        { new[] { 3, 1, 2147483591, 2 }, 2 },    // 1 × Array.MaxLength fits (16 GiB, never allocated: the check comes first); × 2 does not
    };

    [Theory]
    [MemberData(nameof(OversizedLayers))]
    public void Sizes_whose_weights_cannot_fit_one_array_are_rejected_before_anything_is_allocated(int[] sizes, int first)
    {
        long product = (long)sizes[first] * sizes[first + 1];
        foreach (var build in new Func<object>[] { () => Network.Mlp(sizes), () => Network.Mlp<float>(sizes), () => Network.Regressor(sizes) })
        {
            FluentActions.Invoking(build).Should().ThrowExactly<ArgumentException>()
                .WithMessage($"layerSizes[{first}] × layerSizes[{first + 1}] = {sizes[first]} × {sizes[first + 1]} = {product} weights in layer {first + 1}, "
                             + $"more than one array can hold ({Array.MaxLength}).*")
                .Which.ParamName.Should().Be("layerSizes");
        }
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void A_NaN_input_shows_as_NaN_in_the_loss_and_the_gradients(Activation activation)
    {
        // With ReLU, max(0, NaN) used to be 0: the NaN row gave the loss of a zero row (ln 3 with zero weights).
        var classifier = Network.Mlp([2, 4, 3], activation, seed: 1);
        var regressor = Network.Regressor([2, 4, 3], activation, RegressionLoss.Huber, seed: 1);
        var inputs = Matrix<double>.Build.DenseOfRowArrays([0.5, -0.25], [double.NaN, 1.0]);
        int[] labels = [0, 2];
        var targets = Matrix<double>.Build.Dense(2, 3, 0.5);

        double.IsNaN(classifier.Loss(inputs, labels)).Should().BeTrue();
        double.IsNaN(classifier.Backward(inputs, labels)).Should().BeTrue();
        classifier.Parameters.SelectMany(p => p.Gradient).Should().Contain(double.NaN, "the optimizer's guard then refuses the step");
        double.IsNaN(regressor.Loss(inputs, targets)).Should().BeTrue();
        double.IsNaN(regressor.Backward(inputs, targets)).Should().BeTrue();
        regressor.Predict(inputs).Row(1).Should().OnlyContain(v => double.IsNaN(v));
        regressor.Predict(inputs).Row(0).Should().OnlyContain(v => double.IsFinite(v), "the other row is unaffected");
    }

    [Fact]
    public void ReLU_lets_NaN_through_in_both_directions_as_torch_does()
    {
        var z = Matrix<double>.Build.DenseOfRowArrays([double.NaN, -1.0, 0.0, 2.0]);
        var a = ActivationFunctions.Apply(Activation.ReLU, z);
        a.Row(0).ToArray().Should().Equal(double.NaN, 0.0, 0.0, 2.0);
        var g = ActivationFunctions.Backward(Activation.ReLU, z, a, Matrix<double>.Build.Dense(1, 4, 3.0));
        g.Row(0).ToArray().Should().Equal(3.0, 0.0, 0.0, 3.0);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "infinite")]
    [InlineData(double.NegativeInfinity, "infinite")]
    public void Classify_and_Accuracy_reject_a_non_finite_input_naming_it(double bad, string word)
    {
        var network = Network.Mlp([2, 4, 3], Activation.ReLU, seed: 1);
        var inputs = Matrix<double>.Build.DenseOfRowArrays([0.5, -0.25], [0.1, 0.2], [1.0, bad]);

        FluentActions.Invoking(() => network.Classify(inputs)).Should().ThrowExactly<ArgumentException>()
            .WithMessage($"inputs[2, 1] is {word}; *").Which.ParamName.Should().Be("inputs");
        FluentActions.Invoking(() => network.Accuracy(inputs, [0, 1, 2])).Should().ThrowExactly<ArgumentException>()
            .Which.ParamName.Should().Be("inputs");
        var float32 = Network.Mlp<float>([2, 4, 3], Activation.ReLU, seed: 1);
        FluentActions.Invoking(() => float32.Classify(inputs.Map(v => (float)v))).Should().ThrowExactly<ArgumentException>()
            .WithMessage($"inputs[2, 1] is {word}; *");
    }

    [Fact]
    public void Classify_refuses_NaN_outputs_from_finite_inputs()
    {
        // A NaN weight (a diverged network) makes the outputs NaN; MaximumIndex would have called every row class 0.
        var network = Network.Mlp([2, 4, 3], Activation.Tanh, seed: 1);
        network.Layers[^1].Bias.Value[1] = double.NaN;
        var inputs = Matrix<double>.Build.DenseOfRowArrays([0.5, -0.25]);

        FluentActions.Invoking(() => network.Classify(inputs)).Should().ThrowExactly<InvalidOperationException>()
            .WithMessage("The network's output 1 for row 0 is NaN although the inputs are finite*");
        FluentActions.Invoking(() => network.Accuracy(inputs, [0])).Should().ThrowExactly<InvalidOperationException>();
    }

    [Fact]
    public void Infinite_outputs_still_name_a_class()
    {
        // +∞ in one output is an unambiguous maximum; only NaN is refused.
        var network = Network.Mlp([2, 3], Activation.Tanh, seed: 1);
        network.Layers[^1].Bias.Value[2] = double.PositiveInfinity;
        network.Classify(Matrix<double>.Build.DenseOfRowArrays([0.5, -0.25])).Should().Equal(2);
    }
}
