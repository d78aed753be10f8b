namespace Optimizers.Tests.Parity;

/// <summary>
/// Builds the optimizer a parity fixture names, from the fixture's options, with the constructor's named
/// arguments. Every fallback is the constructor's default (a test checks this by reflection), so a fixture
/// that leaves an option out exercises the C# default against torch's.
/// </summary>
/// <remarks>
/// Fixtures whose optimizer has no entry here are reported as skipped by <see cref="ParityTests"/>.
/// The entries for the eight adaptive optimizers of issue 3 are written out in
/// ParityFactories.Family.cs.txt (not compiled); paste them into the table below once those classes exist.
/// </remarks>
internal static class ParityFactories
{
    /// <summary>Optimizer class name → factory.</summary>
    public static IReadOnlyDictionary<string, Func<IReadOnlyList<Parameter>, ParityOptions, IOptimizer>> All { get; } =
        new Dictionary<string, Func<IReadOnlyList<Parameter>, ParityOptions, IOptimizer>>(StringComparer.Ordinal)
        {
            ["GradientDescent"] = (p, o) => new GradientDescent(p,
                learningRate: o.Required("learningRate"),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false)),

            ["Momentum"] = (p, o) => new Momentum(p,
                learningRate: o.Required("learningRate"),
                momentum: o.Double("momentum", 0.9),
                dampening: o.Double("dampening", 0),
                nesterov: o.Bool("nesterov", false),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false)),
        };
}
