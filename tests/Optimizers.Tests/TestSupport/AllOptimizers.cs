namespace Optimizers.Tests.TestSupport;

/// <summary>
/// Every optimizer in the library, by name, for theories that run one check over all of them. Each entry
/// builds the optimizer with its defaults except for a learning rate suited to small smooth test problems
/// (and no weight decay, so that a zero gradient means no motion).
/// </summary>
internal static class AllOptimizers
{
    public static IReadOnlyDictionary<string, Func<IEnumerable<Parameter>, Optimizer>> Factories { get; } =
        new Dictionary<string, Func<IEnumerable<Parameter>, Optimizer>>(StringComparer.Ordinal)
        {
            ["GradientDescent"] = p => new GradientDescent(p, learningRate: 0.05),
            ["Momentum"] = p => new Momentum(p, learningRate: 0.01, momentum: 0.9),
            ["Nesterov"] = p => new Momentum(p, learningRate: 0.01, momentum: 0.9, nesterov: true),
            ["AdaGrad"] = p => new AdaGrad(p, learningRate: 0.5),
            ["RMSProp"] = p => new RMSProp(p, learningRate: 0.01),
            ["AdaDelta"] = p => new AdaDelta(p, learningRate: 1.0, rho: 0.95),
            ["Adam"] = p => new Adam(p, learningRate: 0.05),
            ["AdamW"] = p => new AdamW(p, learningRate: 0.05, weightDecay: 0),
            ["Adamax"] = p => new Adamax(p, learningRate: 0.05),
            ["NAdam"] = p => new NAdam(p, learningRate: 0.05),
            ["RAdam"] = p => new RAdam(p, learningRate: 0.05),
        };

    /// <summary>The names of <see cref="Factories"/>, as theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Factories.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    /// <summary>Builds the optimizer named <paramref name="name"/> over <paramref name="parameters"/>.</summary>
    public static Optimizer Create(string name, params Parameter[] parameters) => Factories[name](parameters);
}
