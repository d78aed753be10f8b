using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Optimizers.Networks;

namespace Optimizers.Demo.Commands;

/// <summary>Builders for the options several commands share, each validated with a one-line message.</summary>
internal static class Options
{
    public static Option<string> Out() => new("--out", "-o")
    {
        Description = "Folder the PNG files are written to",
        DefaultValueFactory = _ => "out",
    };

    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed for the data, the weights and the batch order",
        DefaultValueFactory = _ => 1,
    };

    public static Option<int> Int(string name, string description, int defaultValue, int minimum)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < minimum)
            {
                r.AddError($"{name} must be at least {minimum}; got {r.GetValueOrDefault<int>()}.");
            }
        });
        return option;
    }

    public static Option<double> PositiveDouble(string name, string description, double defaultValue)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            double v = r.GetValueOrDefault<double>();
            if (!(v > 0) || !double.IsFinite(v))
            {
                r.AddError($"{name} must be a finite number > 0; got {v.ToString(CultureInfo.InvariantCulture)}.");
            }
        });
        return option;
    }

    public static Option<string> Choice(string name, string description, string defaultValue, IReadOnlyList<string> choices, string what)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description}: {string.Join(", ", choices)}",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(r =>
        {
            string? v = r.GetValueOrDefault<string>();
            if (v is null || !choices.Contains(v.ToLowerInvariant()))
            {
                r.AddError($"Unknown {what} '{v}'; choose one of {string.Join(", ", choices)}.");
            }
        });
        option.CompletionSources.Add(choices.ToArray());
        return option;
    }

    public static Option<string> Activation(string defaultValue = "tanh")
        => Choice("--activation", "Hidden-layer activation", defaultValue,
                  Enum.GetNames<Activation>().Select(n => n.ToLowerInvariant()).ToArray(), "activation");

    public static Activation ParseActivation(string value) => Enum.Parse<Activation>(value, ignoreCase: true);

    /// <summary>--hidden 64,32: the hidden layer widths, input side first.</summary>
    public static Option<int[]> Hidden(string defaultValue)
    {
        return new Option<int[]>("--hidden")
        {
            Description = $"Hidden layer widths, comma-separated, input side first (default {defaultValue})",
            HelpName = "w1,w2,…",
            DefaultValueFactory = _ => ParseWidths(defaultValue)!,
            CustomParser = r =>
            {
                string text = string.Join(",", r.Tokens.Select(t => t.Value));
                var widths = ParseWidths(text);
                if (widths is null)
                {
                    r.AddError($"--hidden expects positive layer widths separated by commas, such as 64,32; got '{text}'.");
                    return [];
                }

                return widths;
            },
        };
    }

    private static int[]? ParseWidths(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1 || widths[i] > 4096)
            {
                return null;
            }
        }

        return widths;
    }
}
