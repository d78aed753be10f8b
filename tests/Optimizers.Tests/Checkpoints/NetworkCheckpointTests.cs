using Optimizers.Checkpoints;
using Optimizers.Datasets;
using Optimizers.Networks;

namespace Optimizers.Tests.Checkpoints;

/// <summary>A network's weights round-trip, and training a network resumes bit for bit from a checkpoint.</summary>
public sealed class NetworkCheckpointTests
{
    [Fact]
    public void Weights_round_trip_into_a_network_of_the_same_shape()
    {
        var data = ToyProblems.Moons(count: 40, seed: 3);
        var trained = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 1);
        var optimizer = new Momentum(trained.Parameters, 0.1);
        for (int epoch = 0; epoch < 5; epoch++)
        {
            optimizer.ZeroGrad();
            trained.Backward(data.Features, data.Labels);
            optimizer.Step();
        }

        using var stream = new MemoryStream();
        Checkpoint.Save(stream, trained);
        var other = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 2);
        stream.Position = 0;
        Checkpoint.Load(stream, other);

        StateSnapshot.Values(other.Parameters).Should().Equal(StateSnapshot.Values(trained.Parameters));
        other.Predict(data.Features).ToColumnMajorArray().Should().Equal(trained.Predict(data.Features).ToColumnMajorArray());
    }

    [Fact]
    public void Weights_do_not_load_into_a_network_of_another_shape()
    {
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, Network.Mlp([2, 8, 2], seed: 1));
        var other = Network.Mlp([2, 9, 2], seed: 2);
        var before = StateSnapshot.Values(other.Parameters);
        stream.Position = 0;

        var load = () => Checkpoint.Load(stream, other);

        load.Should().Throw<CheckpointException>().Which.Error.Should().Be(CheckpointError.Mismatch);
        StateSnapshot.Values(other.Parameters).Should().Equal(before);
    }

    [Theory]
    [InlineData("Momentum")]
    [InlineData("Adam")]
    [InlineData("ParameterGroups")]
    public void Training_resumed_from_a_checkpoint_matches_uninterrupted_training_bit_for_bit(string rule)
    {
        var data = PublicData.Iris().Standardized();
        const int epochs = 12;
        const int stopAfter = 5;

        var uninterrupted = Network.Mlp([4, 6, 3], Activation.ReLU, seed: 4);
        var uninterruptedOptimizer = Create(rule, uninterrupted);
        var expectedLosses = Train(uninterrupted, uninterruptedOptimizer, data, epochs);

        var first = Network.Mlp([4, 6, 3], Activation.ReLU, seed: 4);
        var firstOptimizer = Create(rule, first);
        var losses = Train(first, firstOptimizer, data, stopAfter);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, firstOptimizer, first.Parameters);

        var resumed = Network.Mlp([4, 6, 3], Activation.ReLU, seed: 99);
        var resumedOptimizer = Create(rule, resumed);
        stream.Position = 0;
        Checkpoint.Load(stream, resumedOptimizer, resumed.Parameters);
        losses.AddRange(Train(resumed, resumedOptimizer, data, epochs - stopAfter));

        losses.Select(BitConverter.DoubleToInt64Bits).Should().Equal(expectedLosses.Select(BitConverter.DoubleToInt64Bits));
        StateSnapshot.Of(resumedOptimizer, resumed.Parameters).Should().Equal(StateSnapshot.Of(uninterruptedOptimizer, uninterrupted.Parameters));
    }

    private static IOptimizer Create(string rule, Network network) => rule switch
    {
        "Momentum" => new Momentum(network.Parameters, 0.05, nesterov: true),
        "Adam" => new Adam(network.Parameters, 0.01),
        _ => new ParameterGroups(
            new AdamW(network.Parameters.Where(p => p.Name.EndsWith(".weight", StringComparison.Ordinal)), 0.01, weightDecay: 0.1),
            new AdamW(network.Parameters.Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal)), 0.02, weightDecay: 0)),
    };

    private static List<double> Train(Network network, IOptimizer optimizer, Dataset data, int epochs)
    {
        var losses = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            optimizer.ZeroGrad();
            losses.Add(network.Backward(data.Features, data.Labels));
            optimizer.Step();
        }

        return losses;
    }
}
