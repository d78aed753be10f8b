namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// Every optimizer configuration the checkpoint guarantees are proven for. Each factory takes the parameters
/// "w" and "b" of <see cref="Trajectory"/>; add a line here for each new rule.
/// </summary>
internal static class CheckpointableOptimizers
{
    private static readonly Dictionary<string, Func<Parameter[], IOptimizer>> s_factories = new()
    {
        ["GradientDescent"] = p => new GradientDescent(p, 0.05),
        ["GradientDescent(weightDecay, maximize)"] = p => new GradientDescent(p, 0.05, weightDecay: 0.1, maximize: true),
        ["Momentum"] = p => new Momentum(p, 0.05),
        ["Momentum(nesterov, weightDecay)"] = p => new Momentum(p, 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01),
        ["Momentum(dampening)"] = p => new Momentum(p, 0.05, momentum: 0.5, dampening: 0.3),
        ["Adam"] = p => new Adam(p, 0.01),
        ["Adam(amsgrad, weightDecay)"] = p => new Adam(p, 0.01, amsgrad: true, weightDecay: 0.01),
        ["AdamW"] = p => new AdamW(p, 0.01),
        ["AdamW(amsgrad)"] = p => new AdamW(p, 0.01, amsgrad: true),
        ["NAdam"] = p => new NAdam(p, 0.01),
        ["RAdam"] = p => new RAdam(p, 0.01),
        ["ParameterGroups(Momentum)"] = p => new ParameterGroups(
            new Momentum([p[0]], 0.05, weightDecay: 0.01),
            new Momentum([p[1]], 0.1, nesterov: true)),
        ["ParameterGroups(AdamW)"] = p => new ParameterGroups(
            new AdamW([p[0]], 0.01, weightDecay: 0.05),
            new AdamW([p[1]], 0.02, weightDecay: 0)),
        ["ParameterGroups(NAdam)"] = p => new ParameterGroups(
            new NAdam([p[1]], 0.01),
            new NAdam([p[0]], 0.02, momentumDecay: 0.01)),
    };

    public static TheoryData<string> Names() => new(s_factories.Keys);

    public static IOptimizer Create(string name, Parameter[] parameters) => s_factories[name](parameters);
}
