using System.Text.Json;

namespace Optimizers.Tests.Parity;

/// <summary>
/// A fixture's options as the factories read them: <c>o.Double("beta1", 0.9)</c> returns the fixture's value
/// or, when the fixture leaves the option out, the fallback, which must be the constructor's default
/// (checked by <see cref="ParityTests{T}.FactoryFallbacksAreTheConstructorDefaults"/>).
/// </summary>
/// <remarks>
/// It remembers which options were read and which fallbacks were used, so that a test can insist that a
/// factory passes on every option of a fixture (none silently ignored) and that every fallback equals
/// the default declared by the constructor.
/// </remarks>
internal sealed class ParityOptions
{
    private readonly JsonElement _options;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _fallbacks = new(StringComparer.Ordinal);
    private readonly double? _requiredStandIn;
    private readonly (string Name, double Factor)? _scaling;

    /// <summary>Wraps the "options" object of a fixture.</summary>
    public ParityOptions(JsonElement options)
        : this(options, requiredStandIn: null, scaling: null)
    {
    }

    private ParityOptions(JsonElement options, double? requiredStandIn, (string Name, double Factor)? scaling)
    {
        if (options.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Options must be a JSON object; got {options.ValueKind}.", nameof(options));
        }

        _options = options;
        _requiredStandIn = requiredStandIn;
        _scaling = scaling;
    }

    /// <summary>
    /// No options at all; <see cref="Required"/> answers <paramref name="requiredStandIn"/>. Used to learn
    /// which fallbacks a factory uses.
    /// </summary>
    public static ParityOptions Empty(double requiredStandIn)
    {
        using var document = JsonDocument.Parse("{}");
        return new ParityOptions(document.RootElement.Clone(), requiredStandIn, scaling: null);
    }

    /// <summary>
    /// The same options with the real-valued option <paramref name="name"/> multiplied by <paramref name="factor"/>,
    /// whether the fixture gives it or the fallback supplies it (for example ε halved, to show a replay notices it).
    /// </summary>
    public ParityOptions Scaling(string name, double factor) => new(_options, _requiredStandIn, (name, factor));

    /// <summary>The option names read so far (given or not).</summary>
    public IReadOnlyCollection<string> NamesRead => _read;

    /// <summary>The fallbacks used so far, by option name (double or bool).</summary>
    public IReadOnlyDictionary<string, object> FallbacksUsed => _fallbacks;

    /// <summary>The option names the fixture gives that no factory call has read.</summary>
    public IReadOnlyList<string> Unread() =>
        _options.EnumerateObject().Select(p => p.Name).Where(n => !_read.Contains(n)).ToArray();

    /// <summary>An option without a default, such as GradientDescent's learning rate.</summary>
    public double Required(string name)
    {
        _read.Add(name);
        if (_options.TryGetProperty(name, out var value))
        {
            return value.GetDouble();
        }

        return _requiredStandIn ?? throw new KeyNotFoundException($"The fixture's options lack the required '{name}'.");
    }

    /// <summary>A real-valued option, or <paramref name="fallback"/> (the constructor's default) when absent.</summary>
    public double Double(string name, double fallback)
    {
        _read.Add(name);
        double factor = _scaling is { } s && s.Name == name ? s.Factor : 1;
        if (_options.TryGetProperty(name, out var value))
        {
            return value.ValueKind == JsonValueKind.Number
                ? factor * value.GetDouble()
                : throw new InvalidDataException($"Option '{name}' should be a number; got {value}.");
        }

        _fallbacks[name] = fallback;
        return factor * fallback;
    }

    /// <summary>A Boolean option, or <paramref name="fallback"/> (the constructor's default) when absent.</summary>
    public bool Bool(string name, bool fallback)
    {
        _read.Add(name);
        if (_options.TryGetProperty(name, out var value))
        {
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InvalidDataException($"Option '{name}' should be true or false; got {value}."),
            };
        }

        _fallbacks[name] = fallback;
        return fallback;
    }

    /// <inheritdoc />
    public override string ToString() =>
        (_options.ToString() ?? string.Empty) + (_scaling is { } s ? $" with {s.Name} × {s.Factor}" : string.Empty);
}
