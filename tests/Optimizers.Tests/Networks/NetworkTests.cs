using MathNet.Numerics.LinearAlgebra;
using Optimizers.Networks;

namespace Optimizers.Tests;

public sealed class NetworkTests
{
    private static Matrix<double> RandomInputs(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => 4 * random.NextDouble() - 2);
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void PredictGivesProbabilityRowsThatSumToOne(Activation activation)
    {
        var network = Network.Mlp([3, 8, 6, 4], activation, seed: 1);
        var inputs = RandomInputs(20, 3, seed: 2);
        inputs.SetRow(0, [1e3, -1e3, 5e2]);   // large logits must not overflow the softmax

        var p = network.Predict(inputs);

        p.RowCount.Should().Be(20);
        p.ColumnCount.Should().Be(4);
        p.Enumerate().Should().OnlyContain(x => x >= 0 && x <= 1);
        for (int r = 0; r < p.RowCount; r++)
        {
            p.Row(r).Sum().Should().BeApproximately(1.0, 1e-12, $"row {r}");
        }

        network.Classify(inputs).Should().Equal(Enumerable.Range(0, 20).Select(r => p.Row(r).MaximumIndex()));
    }

    [Fact]
    public void ZeroWeightsGiveUniformProbabilitiesAndLossLnClassCount()
    {
        // With every weight and bias 0 the logits are 0, so p = 1/3 for each class and J = −ln(1/3) = ln 3.
        // ∂J/∂b_out = mean over rows of (p − onehot(y)): labels (0, 1, 1, 2) give (1/3 − 1/4, 1/3 − 2/4, 1/3 − 1/4).
        var network = Network.Mlp([2, 4, 3], Activation.Tanh, seed: 5);
        foreach (var parameter in network.Parameters)
        {
            parameter.Value.Clear();
        }

        var inputs = RandomInputs(4, 2, seed: 6);
        int[] labels = [0, 1, 1, 2];
        network.Predict(inputs).Enumerate().Should().OnlyContain(x => Math.Abs(x - 1.0 / 3) < 1e-15);
        network.Loss(inputs, labels).Should().BeApproximately(Math.Log(3), 1e-15);

        network.Backward(inputs, labels).Should().BeApproximately(Math.Log(3), 1e-15);
        var outputBias = network.Layers[^1].Bias.Gradient;
        outputBias[0].Should().BeApproximately(1.0 / 3 - 0.25, 1e-15);
        outputBias[1].Should().BeApproximately(1.0 / 3 - 0.5, 1e-15);
        outputBias[2].Should().BeApproximately(1.0 / 3 - 0.25, 1e-15);
        network.Layers[0].Weights.Gradient.Enumerate().Should().OnlyContain(x => x == 0,
            "with W₂ = 0 nothing flows back to the first layer");
    }

    [Fact]
    public void BackwardOverwritesGradientsInsteadOfAccumulating()
    {
        var network = Network.Mlp([3, 5, 4, 3], Activation.Sigmoid, seed: 2);
        var inputs = RandomInputs(6, 3, seed: 3);
        int[] labels = [0, 1, 2, 0, 1, 2];

        network.Backward(inputs, labels);
        var first = network.Parameters.Select(p => p.Gradient.ToArray()).ToArray();

        // Garbage left in the gradients (and a second call) must not leak into the result.
        foreach (var p in network.Parameters)
        {
            p.Gradient.MapInplace(_ => 1234.5);
        }

        network.Backward(inputs, labels);
        network.Backward(inputs, labels);
        for (int k = 0; k < first.Length; k++)
        {
            network.Parameters[k].Gradient.ToArray().Should().Equal(first[k], network.Parameters[k].Name);
        }

        first.SelectMany(g => g).Should().Contain(g => g != 0);
    }

    [Fact]
    public void WeightMatrixAndFlatParameterShareStorage()
    {
        var network = Network.Mlp([3, 4, 2], Activation.Tanh, seed: 4);
        var layer = network.Layers[0];
        var matrix = layer.WeightMatrix;
        matrix.RowCount.Should().Be(4, "one row per output, as torch.nn.Linear");
        matrix.ColumnCount.Should().Be(3);
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                matrix[r, c].Should().Be(layer.Weights.Value[(c * 4) + r], "the flat vector is the column-major storage");
            }
        }

        var before = matrix.Clone();
        network.Backward(RandomInputs(5, 3, seed: 5), [0, 1, 0, 1, 1]);
        var optimizer = new GradientDescent(network.Parameters, learningRate: 0.5);
        optimizer.Step();

        layer.WeightMatrix.Should().BeSameAs(matrix);
        matrix.Equals(before).Should().BeFalse("the optimizer's in-place step is seen by the matrix");
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                matrix[r, c].Should().Be(before[r, c] - (0.5 * layer.Weights.Gradient[(c * 4) + r]));
            }
        }
    }

    [Fact]
    public void ParametersAreEveryLayersWeightAndBiasInOrder()
    {
        var network = Network.Mlp([4, 6, 5, 3], Activation.ReLU, seed: 0);
        network.Parameters.Select(p => p.Name).Should().Equal(
            "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias", "layer3.weight", "layer3.bias");
        network.Parameters.Select(p => p.Length).Should().Equal(24, 6, 30, 5, 15, 3);
        network.InputSize.Should().Be(4);
        network.ClassCount.Should().Be(3);
        network.Layers.Select(l => l.Activation).Should().Equal(Activation.ReLU, Activation.ReLU, null);
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void InitialisationIsSeededXavierOrHeWithZeroBiases(Activation activation)
    {
        var a = Network.Mlp([10, 30, 20, 5], activation, seed: 9);
        var b = Network.Mlp([10, 30, 20, 5], activation, seed: 9);
        var c = Network.Mlp([10, 30, 20, 5], activation, seed: 10);

        for (int k = 0; k < a.Parameters.Count; k++)
        {
            a.Parameters[k].Value.ToArray().Should().Equal(b.Parameters[k].Value.ToArray(), "the same seed gives the same network");
        }

        a.Parameters[0].Value.ToArray().Should().NotEqual(c.Parameters[0].Value.ToArray(), "another seed gives another network");

        foreach (var layer in a.Layers)
        {
            layer.Bias.Value.Enumerate().Should().OnlyContain(x => x == 0);
            // He-uniform (ReLU hidden layers): limit √(6/fan_in); Xavier-uniform otherwise: √(6/(fan_in + fan_out)).
            double limit = layer.Activation == Activation.ReLU
                ? Math.Sqrt(6.0 / layer.InputSize)
                : Math.Sqrt(6.0 / (layer.InputSize + layer.OutputSize));
            var w = layer.Weights.Value;
            w.Enumerate().Should().OnlyContain(x => Math.Abs(x) <= limit);
            w.AbsoluteMaximum().Should().BeGreaterThan(0.8 * limit, "the weights fill the range");
            w.Average().Should().BeApproximately(0, 0.35 * limit);
        }
    }

    [Fact]
    public void AccuracyCountsRowsWhoseMostProbableClassIsTheLabel()
    {
        var network = Network.Mlp([2, 3, 3], Activation.Tanh, seed: 1);
        var inputs = RandomInputs(12, 2, seed: 2);
        var predicted = network.Classify(inputs);
        var labels = predicted.Select((c, i) => i < 9 ? c : (c + 1) % 3).ToArray();   // 9 right, 3 wrong
        network.Accuracy(inputs, labels).Should().Be(0.75);
    }
}
