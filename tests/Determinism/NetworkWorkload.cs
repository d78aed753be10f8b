using System.Numerics;
using Optimizers.Datasets;
using Optimizers.Networks;

namespace Optimizers.Determinism;

/// <summary>
/// Items (b): multilayer perceptrons (tanh and ReLU hidden layers) trained with mini-batch
/// <see cref="MiniBatchTraining.TrainEpoch"/> and Adam or Momentum for a few epochs on the moons and on 400 digits.
/// One item hashes every final weight and bias; a second hashes the epoch losses (which go through Math.Log). The
/// networks, inputs and optimizers are of element type <typeparamref name="T"/> (the data rounded from double).
/// </summary>
internal static class NetworkWorkload<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Epochs = 4;
    private const int BatchSize = 16;

    /// <summary>The items, named "network/" + <paramref name="prefix"/> + problem/activation/optimizer + "/weights" or "/losses".</summary>
    public static IEnumerable<(string Name, string Hash)> Run(string prefix)
    {
        var moons = ToyProblems.Moons(count: 200, noise: 0.15, seed: 3);
        var digitsAll = PublicData.Digits();
        var digits = digitsAll.Subset(Enumerable.Range(0, 400).ToArray()).Standardized();
        (string Name, Dataset Data, int Hidden)[] problems = [("moons", moons, 16), ("digits400", digits, 32)];
        (string Name, Func<IReadOnlyList<Parameter<T>>, IOptimizer> Create)[] optimizers =
        [
            ("Adam(amsgrad,weightDecay)", p => new Adam<T>(p, 0.01, amsgrad: true, weightDecay: 1e-4)),
            ("Momentum(nesterov,weightDecay)", p => new Momentum<T>(p, 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4)),
        ];

        foreach (var problem in problems)
        {
            foreach (var activation in new[] { Activation.Tanh, Activation.ReLU })
            {
                foreach (var optimizer in optimizers)
                {
                    string name = $"network/{prefix}{problem.Name}/{activation}/{optimizer.Name}";
                    var (weights, losses) = Train(problem.Data, problem.Hidden, activation, optimizer.Create);
                    yield return (name + "/weights", weights);
                    yield return (name + "/losses", losses);
                }
            }
        }
    }

    private static (string Weights, string Losses) Train(Dataset data, int hidden, Activation activation,
                                                         Func<IReadOnlyList<Parameter<T>>, IOptimizer> create)
    {
        var features = data.Features.Map(x => T.CreateTruncating(x));
        var network = Network.Mlp<T>([data.FeatureCount, hidden, hidden, data.ClassCount], activation, seed: 5);
        var optimizer = create(network.Parameters);
        var random = new Random(11);
        using var losses = new BitHash();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            losses.Add(network.TrainEpoch(optimizer, features, data.Labels, BatchSize, random));
        }

        losses.Add(network.Loss(features, data.Labels));
        using var weights = new BitHash();
        foreach (var parameter in network.Parameters)
        {
            weights.Add(Storage.Of(parameter.Value));
        }

        Finite.Require("network", network.Parameters.SelectMany(p => p.Value));
        return (weights.Finish(), losses.Finish());
    }
}
