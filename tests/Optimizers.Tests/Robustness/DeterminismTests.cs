using System.Numerics;
using Optimizers.Datasets;
using Optimizers.Networks;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// The same seed gives bit-identical training: a network of <typeparamref name="T"/> trained with mini-batch
/// <see cref="MiniBatchTraining.TrainEpoch"/> and Adam, run again from scratch, ends with the same weights bit for bit,
/// also with the step cut into parts on worker threads (<see cref="Optimizer.MaxDegreeOfParallelism"/> 2 and 3 against 1).
/// </summary>
public abstract class DeterminismTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Trains a fresh 2-16-16-3 tanh network on the spiral for a few epochs; returns every weight's bits.</summary>
    private static long[] Train(int seed, int degree)
    {
        var data = ToyProblems.Spiral(pointsPerClass: 60, classes: 3, noise: 0.2, seed: seed);
        var features = data.Features.Map(Element<T>.From);
        var network = Network.Mlp<T>([data.FeatureCount, 16, 16, data.ClassCount], Activation.Tanh, seed);
        var adam = new Adam<T>(network.Parameters, 0.01, weightDecay: 1e-4, amsgrad: true)
        {
            MaxDegreeOfParallelism = degree,
            MinimumPartLength = 16,   // split even this small model into parts
        };
        var random = new Random(seed);
        for (int epoch = 0; epoch < 8; epoch++)
        {
            network.TrainEpoch(adam, features, data.Labels, batchSize: 16, random);
        }

        return network.Parameters.SelectMany(p => p.Value).Select(Bits.Of).ToArray();
    }

    [Fact]
    public void The_same_seed_trains_to_the_same_bits_again_and_on_several_threads()
    {
        var reference = Train(seed: 7, degree: 1);
        Train(seed: 7, degree: 1).Should().Equal(reference, "a second run with the same seed");
        Train(seed: 7, degree: 2).Should().Equal(reference, "the update cut into 2 parts on worker threads");
        Train(seed: 7, degree: 3).Should().Equal(reference, "the update cut into 3 parts on worker threads");
        Train(seed: 8, degree: 1).Should().NotEqual(reference, "another seed must give another run (the test can fail)");
    }
}

public sealed class DeterminismTests_Double : DeterminismTests<double>;

public sealed class DeterminismTests_Single : DeterminismTests<float>;
