using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using Optimizers.Demo.Formatting;
using Optimizers.Networks;

namespace Optimizers.Demo.Commands;

/// <summary>
/// Builders for the demo's options. Every value is parsed here, never by System.CommandLine's converters, so that
/// a bad value gives one line in the demo's form (<c>--epochs must be an integer; got 'abc'.</c>) instead of an
/// exception, and every default shows once in <c>--help</c>, as <c>[default: …]</c>.
/// </summary>
internal static class Options
{
    /// <summary>
    /// The help text of a default that System.CommandLine cannot show itself (it depends on another option, or
    /// the option has no value of its own when not given), in the form System.CommandLine uses for the others.
    /// </summary>
    public static string DefaultText(string text) => $"[default: {text}]";

    public static Option<string> Out()
    {
        var option = new Option<string>("--out", "-o")
        {
            Description = "Folder the PNG files are written to",
            HelpName = "folder",
            DefaultValueFactory = _ => "out",
        };
        option.Validators.Add(r =>
        {
            string? v = r.GetValueOrDefault<string>();
            if (string.IsNullOrWhiteSpace(v))
            {
                r.AddError($"--out must name a folder; got '{v}'.");
            }
        });
        return option;
    }

    public static Option<int> Seed() => Int("--seed", "Seed for the data, the weights and the batch order", 1, int.MinValue);

    /// <summary>An integer option of at least <paramref name="minimum"/>.</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int minimum) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseInt(r, name, minimum) ?? defaultValue,
    };

    /// <summary>An integer option of at least <paramref name="minimum"/> whose value is null when not given.</summary>
    public static Option<int?> OptionalInt(string name, string description, string defaultText, int minimum) => new(name)
    {
        Description = $"{description} {DefaultText(defaultText)}",
        CustomParser = r => ParseInt(r, name, minimum),
    };

    /// <summary>A number option; <paramref name="problem"/> returns what is wrong with a value ("must be …"), or null.</summary>
    public static Option<double> Number(string name, string description, double defaultValue, Func<double, string?> problem) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseNumber(r, name, problem) ?? defaultValue,
    };

    /// <summary>A number option whose value is null when not given; its range is checked by whoever uses it.</summary>
    public static Option<double?> OptionalNumber(string name, string description, string defaultText) => new(name)
    {
        Description = $"{description} {DefaultText(defaultText)}",
        CustomParser = r => ParseNumber(r, name, _ => null),
    };

    public static Option<double> PositiveNumber(string name, string description, double defaultValue)
        => Number(name, description, defaultValue, v => v > 0 && double.IsFinite(v) ? null : "must be a finite number > 0");

    public static Option<string> Choice(string name, string description, string defaultValue, IReadOnlyList<string> choices, string context = "")
    {
        var option = new Option<string>(name)
        {
            Description = $"{description}: {string.Join(", ", choices)}",
            HelpName = "name",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(r =>
        {
            string? v = r.GetValueOrDefault<string>();
            if (v is null || !choices.Contains(v.ToLowerInvariant()))
            {
                r.AddError($"{name} must be one of {string.Join(", ", choices)}{context}; got '{v}'.");
            }
        });
        option.CompletionSources.Add(choices.ToArray());
        return option;
    }

    public static Option<string> Activation(string defaultValue = "tanh")
        => Choice("--activation", "Hidden-layer activation", defaultValue,
                  Enum.GetNames<Activation>().Select(n => n.ToLowerInvariant()).ToArray());

    public static Activation ParseActivation(string value) => Enum.Parse<Activation>(value, ignoreCase: true);

    /// <summary>--precision single|double: the element type the command computes in.</summary>
    public static Option<string> Precision()
        => Choice("--precision", "Element type of the weights, data, gradients and optimizer state", "double", Precisions.Names);

    /// <summary>--hidden 64,32: the hidden layer widths, input side first.</summary>
    public static Option<LayerWidths> Hidden(params int[] defaultWidths) => new("--hidden")
    {
        Description = "Hidden layer widths, comma-separated, input side first",
        HelpName = "w1,w2,…",
        DefaultValueFactory = _ => new LayerWidths(defaultWidths),
        CustomParser = r =>
        {
            string text = string.Join(",", r.Tokens.Select(t => t.Value));
            var widths = LayerWidths.TryParse(text);
            if (widths is null)
            {
                r.AddError($"--hidden must be positive layer widths (at most {LayerWidths.MaxWidth}) separated by commas, such as 64,32; got '{text}'.");
            }

            return widths ?? new LayerWidths(defaultWidths);
        },
    };

    private static int? ParseInt(ArgumentResult r, string name, int minimum)
    {
        string text = Token(r);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            // A whole number outside int's range says which bound it broke; anything else is not an integer.
            bool whole = BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big);
            r.AddError(whole && big.Sign > 0 ? $"{name} must be at most {int.MaxValue}; got {text}."
                       : whole ? $"{name} must be at least {minimum}; got {text}."
                       : $"{name} must be an integer; got '{text}'.");
            return null;
        }

        if (value < minimum)
        {
            r.AddError($"{name} must be at least {minimum}; got {value}.");
            return null;
        }

        return value;
    }

    private static double? ParseNumber(ArgumentResult r, string name, Func<double, string?> problem)
    {
        string text = Token(r);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            r.AddError($"{name} must be a number; got '{text}'.");
            return null;
        }

        if (problem(value) is string wrong)
        {
            r.AddError($"{name} {wrong}; got {NumberFormat.Setting(value)}.");
            return null;
        }

        return value;
    }

    /// <summary>The one token of a single-valued option (System.CommandLine has already rejected none or several).</summary>
    private static string Token(ArgumentResult r) => r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Join(" ", r.Tokens.Select(t => t.Value));
}
