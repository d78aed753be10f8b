namespace Optimizers.Tests.Performance;

/// <summary>
/// Every optimizer of the library, by a readable name, as a factory over a parameter list: the list the
/// allocation and parallelism theories run over. Each rule appears with its defaults and with its options on.
/// </summary>
public static class OptimizerCatalog
{
    private static readonly Dictionary<string, Func<IReadOnlyList<Parameter>, Optimizer>> Factories = new()
    {
        ["GradientDescent"] = p => new GradientDescent(p, learningRate: 0.01),
        ["GradientDescent(weightDecay, maximize)"] = p => new GradientDescent(p, learningRate: 0.01, weightDecay: 0.1, maximize: true),
        ["Momentum"] = p => new Momentum(p, learningRate: 0.01),
        ["Momentum(dampening, weightDecay, maximize)"] = p => new Momentum(p, 0.01, momentum: 0.8, dampening: 0.3, weightDecay: 0.05, maximize: true),
        ["Momentum(nesterov)"] = p => new Momentum(p, 0.01, momentum: 0.9, nesterov: true),

        // The adaptive family (issue 3) goes here, defaults first, then one entry with every option on, e.g.
        // ["Adam"] = p => new Adam(p), ["Adam(amsgrad, weightDecay, maximize)"] = p => new Adam(p, amsgrad: true, …),
        // for AdaGrad, RMSProp, AdaDelta, Adam, AdamW, Adamax, NAdam and RAdam.
    };

    /// <summary>The names, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names => new(Factories.Keys);

    /// <summary>The names, in catalog order.</summary>
    public static IEnumerable<string> All => Factories.Keys;

    /// <summary>Creates the optimizer called <paramref name="name"/> over <paramref name="parameters"/>.</summary>
    public static Optimizer Create(string name, IReadOnlyList<Parameter> parameters) => Factories[name](parameters);

    /// <summary>Parameters of the given lengths with values and gradients drawn from <paramref name="seed"/>.</summary>
    public static Parameter[] RandomParameters(int seed, params int[] lengths)
    {
        var random = new Random(seed);
        var parameters = new Parameter[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            var values = new double[lengths[i]];
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = random.NextDouble() * 2 - 1;
            }

            parameters[i] = new Parameter($"p{i}", values);
            FillGradient(parameters[i], random);
        }

        return parameters;
    }

    /// <summary>Writes a fresh gradient in [−1, 1) into <paramref name="parameter"/> (no allocation).</summary>
    public static void FillGradient(Parameter parameter, Random random)
    {
        for (int k = 0; k < parameter.Length; k++)
        {
            parameter.Gradient[k] = random.NextDouble() * 2 - 1;
        }
    }
}
