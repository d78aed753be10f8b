// Compiled only by tests/Consumer/run.sh, in a fresh project that references the packed Optimizers package.
// It uses nothing but the package's public API, as a user would.
using MathNet.Numerics.LinearAlgebra;
using Optimizers;
using Optimizers.Networks;

namespace Consumer.Tests;

public class ConsumerTests
{
    private const int Digits = 12;

    [Fact]
    public void GradientDescent_takes_one_hand_checked_step()
    {
        // θ ← θ − α·g with α = 0.1: [1, −2] − 0.1·[0.5, 1] = [0.95, −2.1].
        var theta = new Parameter("theta", [1.0, -2.0]);
        var optimizer = new GradientDescent([theta], learningRate: 0.1);
        theta.Gradient[0] = 0.5;
        theta.Gradient[1] = 1.0;

        optimizer.Step();

        Assert.Equal(0.95, theta.Value[0], Digits);
        Assert.Equal(-2.1, theta.Value[1], Digits);
    }

    [Fact]
    public void Momentum_takes_three_hand_checked_steps()
    {
        // α = 0.1, μ = 0.9, g = 1 every step: b = 1, 1.9, 2.71; θ = 1 − 0.1, − 0.19, − 0.271.
        var theta = new Parameter("theta", [1.0]);
        var optimizer = new Momentum([theta], learningRate: 0.1, momentum: 0.9);
        double[] expected = [0.9, 0.71, 0.439];

        foreach (double value in expected)
        {
            theta.Gradient[0] = 1.0;
            optimizer.Step();
            Assert.Equal(value, theta.Value[0], Digits);
        }
    }

    [Fact]
    public void Momentum_trains_a_tiny_network_on_xor()
    {
        var inputs = Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
        int[] labels = [0, 1, 1, 0];
        var network = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 1);
        var optimizer = new Momentum(network.Parameters, learningRate: 0.1, momentum: 0.9);
        double initialLoss = network.Loss(inputs, labels);

        for (int step = 0; step < 300; step++)
        {
            optimizer.ZeroGrad();
            network.Backward(inputs, labels);
            optimizer.Step();
        }

        double finalLoss = network.Loss(inputs, labels);
        Assert.True(finalLoss < 0.25 * initialLoss, $"loss {initialLoss} -> {finalLoss}: expected a drop to a quarter");
        Assert.Equal(1.0, network.Accuracy(inputs, labels));
    }
}
