namespace Optimizers.Demo.Catalog;

/// <summary>
/// The hyperparameter values an optimizer is built with: those given on the command line, and for the rest
/// the defaults its <see cref="OptimizerEntry"/> declares.
/// </summary>
public sealed class HyperparameterValues
{
    private readonly OptimizerEntry _entry;
    private readonly IReadOnlyDictionary<string, double> _given;

    /// <summary>Creates the values for <paramref name="entry"/> from the options that were given.</summary>
    /// <param name="entry">The optimizer whose declared hyperparameters supply the defaults.</param>
    /// <param name="given">Values given explicitly, by option name without dashes (flags as 0 or 1).</param>
    public HyperparameterValues(OptimizerEntry entry, IReadOnlyDictionary<string, double>? given = null)
    {
        _entry = entry;
        _given = given ?? new Dictionary<string, double>();
    }

    /// <summary>The value of the numeric hyperparameter <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The entry does not declare <paramref name="name"/>.</exception>
    public double this[string name] => _given.TryGetValue(name, out double v) ? v : Declared(name).Default;

    /// <summary>Whether the flag <paramref name="name"/> is on.</summary>
    /// <exception cref="KeyNotFoundException">The entry does not declare <paramref name="name"/>.</exception>
    public bool Flag(string name) => this[name] != 0;

    private Hyperparameter Declared(string name) => _entry.Hyperparameters.FirstOrDefault(h => h.Name == name)
        ?? throw new KeyNotFoundException($"{_entry.Name} declares no hyperparameter '{name}'.");
}
