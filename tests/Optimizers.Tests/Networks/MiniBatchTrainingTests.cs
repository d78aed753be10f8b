using MathNet.Numerics.LinearAlgebra;
using Optimizers.Datasets;
using Optimizers.Networks;

namespace Optimizers.Tests.Networks;

public class MiniBatchTrainingTests
{
    private static readonly Dataset Moons = ToyProblems.Moons(count: 50, noise: 0.2, seed: 3);

    private static double[] Snapshot(Network network) => network.Parameters.SelectMany(p => p.Value).ToArray();

    [Fact]
    public void With_a_zero_learning_rate_the_epoch_loss_is_the_loss_on_all_rows()
    {
        // Batches of 7 over 50 rows (7 batches of 7, one of 1): Σ|B|·J_B / n is the mean over all rows.
        var network = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 1);
        var optimizer = new GradientDescent(network.Parameters, learningRate: 0);

        double epochLoss = network.TrainEpoch(optimizer, Moons.Features, Moons.Labels, batchSize: 7, new Random(5));

        epochLoss.Should().BeApproximately(network.Loss(Moons.Features, Moons.Labels), 1e-12);
    }

    [Fact]
    public void A_batch_at_least_the_row_count_is_one_plain_full_batch_step()
    {
        var trained = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 1);
        var reference = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 1);
        var optimizer = new Momentum(trained.Parameters, 0.1);
        var referenceOptimizer = new Momentum(reference.Parameters, 0.1);

        double loss = 0, referenceLoss = 0;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            loss = trained.TrainEpoch(optimizer, Moons.Features, Moons.Labels, batchSize: 1000, new Random(epoch));
            referenceOptimizer.ZeroGrad();
            referenceLoss = reference.Backward(Moons.Features, Moons.Labels);
            referenceOptimizer.Step();
        }

        loss.Should().Be(referenceLoss);
        Snapshot(trained).Should().Equal(Snapshot(reference));
    }

    [Fact]
    public void Batches_follow_one_seeded_shuffle_per_epoch()
    {
        // Written out: each epoch shuffles 0..n-1 once with the shared Random, then steps on consecutive slices of 16.
        const int batch = 16;
        var trained = Network.Mlp([2, 6, 2], Activation.ReLU, seed: 2);
        var reference = Network.Mlp([2, 6, 2], Activation.ReLU, seed: 2);
        var optimizer = new GradientDescent(trained.Parameters, 0.2);
        var referenceOptimizer = new GradientDescent(reference.Parameters, 0.2);
        var random = new Random(11);
        var referenceRandom = new Random(11);

        for (int epoch = 0; epoch < 2; epoch++)
        {
            trained.TrainEpoch(optimizer, Moons.Features, Moons.Labels, batch, random);

            var order = Enumerable.Range(0, Moons.Count).ToArray();
            referenceRandom.Shuffle(order);
            for (int start = 0; start < order.Length; start += batch)
            {
                var rows = order.Skip(start).Take(batch).ToArray();
                var x = Matrix<double>.Build.Dense(rows.Length, 2, (r, c) => Moons.Features[rows[r], c]);
                var y = rows.Select(r => Moons.Labels[r]).ToArray();
                referenceOptimizer.ZeroGrad();
                reference.Backward(x, y);
                referenceOptimizer.Step();
            }
        }

        Snapshot(trained).Should().Equal(Snapshot(reference));
    }

    [Fact]
    public void The_same_seed_gives_the_same_network_and_another_seed_a_different_one()
    {
        double[] Train(int seed)
        {
            var network = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 1);
            var optimizer = new Momentum(network.Parameters, 0.05);
            var random = new Random(seed);
            for (int epoch = 0; epoch < 3; epoch++)
            {
                network.TrainEpoch(optimizer, Moons.Features, Moons.Labels, 10, random);
            }

            return Snapshot(network);
        }

        Train(4).Should().Equal(Train(4));
        Train(4).Should().NotEqual(Train(5));
    }

    [Fact]
    public void Bad_arguments_throw_naming_the_argument_and_change_nothing()
    {
        var network = Network.Mlp([2, 4, 2], Activation.Tanh, seed: 1);
        var optimizer = new GradientDescent(network.Parameters, 0.1);
        var before = Snapshot(network);
        var random = new Random(1);

        FluentActions.Invoking(() => network.TrainEpoch(optimizer, Moons.Features, Moons.Labels, 0, random))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("batchSize");
        FluentActions.Invoking(() => network.TrainEpoch(optimizer, Moons.Features, Moons.Labels.Take(10).ToArray(), 8, random))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("labels");
        FluentActions.Invoking(() => network.TrainEpoch(optimizer, Matrix<double>.Build.Dense(50, 3), Moons.Labels, 8, random))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("inputs");
        FluentActions.Invoking(() => network.TrainEpoch(null!, Moons.Features, Moons.Labels, 8, random))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("optimizer");
        FluentActions.Invoking(() => network.TrainEpoch(optimizer, Moons.Features, Moons.Labels, 8, null!))
            .Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("random");

        Snapshot(network).Should().Equal(before);
    }
}
