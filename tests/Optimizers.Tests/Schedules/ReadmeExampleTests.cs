using Optimizers.Clipping;
using Optimizers.Datasets;
using Optimizers.Networks;
using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>The README's schedule-and-clipping loop, run as written on the moons data.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Warm_up_cosine_and_clipping_train_and_follow_the_schedule()
    {
        var data = ToyProblems.Moons(count: 100, seed: 3);
        var (inputs, labels) = (data.Features, data.Labels);
        var network = Network.Mlp([2, 8, 2], Activation.Tanh, seed: 1);
        double initialLoss = network.Loss(inputs, labels);

        var optimizer = new Momentum(network.Parameters, learningRate: 0.1);
        var schedule = new SequentialLR(optimizer,
            [new LinearLR(optimizer, startFactor: 0.1, totalIters: 5),
             new CosineAnnealingLR(optimizer, tMax: 95, etaMin: 1e-3)],
            milestones: [5]);
        optimizer.LearningRate.Should().BeApproximately(0.01, 1e-17);   // epoch 0 of the warm-up: 0.1·0.1
        for (int epoch = 0; epoch < 100; epoch++)
        {
            optimizer.ZeroGrad();
            network.Backward(inputs, labels);
            GradientClipping.ClipByGlobalNorm(network.Parameters, maxNorm: 1.0);
            GradientClipping.GlobalNorm(network.Parameters).Should().BeLessThanOrEqualTo(1.0);
            optimizer.Step();
            schedule.Step();
            if (epoch == 4)
            {
                optimizer.LearningRate.Should().Be(0.1);   // milestone 5: cosine restarts at η₀
            }
        }

        optimizer.LearningRate.Should().BeApproximately(1e-3, 1e-12);   // epoch 100 = 5 + T_max: η_min
        network.Loss(inputs, labels).Should().BeLessThan(initialLoss);
    }
}
