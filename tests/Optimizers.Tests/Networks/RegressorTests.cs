using System.Numerics;
using Optimizers.Networks;

namespace Optimizers.Tests;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>A network with a linear output and a regression loss: outputs, losses by hand, training, and a fitted sine.</summary>
public sealed class RegressorTests
{
    private static Matrix<double> RandomMatrix(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => 4 * random.NextDouble() - 2);
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void Predict_returns_the_linear_outputs_of_the_last_layer(Activation activation)
    {
        var network = Network.Regressor([3, 5, 4, 2], activation, RegressionLoss.MeanSquaredError, seed: 1);
        foreach (var bias in network.Layers.Select(l => l.Bias))
        {
            bias.Value.MapInplace(_ => 0.3);
        }

        var inputs = RandomMatrix(6, 3, seed: 2);

        var outputs = network.Predict(inputs);

        // Written out: A = f(X·W₁ᵀ + b₁), then f again, then the linear layer with no softmax.
        var a = inputs;
        foreach (var layer in network.Layers)
        {
            var z = a * layer.WeightMatrix.Transpose() + Matrix<double>.Build.Dense(a.RowCount, layer.OutputSize, (_, j) => layer.Bias.Value[j]);
            a = layer.Activation is { } f ? ActivationFunctions.Apply(f, z) : z;
        }

        outputs.RowCount.Should().Be(6);
        outputs.ColumnCount.Should().Be(2);
        for (int r = 0; r < 6; r++)
        {
            for (int c = 0; c < 2; c++)
            {
                outputs[r, c].Should().BeApproximately(a[r, c], 1e-14);
            }
        }

        network.OutputSize.Should().Be(2);
        network.RegressionLoss.Should().Be(RegressionLoss.MeanSquaredError);
        Network.Mlp([3, 4, 2]).RegressionLoss.Should().BeNull("Mlp builds a classifier");
    }

    [Fact]
    public void Mean_squared_error_and_its_gradient_by_hand()
    {
        // Every weight 0 and the output bias (1, −2): each output row is (1, −2). Targets (0, 0), (2, −2), (1, 1):
        // d = ŷ − y = (1, −2), (−1, 0), (0, −3); n·k = 6.
        // J = (1 + 4 + 1 + 0 + 0 + 9)/6 = 15/6 = 2.5.
        // ∂J/∂b = (2/6)·Σᵢ dᵢ = (1/3)·(1 − 1 + 0, −2 + 0 − 3) = (0, −5/3); nothing reaches the hidden layer (W₂ = 0).
        var (network, inputs, targets) = HandWorked(RegressionLoss.MeanSquaredError);

        network.Loss(inputs, targets).Should().Be(2.5);
        network.Backward(inputs, targets).Should().Be(2.5);

        var outputBias = network.Layers[^1].Bias.Gradient;
        outputBias[0].Should().Be(0);
        outputBias[1].Should().BeApproximately(-5.0 / 3, 1e-15);
        network.Layers[0].Weights.Gradient.Enumerate().Should().OnlyContain(g => g == 0);
        network.Layers[^1].Weights.Gradient.Enumerate().Should().OnlyContain(g => g == 0, "the hidden activations are tanh(0) = 0");
    }

    [Fact]
    public void Huber_loss_and_its_gradient_by_hand_on_both_branches()
    {
        // The same rows: |d| = 1, 2, 1, 0, 0, 3 (row by row: (1, 2), (1, 0), (0, 3)).
        // ½d² below δ = 1, δ(|d| − ½δ) from δ on (equal at |d| = 1): 0.5, 1.5, 0.5, 0, 0, 2.5 → J = 5/6.
        // ∂J/∂ŷ = clamp(d, −1, 1)/6: column 0 (1, −1, 0)/6 sums to 0, column 1 (−1, 0, −1)/6 sums to −1/3.
        var (network, inputs, targets) = HandWorked(RegressionLoss.Huber);

        network.Loss(inputs, targets).Should().BeApproximately(5.0 / 6, 1e-15);
        network.Backward(inputs, targets).Should().BeApproximately(5.0 / 6, 1e-15);

        var outputBias = network.Layers[^1].Bias.Gradient;
        outputBias[0].Should().Be(0);
        outputBias[1].Should().BeApproximately(-1.0 / 3, 1e-15);
    }

    [Fact]
    public void Backward_overwrites_the_gradients_and_returns_the_loss()
    {
        var network = Network.Regressor([2, 6, 3], Activation.Tanh, RegressionLoss.Huber, seed: 3);
        var inputs = RandomMatrix(5, 2, seed: 4);
        var targets = RandomMatrix(5, 3, seed: 5) * 3;   // far enough for both Huber branches

        double loss = network.Backward(inputs, targets);
        var first = network.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        foreach (var p in network.Parameters)
        {
            p.Gradient.MapInplace(_ => 99);
        }

        network.Backward(inputs, targets).Should().Be(loss);
        loss.Should().Be(network.Loss(inputs, targets));
        for (int k = 0; k < first.Length; k++)
        {
            network.Parameters[k].Gradient.ToArray().Should().Equal(first[k], network.Parameters[k].Name);
        }
    }

    [Fact]
    public void TrainEpoch_with_targets_follows_one_seeded_shuffle_per_epoch()
    {
        // Written out: each epoch shuffles 0..n−1 once with the shared Random and steps on consecutive slices of 8,
        // the last one holding the remainder; the epoch loss is Σ|B|·J_B / n.
        const int batch = 8, rows = 30;
        var inputs = RandomMatrix(rows, 2, seed: 6);
        var targets = Matrix<double>.Build.Dense(rows, 2, (r, c) => Math.Sin(inputs[r, 0]) + c * inputs[r, 1]);
        var trained = Network.Regressor([2, 6, 2], Activation.Tanh, RegressionLoss.MeanSquaredError, seed: 2);
        var reference = Network.Regressor([2, 6, 2], Activation.Tanh, RegressionLoss.MeanSquaredError, seed: 2);
        var optimizer = new Adam(trained.Parameters, 0.05);
        var referenceOptimizer = new Adam(reference.Parameters, 0.05);
        var random = new Random(11);
        var referenceRandom = new Random(11);

        for (int epoch = 0; epoch < 2; epoch++)
        {
            double loss = trained.TrainEpoch(optimizer, inputs, targets, batch, random);

            var order = Enumerable.Range(0, rows).ToArray();
            referenceRandom.Shuffle(order);
            double total = 0;
            for (int start = 0; start < rows; start += batch)
            {
                var slice = order.Skip(start).Take(batch).ToArray();
                var x = Matrix<double>.Build.Dense(slice.Length, 2, (r, c) => inputs[slice[r], c]);
                var y = Matrix<double>.Build.Dense(slice.Length, 2, (r, c) => targets[slice[r], c]);
                referenceOptimizer.ZeroGrad();
                total += slice.Length * reference.Backward(x, y);
                referenceOptimizer.Step();
            }

            loss.Should().Be(total / rows);
        }

        trained.Parameters.SelectMany(p => p.Value).Should().Equal(reference.Parameters.SelectMany(p => p.Value));
    }

    [Fact]
    public void TrainEpoch_with_a_zero_learning_rate_returns_the_loss_on_all_rows()
    {
        var network = Network.Regressor([3, 5, 2], Activation.ReLU, RegressionLoss.Huber, seed: 1);
        var inputs = RandomMatrix(23, 3, seed: 2);
        var targets = RandomMatrix(23, 2, seed: 3) * 2;

        double epochLoss = network.TrainEpoch(new GradientDescent(network.Parameters, 0), inputs, targets, batchSize: 5, new Random(1));

        epochLoss.Should().BeApproximately(network.Loss(inputs, targets), 1e-15);
    }

    /// <summary>
    /// Issue 13's acceptance test: a 1-16-1 tanh network fits y = sin(x) on [−3, 3] (64 evenly spaced, noise-free
    /// samples) to a mean squared error below 0.01 on a held-out grid of 199 points between them, in both precisions.
    /// </summary>
    [Fact]
    public void A_small_tanh_network_fits_a_sine_in_double() => FitsASine<double>();

    /// <inheritdoc cref="A_small_tanh_network_fits_a_sine_in_double"/>
    [Fact]
    public void A_small_tanh_network_fits_a_sine_in_float() => FitsASine<float>();

    private static void FitsASine<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = Matrix<T>.Build.Dense(64, 1, (i, _) => T.CreateTruncating(-3 + 6.0 * i / 63));
        var y = x.Map(v => T.Sin(v));
        // Held out: 199 points of [−2.985, 2.985], none of them a training point.
        var gridX = Matrix<T>.Build.Dense(199, 1, (i, _) => T.CreateTruncating(-2.985 + 5.97 * i / 198));
        var gridY = gridX.Map(v => T.Sin(v));
        var network = Network.Regressor<T>([1, 16, 1], Activation.Tanh, RegressionLoss.MeanSquaredError, seed: 1);
        var adam = new Adam<T>(network.Parameters, learningRate: 0.02);
        double before = network.Loss(gridX, gridY);

        for (int epoch = 0; epoch < 1000; epoch++)
        {
            adam.ZeroGrad();
            network.Backward(x, y);
            adam.Step();
        }

        // Measured: held-out MSE 0.32 before, 1.2e-4 after 1,000 full-batch Adam steps (the same to two digits in both precisions).
        double heldOut = network.Loss(gridX, gridY);
        before.Should().BeGreaterThan(0.1, "the untrained network must not already fit the sine");
        heldOut.Should().BeLessThan(0.01);
        var predicted = network.Predict(gridX);
        double direct = Enumerable.Range(0, 199).Average(i => Math.Pow(double.CreateTruncating(predicted[i, 0] - gridY[i, 0]), 2));
        heldOut.Should().BeApproximately(direct, 1e-5, "Loss is the mean squared difference of Predict and the targets");
    }

    private static (Network Network, Matrix<double> Inputs, Matrix<double> Targets) HandWorked(RegressionLoss loss)
    {
        var network = Network.Regressor([2, 4, 2], Activation.Tanh, loss, seed: 7);
        foreach (var p in network.Parameters)
        {
            p.Value.Clear();
        }

        network.Layers[^1].Bias.Value[0] = 1;
        network.Layers[^1].Bias.Value[1] = -2;
        var inputs = RandomMatrix(3, 2, seed: 8);
        var targets = Matrix<double>.Build.DenseOfRowArrays([0.0, 0.0], [2.0, -2.0], [1.0, 1.0]);
        return (network, inputs, targets);
    }
}
