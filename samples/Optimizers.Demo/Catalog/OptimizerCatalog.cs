using static Optimizers.Demo.Catalog.Hyperparameter;

namespace Optimizers.Demo.Catalog;

/// <summary>
/// Every optimizer the demo knows, in the order of its tables and legends. This is the one place to add an
/// optimizer to the demo: one line with its demo learning rate, its hyperparameter options (with the library's
/// defaults) and its constructor call. The <c>train</c> command's options are made from these declarations.
/// </summary>
public static class OptimizerCatalog
{
    /// <summary>The optimizers, in display order.</summary>
    public static IReadOnlyList<OptimizerEntry> All { get; } =
    [
        new("GradientDescent", 0.3, [WeightDecay()],
            (p, lr, h) => new GradientDescent(p, lr, h["weight-decay"])),
        new("Momentum", 0.1, [Number("momentum", 0.9, "μ, momentum factor"), Number("dampening", 0, "τ, dampening of the gradient added to the buffer"), Flag("nesterov", "use Nesterov momentum"), WeightDecay()],
            (p, lr, h) => new Momentum(p, lr, h["momentum"], h["dampening"], h.Flag("nesterov"), h["weight-decay"])),
    ];

    /// <summary>The entry named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static OptimizerEntry? Find(string name)
        => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The names of all entries, comma-separated, for messages.</summary>
    public static string Names => string.Join(", ", All.Select(e => e.Name));

    /// <summary>
    /// Every hyperparameter name declared by any entry, once, with the entries that take it; used to build the
    /// <c>train</c> command's options.
    /// </summary>
    public static IReadOnlyList<(Hyperparameter First, IReadOnlyList<OptimizerEntry> UsedBy)> AllHyperparameters()
        => All.SelectMany(e => e.Hyperparameters.Select(h => (Hyperparameter: h, Entry: e)))
              .GroupBy(x => x.Hyperparameter.Name, StringComparer.Ordinal)
              .Select(g => (g.First().Hyperparameter, (IReadOnlyList<OptimizerEntry>)g.Select(x => x.Entry).ToArray()))
              .ToArray();
}
