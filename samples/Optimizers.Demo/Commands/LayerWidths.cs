using System.Globalization;

namespace Optimizers.Demo.Commands;

/// <summary>The hidden layer widths given to <c>--hidden</c> (input side first); prints as it is typed, <c>64,32</c>.</summary>
/// <param name="Widths">One positive width per hidden layer.</param>
public sealed record LayerWidths(IReadOnlyList<int> Widths)
{
    /// <summary>The largest width accepted.</summary>
    public const int MaxWidth = 4096;

    /// <summary>Reads <c>64,32</c>; null unless every part is a whole number from 1 to <see cref="MaxWidth"/>.</summary>
    public static LayerWidths? TryParse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1 || widths[i] > MaxWidth)
            {
                return null;
            }
        }

        return new LayerWidths(widths);
    }

    /// <summary>The widths as an array, for <c>Network.Mlp</c>.</summary>
    public int[] ToArray() => [.. Widths];

    /// <inheritdoc />
    public override string ToString() => string.Join(",", Widths.Select(w => w.ToString(CultureInfo.InvariantCulture)));
}
