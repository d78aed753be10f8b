namespace Optimizers.Tests.TestSupport;

/// <summary>
/// One optimizer configuration of the catalog: a readable name such as <c>"Adam(amsgrad, weightDecay)"</c>, the
/// learning rate it is built with, and a factory.
/// </summary>
/// <param name="Name">"Rule" for a plain configuration, "Rule(option, option…)" for a rich one.</param>
/// <param name="LearningRate">The learning rate <see cref="Create(IReadOnlyList{Parameter})"/> uses.</param>
/// <param name="Factory">Builds the optimizer over the given parameters with the given learning rate.</param>
/// <param name="Conformant">
/// Plain descent on a smooth problem (no weight decay, no maximize, a suitable learning rate): the conformance
/// theory may run it.
/// </param>
internal sealed record OptimizerConfiguration(
    string Name, double LearningRate, Func<IReadOnlyList<Parameter>, double, Optimizer<double>> Factory, bool Conformant)
{
    /// <summary>The rule's class name: <see cref="Name"/> up to the first parenthesis.</summary>
    public string Rule => Name.Split('(')[0];

    /// <summary>Builds the optimizer over <paramref name="parameters"/> with <see cref="LearningRate"/>.</summary>
    public Optimizer<double> Create(IReadOnlyList<Parameter> parameters) => Factory(parameters, LearningRate);

    /// <summary>Builds the optimizer over <paramref name="parameters"/> with another learning rate.</summary>
    public Optimizer<double> Create(IReadOnlyList<Parameter> parameters, double learningRate) => Factory(parameters, learningRate);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// Every optimizer of the library, in one place, for the theories that run one check over all of them. Add a
/// new rule here and every such theory picks it up.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Plain"/>: one configuration per rule, named after the rule: its defaults plus a learning rate
/// suited to small smooth test problems, and no weight decay (so that a zero gradient means no motion). This is
/// what conformance, argument and foundation tests need.</item>
/// <item><see cref="Rich"/>: configurations with non-default options (Nesterov, dampening, AMSGrad, centred with
/// momentum, lr decay with an initial accumulator, weight decay, maximize, other betas…), so that every option and
/// every optional state vector is exercised by checkpoint-resume, allocation, non-finite-gradient and parallel
/// tests, which run over <see cref="Configurations"/> (plain and rich).</item>
/// <item><see cref="Grouped"/>: <see cref="ParameterGroups"/> built from the rules, for the checkpoint tests.</item>
/// </list>
/// The parity tests keep their own map (Parity/ParityFactories.cs), keyed by the options of each fixture.
/// </remarks>
internal static class AllOptimizers
{
    /// <summary>The ten rules, one plain configuration each, by rule name.</summary>
    public static IReadOnlyDictionary<string, OptimizerConfiguration> Plain { get; } = ByName(
    [
        new("GradientDescent", 0.05, (p, lr) => new GradientDescent(p, lr), true),
        new("Momentum", 0.01, (p, lr) => new Momentum(p, lr, momentum: 0.9), true),
        new("AdaGrad", 0.5, (p, lr) => new AdaGrad(p, lr), true),
        new("RMSProp", 0.01, (p, lr) => new RMSProp(p, lr), true),
        new("AdaDelta", 1.0, (p, lr) => new AdaDelta(p, lr, rho: 0.95), true),
        new("Adam", 0.05, (p, lr) => new Adam(p, lr), true),
        new("AdamW", 0.05, (p, lr) => new AdamW(p, lr, weightDecay: 0), true),
        new("Adamax", 0.05, (p, lr) => new Adamax(p, lr), true),
        new("NAdam", 0.05, (p, lr) => new NAdam(p, lr), true),
        new("RAdam", 0.05, (p, lr) => new RAdam(p, lr), true),
    ]);

    /// <summary>Configurations with non-default options, at least two per rule, by name.</summary>
    public static IReadOnlyDictionary<string, OptimizerConfiguration> Rich { get; } = ByName(
    [
        new("GradientDescent(weightDecay, maximize)", 0.05, (p, lr) => new GradientDescent(p, lr, weightDecay: 0.1, maximize: true), false),
        new("GradientDescent(weightDecay)", 0.1, (p, lr) => new GradientDescent(p, lr, weightDecay: 0.01), false),
        new("Momentum(nesterov)", 0.01, (p, lr) => new Momentum(p, lr, momentum: 0.9, nesterov: true), true),
        new("Momentum(nesterov, weightDecay)", 0.05, (p, lr) => new Momentum(p, lr, momentum: 0.8, nesterov: true, weightDecay: 0.01), false),
        new("Momentum(dampening, weightDecay, maximize)", 0.01, (p, lr) => new Momentum(p, lr, momentum: 0.8, dampening: 0.3, weightDecay: 0.05, maximize: true), false),
        new("Momentum(dampening, weightDecay)", 0.1, (p, lr) => new Momentum(p, lr, momentum: 0.9, dampening: 0.5, weightDecay: 0.01), false),
        new("AdaGrad(lrDecay, initialAccumulatorValue)", 0.5, (p, lr) => new AdaGrad(p, lr, lrDecay: 0.01, initialAccumulatorValue: 0.1), true),
        new("AdaGrad(weightDecay, epsilon, maximize)", 0.1, (p, lr) => new AdaGrad(p, lr, weightDecay: 0.01, epsilon: 1e-6, maximize: true), false),
        new("RMSProp(centered, momentum)", 0.01, (p, lr) => new RMSProp(p, lr, momentum: 0.9, centered: true), true),
        new("RMSProp(centered, weightDecay)", 0.01, (p, lr) => new RMSProp(p, lr, weightDecay: 0.01, centered: true), false),
        new("RMSProp(alpha, epsilon, momentum, weightDecay, maximize)", 0.01, (p, lr) => new RMSProp(p, lr, alpha: 0.9, epsilon: 1e-6, momentum: 0.5, weightDecay: 0.01, maximize: true), false),
        new("AdaDelta(rho, epsilon, weightDecay, maximize)", 1.0, (p, lr) => new AdaDelta(p, lr, rho: 0.8, epsilon: 1e-5, weightDecay: 0.01, maximize: true), false),
        new("AdaDelta(weightDecay)", 0.5, (p, lr) => new AdaDelta(p, lr, weightDecay: 0.1), false),
        new("Adam(amsgrad)", 0.05, (p, lr) => new Adam(p, lr, amsgrad: true), true),
        new("Adam(amsgrad, weightDecay)", 0.01, (p, lr) => new Adam(p, lr, amsgrad: true, weightDecay: 0.01), false),
        new("Adam(betas, epsilon, maximize)", 0.01, (p, lr) => new Adam(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, maximize: true), false),
        new("AdamW(weightDecay)", 0.01, (p, lr) => new AdamW(p, lr, weightDecay: 0.1), false),
        new("AdamW(betas, epsilon, amsgrad, maximize)", 0.01, (p, lr) => new AdamW(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, maximize: true), false),
        new("Adamax(betas, weightDecay, maximize)", 0.01, (p, lr) => new Adamax(p, lr, beta1: 0.8, beta2: 0.99, weightDecay: 0.01, maximize: true), false),
        new("Adamax(epsilon, weightDecay)", 0.01, (p, lr) => new Adamax(p, lr, epsilon: 1e-4, weightDecay: 0.1), false),
        new("NAdam(momentumDecay, weightDecay)", 0.01, (p, lr) => new NAdam(p, lr, momentumDecay: 0.01, weightDecay: 0.01), false),
        new("NAdam(betas, epsilon, maximize)", 0.01, (p, lr) => new NAdam(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, maximize: true), false),
        new("RAdam(betas, weightDecay)", 0.01, (p, lr) => new RAdam(p, lr, beta1: 0.8, beta2: 0.99, weightDecay: 0.01), false),
        new("RAdam(epsilon, maximize)", 0.01, (p, lr) => new RAdam(p, lr, epsilon: 1e-6, maximize: true), false),
    ]);

    /// <summary><see cref="Plain"/> then <see cref="Rich"/>, by name.</summary>
    public static IReadOnlyDictionary<string, OptimizerConfiguration> Configurations { get; } =
        ByName([.. Plain.Values, .. Rich.Values]);

    /// <summary>
    /// <see cref="ParameterGroups"/> over two parameters, with hyperparameters (and for RMSProp the set of state
    /// vectors) differing per group, by name.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<IReadOnlyList<Parameter>, IOptimizer>> Grouped { get; } =
        new Dictionary<string, Func<IReadOnlyList<Parameter>, IOptimizer>>(StringComparer.Ordinal)
        {
            ["ParameterGroups(Momentum)"] = p => new ParameterGroups(
                new Momentum([p[0]], 0.05, weightDecay: 0.01),
                new Momentum([p[1]], 0.1, nesterov: true)),
            ["ParameterGroups(AdamW)"] = p => new ParameterGroups(
                new AdamW([p[0]], 0.01, weightDecay: 0.05),
                new AdamW([p[1]], 0.02, weightDecay: 0)),
            ["ParameterGroups(NAdam)"] = p => new ParameterGroups(
                new NAdam([p[1]], 0.01),
                new NAdam([p[0]], 0.02, momentumDecay: 0.01)),
            ["ParameterGroups(RMSProp)"] = p => new ParameterGroups(
                new RMSProp([p[0]], 0.01, momentum: 0.9, centered: true),
                new RMSProp([p[1]], 0.02, weightDecay: 0.01)),
        };

    /// <summary>The ten rule names, as theory data.</summary>
    public static TheoryData<string> RuleNames() => new(Plain.Keys);

    /// <summary>Every configuration name (plain and rich), as theory data.</summary>
    public static TheoryData<string> ConfigurationNames() => new(Configurations.Keys);

    /// <summary>The configurations the conformance theory runs: every plain one and the conformant rich ones.</summary>
    public static TheoryData<string> ConformantNames() =>
        new(Configurations.Values.Where(c => c.Conformant).Select(c => c.Name));

    /// <summary>Every configuration name and every grouped one, as theory data (for checkpoints).</summary>
    public static TheoryData<string> CheckpointableNames() => new([.. Configurations.Keys, .. Grouped.Keys]);

    /// <summary>Builds the configuration called <paramref name="name"/> (plain or rich) over <paramref name="parameters"/>.</summary>
    public static Optimizer<double> Create(string name, params Parameter[] parameters) => Configurations[name].Create(parameters);

    /// <summary>Builds the configuration called <paramref name="name"/> (plain or rich) over <paramref name="parameters"/>.</summary>
    public static Optimizer<double> Create(string name, IReadOnlyList<Parameter> parameters) => Configurations[name].Create(parameters);

    /// <summary>Builds any configuration, plain, rich or grouped, over <paramref name="parameters"/>.</summary>
    public static IOptimizer CreateAny(string name, IReadOnlyList<Parameter> parameters) =>
        Grouped.TryGetValue(name, out var grouped) ? grouped(parameters) : Create(name, parameters);

    private static Dictionary<string, OptimizerConfiguration> ByName(OptimizerConfiguration[] configurations) =>
        configurations.ToDictionary(c => c.Name, StringComparer.Ordinal);
}
