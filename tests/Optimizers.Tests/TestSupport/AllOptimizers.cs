using System.Numerics;

namespace Optimizers.Tests.TestSupport;

/// <summary>
/// One optimizer configuration of the catalog: a readable name such as <c>"Adam(amsgrad, weightDecay)"</c>, the
/// learning rate it is built with, and a factory.
/// </summary>
/// <param name="Name">"Rule" for a plain configuration, "Rule(option, option…)" for a rich one.</param>
/// <param name="LearningRate">The learning rate <see cref="Create(IReadOnlyList{Parameter{T}})"/> uses.</param>
/// <param name="Factory">Builds the optimizer over the given parameters with the given learning rate.</param>
/// <param name="Conformant">
/// Plain descent on a smooth problem (no weight decay, no maximize, a suitable learning rate): the conformance
/// theory may run it.
/// </param>
/// <param name="MovesOnFirstStep">
/// False for a rule whose first step leaves θ unchanged by design (ADOPT's only initialises its second moment):
/// theories that need the first step to move θ skip it.
/// </param>
/// <param name="Elementwise">
/// False for a rule whose update of an element depends on the whole parameter (LAMB's trust ratio is ‖θ‖/‖u‖): a NaN
/// in one gradient element then reaches every element of that parameter, so theories that expect it to stay in its
/// element skip it.
/// </param>
internal sealed record OptimizerConfiguration<T>(
    string Name, double LearningRate, Func<IReadOnlyList<Parameter<T>>, double, Optimizer<T>> Factory, bool Conformant,
    bool MovesOnFirstStep = true, bool Elementwise = true)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The rule's class name: <see cref="Name"/> up to the first parenthesis.</summary>
    public string Rule => Name.Split('(')[0];

    /// <summary>Builds the optimizer over <paramref name="parameters"/> with <see cref="LearningRate"/>.</summary>
    public Optimizer<T> Create(IReadOnlyList<Parameter<T>> parameters) => Factory(parameters, LearningRate);

    /// <summary>Builds the optimizer over <paramref name="parameters"/> with another learning rate.</summary>
    public Optimizer<T> Create(IReadOnlyList<Parameter<T>> parameters, double learningRate) => Factory(parameters, learningRate);

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
/// <item><see cref="Grouped"/>: <see cref="ParameterGroups{T}"/> built from the rules, for the checkpoint tests.</item>
/// </list>
/// Every configuration exists for both element types: the same hyperparameters (doubles at the API) over parameters of
/// <typeparamref name="T"/>. <see cref="AllOptimizers"/> holds the names as theory data and float64 under the short name.
/// The parity tests keep their own map (Parity/ParityFactories.cs), keyed by the options of each fixture.
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
internal static class AllOptimizers<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every rule, one plain configuration each, by rule name.</summary>
    public static IReadOnlyDictionary<string, OptimizerConfiguration<T>> Plain { get; } = ByName(
    [
        new("GradientDescent", 0.05, (p, lr) => new GradientDescent<T>(p, lr), true),
        new("Momentum", 0.01, (p, lr) => new Momentum<T>(p, lr, momentum: 0.9), true),
        new("AdaGrad", 0.5, (p, lr) => new AdaGrad<T>(p, lr), true),
        new("RMSProp", 0.01, (p, lr) => new RMSProp<T>(p, lr), true),
        new("AdaDelta", 1.0, (p, lr) => new AdaDelta<T>(p, lr, rho: 0.95), true),
        new("Adam", 0.05, (p, lr) => new Adam<T>(p, lr), true),
        new("AdamW", 0.05, (p, lr) => new AdamW<T>(p, lr, weightDecay: 0), true),
        new("Adamax", 0.05, (p, lr) => new Adamax<T>(p, lr), true),
        new("NAdam", 0.05, (p, lr) => new NAdam<T>(p, lr), true),
        new("RAdam", 0.05, (p, lr) => new RAdam<T>(p, lr), true),
        new("Rprop", 0.01, (p, lr) => new Rprop<T>(p, lr), true),
        new("ASGD", 0.05, (p, lr) => new ASGD<T>(p, lr, lambda: 0), true), // λ also shrinks θ: plain descent needs λ = 0
        new("Lion", 0.001, (p, lr) => new Lion<T>(p, lr), true),
        new("Lamb", 0.05, (p, lr) => new Lamb<T>(p, lr), true, Elementwise: false),
        new("Adopt", 0.05, (p, lr) => new Adopt<T>(p, lr), true, MovesOnFirstStep: false),
        new("ScheduleFreeSgd", 0.02, (p, lr) => new ScheduleFreeSgd<T>(p, lr), true),
        new("ScheduleFreeAdamW", 0.05, (p, lr) => new ScheduleFreeAdamW<T>(p, lr), true),
        new("Adafactor", 0.1, (p, lr) => new Adafactor<T>(p, lr), true, Elementwise: false), // RMS(θ) and RMS(u) span the parameter
    ]);

    /// <summary>Configurations with non-default options, at least two per rule, by name.</summary>
    public static IReadOnlyDictionary<string, OptimizerConfiguration<T>> Rich { get; } = ByName(
    [
        new("GradientDescent(weightDecay, maximize)", 0.05, (p, lr) => new GradientDescent<T>(p, lr, weightDecay: 0.1, maximize: true), false),
        new("GradientDescent(weightDecay)", 0.1, (p, lr) => new GradientDescent<T>(p, lr, weightDecay: 0.01), false),
        new("Momentum(nesterov)", 0.01, (p, lr) => new Momentum<T>(p, lr, momentum: 0.9, nesterov: true), true),
        new("Momentum(nesterov, weightDecay)", 0.05, (p, lr) => new Momentum<T>(p, lr, momentum: 0.8, nesterov: true, weightDecay: 0.01), false),
        new("Momentum(dampening, weightDecay, maximize)", 0.01, (p, lr) => new Momentum<T>(p, lr, momentum: 0.8, dampening: 0.3, weightDecay: 0.05, maximize: true), false),
        new("Momentum(dampening, weightDecay)", 0.1, (p, lr) => new Momentum<T>(p, lr, momentum: 0.9, dampening: 0.5, weightDecay: 0.01), false),
        new("AdaGrad(lrDecay, initialAccumulatorValue)", 0.5, (p, lr) => new AdaGrad<T>(p, lr, lrDecay: 0.01, initialAccumulatorValue: 0.1), true),
        new("AdaGrad(weightDecay, epsilon, maximize)", 0.1, (p, lr) => new AdaGrad<T>(p, lr, weightDecay: 0.01, epsilon: 1e-6, maximize: true), false),
        new("RMSProp(centered, momentum)", 0.01, (p, lr) => new RMSProp<T>(p, lr, momentum: 0.9, centered: true), true),
        new("RMSProp(centered, weightDecay)", 0.01, (p, lr) => new RMSProp<T>(p, lr, weightDecay: 0.01, centered: true), false),
        new("RMSProp(alpha, epsilon, momentum, weightDecay, maximize)", 0.01, (p, lr) => new RMSProp<T>(p, lr, alpha: 0.9, epsilon: 1e-6, momentum: 0.5, weightDecay: 0.01, maximize: true), false),
        new("AdaDelta(rho, epsilon, weightDecay, maximize)", 1.0, (p, lr) => new AdaDelta<T>(p, lr, rho: 0.8, epsilon: 1e-5, weightDecay: 0.01, maximize: true), false),
        new("AdaDelta(weightDecay)", 0.5, (p, lr) => new AdaDelta<T>(p, lr, weightDecay: 0.1), false),
        new("Adam(amsgrad)", 0.05, (p, lr) => new Adam<T>(p, lr, amsgrad: true), true),
        new("Adam(amsgrad, weightDecay)", 0.01, (p, lr) => new Adam<T>(p, lr, amsgrad: true, weightDecay: 0.01), false),
        new("Adam(betas, epsilon, maximize)", 0.01, (p, lr) => new Adam<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, maximize: true), false),
        new("Adam(decoupledWeightDecay, amsgrad)", 0.01, (p, lr) => new Adam<T>(p, lr, weightDecay: 0.1, amsgrad: true, decoupledWeightDecay: true), false),
        new("AdamW(weightDecay)", 0.01, (p, lr) => new AdamW<T>(p, lr, weightDecay: 0.1), false),
        new("AdamW(betas, epsilon, amsgrad, maximize)", 0.01, (p, lr) => new AdamW<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, maximize: true), false),
        new("Adamax(betas, weightDecay, maximize)", 0.01, (p, lr) => new Adamax<T>(p, lr, beta1: 0.8, beta2: 0.99, weightDecay: 0.01, maximize: true), false),
        new("Adamax(epsilon, weightDecay)", 0.01, (p, lr) => new Adamax<T>(p, lr, epsilon: 1e-4, weightDecay: 0.1), false),
        new("NAdam(momentumDecay, weightDecay)", 0.01, (p, lr) => new NAdam<T>(p, lr, momentumDecay: 0.01, weightDecay: 0.01), false),
        new("NAdam(betas, epsilon, maximize)", 0.01, (p, lr) => new NAdam<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, maximize: true), false),
        new("NAdam(decoupledWeightDecay)", 0.01, (p, lr) => new NAdam<T>(p, lr, weightDecay: 0.1, decoupledWeightDecay: true), false),
        new("RAdam(betas, weightDecay)", 0.01, (p, lr) => new RAdam<T>(p, lr, beta1: 0.8, beta2: 0.99, weightDecay: 0.01), false),
        new("RAdam(epsilon, maximize)", 0.01, (p, lr) => new RAdam<T>(p, lr, epsilon: 1e-6, maximize: true), false),
        new("RAdam(decoupledWeightDecay, maximize)", 0.01, (p, lr) => new RAdam<T>(p, lr, weightDecay: 0.1, maximize: true, decoupledWeightDecay: true), false),
        new("Rprop(etas, stepSizes)", 0.05, (p, lr) => new Rprop<T>(p, lr, etaMinus: 0.3, etaPlus: 1.5, minStepSize: 1e-3, maxStepSize: 0.2), true),
        new("Rprop(maximize)", 0.01, (p, lr) => new Rprop<T>(p, lr, maximize: true), false),
        new("ASGD(lambda, alpha, t0)", 0.05, (p, lr) => new ASGD<T>(p, lr, lambda: 0.01, alpha: 0.5, t0: 3), false),
        new("ASGD(weightDecay, maximize)", 0.01, (p, lr) => new ASGD<T>(p, lr, weightDecay: 0.05, maximize: true), false),
        new("Lion(weightDecay)", 0.001, (p, lr) => new Lion<T>(p, lr, weightDecay: 0.1), false),
        new("Lion(betas, weightDecay)", 0.003, (p, lr) => new Lion<T>(p, lr, beta1: 0.8, beta2: 0.95, weightDecay: 0.5), false),
        new("Lamb(weightDecay)", 0.01, (p, lr) => new Lamb<T>(p, lr, weightDecay: 0.01), false, Elementwise: false),
        new("Lamb(betas, epsilon, epsilonRoot, weightDecay)", 0.01, (p, lr) => new Lamb<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-4, epsilonRoot: 1e-6, weightDecay: 0.1), false, Elementwise: false),
        new("Adopt(weightDecay, maximize)", 0.01, (p, lr) => new Adopt<T>(p, lr, weightDecay: 0.01, maximize: true), false, MovesOnFirstStep: false),
        new("Adopt(betas, epsilon, decoupled)", 0.01, (p, lr) => new Adopt<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-4, weightDecay: 0.1, decoupled: true), false, MovesOnFirstStep: false),
        new("ScheduleFreeSgd(momentum, weightDecay, warmupSteps, r, weightLrPower)", 0.05, (p, lr) => new ScheduleFreeSgd<T>(p, lr, momentum: 0.8, weightDecay: 0.01, warmupSteps: 3, r: 1, weightLrPower: 1), false),
        new("ScheduleFreeSgd(warmupSteps)", 0.02, (p, lr) => new ScheduleFreeSgd<T>(p, lr, warmupSteps: 10), true),
        new("ScheduleFreeAdamW(betas, epsilon, weightDecay, warmupSteps, r)", 0.01, (p, lr) => new ScheduleFreeAdamW<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1, warmupSteps: 2, r: 0.5), false),
        new("ScheduleFreeAdamW(warmupSteps, r, weightLrPower)", 0.05, (p, lr) => new ScheduleFreeAdamW<T>(p, lr, warmupSteps: 5, r: 1, weightLrPower: 1), true),
        new("Adafactor(beta2Decay, epsilon1, epsilon2, d)", 0.05, (p, lr) => new Adafactor<T>(p, lr, beta2Decay: -0.5, epsilon1: 1e-20, epsilon2: 0.01, d: 2), true, Elementwise: false),
        new("Adafactor(weightDecay, maximize)", 0.01, (p, lr) => new Adafactor<T>(p, lr, weightDecay: 0.1, maximize: true), false, Elementwise: false),
    ]);

    /// <summary><see cref="Plain"/> then <see cref="Rich"/>, by name.</summary>
    public static IReadOnlyDictionary<string, OptimizerConfiguration<T>> Configurations { get; } =
        ByName([.. Plain.Values, .. Rich.Values]);

    /// <summary>
    /// <see cref="ParameterGroups{T}"/> over two parameters, with hyperparameters (and for RMSProp the set of state
    /// vectors) differing per group, or with a different rule per group ("ParameterGroups(Momentum, AdamW)"), by name.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<IReadOnlyList<Parameter<T>>, IOptimizer>> Grouped { get; } =
        new Dictionary<string, Func<IReadOnlyList<Parameter<T>>, IOptimizer>>(StringComparer.Ordinal)
        {
            ["ParameterGroups(Momentum)"] = p => Groups(
                new Momentum<T>([p[0]], 0.05, weightDecay: 0.01),
                new Momentum<T>([p[1]], 0.1, nesterov: true)),
            ["ParameterGroups(AdamW)"] = p => Groups(
                new AdamW<T>([p[0]], 0.01, weightDecay: 0.05),
                new AdamW<T>([p[1]], 0.02, weightDecay: 0)),
            ["ParameterGroups(NAdam)"] = p => Groups(
                new NAdam<T>([p[1]], 0.01),
                new NAdam<T>([p[0]], 0.02, momentumDecay: 0.01)),
            ["ParameterGroups(RMSProp)"] = p => Groups(
                new RMSProp<T>([p[0]], 0.01, momentum: 0.9, centered: true),
                new RMSProp<T>([p[1]], 0.02, weightDecay: 0.01)),
            ["ParameterGroups(ScheduleFreeAdamW)"] = p => Groups(
                new ScheduleFreeAdamW<T>([p[0]], 0.01, warmupSteps: 2),
                new ScheduleFreeAdamW<T>([p[1]], 0.02, weightDecay: 0.01)),
            ["ParameterGroups(Momentum, AdamW)"] = p => Groups(
                new Momentum<T>([p[0]], 0.05, momentum: 0.95, nesterov: true),
                new AdamW<T>([p[1]], 0.01, weightDecay: 0)),
            ["ParameterGroups(ScheduleFreeSgd, NAdam)"] = p => Groups(
                new ScheduleFreeSgd<T>([p[0]], 0.02, warmupSteps: 2),
                new NAdam<T>([p[1]], 0.01, momentumDecay: 0.01)),
            ["ParameterGroups(Lamb, Rprop)"] = p => Groups(
                new Lamb<T>([p[0]], 0.01),
                new Rprop<T>([p[1]], 0.01)),
        };

    /// <summary>Builds the configuration called <paramref name="name"/> (plain or rich) over <paramref name="parameters"/>.</summary>
    public static Optimizer<T> Create(string name, params Parameter<T>[] parameters) => Configurations[name].Create(parameters);

    /// <summary>Builds the configuration called <paramref name="name"/> (plain or rich) over <paramref name="parameters"/>.</summary>
    public static Optimizer<T> Create(string name, IReadOnlyList<Parameter<T>> parameters) => Configurations[name].Create(parameters);

    /// <summary>Builds any configuration, plain, rich or grouped, over <paramref name="parameters"/>.</summary>
    public static IOptimizer CreateAny(string name, IReadOnlyList<Parameter<T>> parameters) =>
        Grouped.TryGetValue(name, out var grouped) ? grouped(parameters) : Create(name, parameters);

    /// <summary>The groups as one optimizer: a <see cref="ParameterGroups"/> (the short name) when <typeparamref name="T"/> is double.</summary>
    private static IOptimizer Groups(params Optimizer<T>[] groups) =>
        groups is Optimizer<double>[] doubles ? new ParameterGroups(doubles) : new ParameterGroups<T>(groups);

    private static Dictionary<string, OptimizerConfiguration<T>> ByName(OptimizerConfiguration<T>[] configurations) =>
        configurations.ToDictionary(c => c.Name, StringComparer.Ordinal);
}

/// <summary>
/// The names of the catalog's configurations as theory data (the same for both element types), and the float64
/// catalog under the short name, as the library's <c>Adam : Adam&lt;double&gt;</c>.
/// </summary>
internal static class AllOptimizers
{
    /// <inheritdoc cref="AllOptimizers{T}.Plain"/>
    public static IReadOnlyDictionary<string, OptimizerConfiguration<double>> Plain => AllOptimizers<double>.Plain;

    /// <inheritdoc cref="AllOptimizers{T}.Configurations"/>
    public static IReadOnlyDictionary<string, OptimizerConfiguration<double>> Configurations => AllOptimizers<double>.Configurations;

    /// <summary>Every rule name, as theory data.</summary>
    public static TheoryData<string> RuleNames() => new(Plain.Keys);

    /// <summary>Every configuration name (plain and rich), as theory data.</summary>
    public static TheoryData<string> ConfigurationNames() => new(Configurations.Keys);

    /// <summary>The configurations the conformance theory runs: every plain one and the conformant rich ones.</summary>
    public static TheoryData<string> ConformantNames() =>
        new(Configurations.Values.Where(c => c.Conformant).Select(c => c.Name));

    /// <summary>Every configuration name and every grouped one, as theory data (for checkpoints).</summary>
    public static TheoryData<string> CheckpointableNames() => new([.. Configurations.Keys, .. AllOptimizers<double>.Grouped.Keys]);

    /// <inheritdoc cref="AllOptimizers{T}.Create(string, Parameter{T}[])"/>
    public static Optimizer<double> Create(string name, params Parameter<double>[] parameters) => AllOptimizers<double>.Create(name, parameters);

    /// <inheritdoc cref="AllOptimizers{T}.Create(string, IReadOnlyList{Parameter{T}})"/>
    public static Optimizer<double> Create(string name, IReadOnlyList<Parameter<double>> parameters) => AllOptimizers<double>.Create(name, parameters);

    /// <inheritdoc cref="AllOptimizers{T}.CreateAny"/>
    public static IOptimizer CreateAny(string name, IReadOnlyList<Parameter<double>> parameters) => AllOptimizers<double>.CreateAny(name, parameters);
}
