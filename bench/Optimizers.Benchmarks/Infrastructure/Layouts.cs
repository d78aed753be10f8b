namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// The parameter layouts measured: one vector of 1e3, 1e5 or 1e7 elements, or 100 vectors of 1,000 (a small MLP's shape).
/// <c>4e7</c> (one vector of 4·10⁷ elements, 320 MB per stream) is accepted by <c>--layouts</c> but not run by default:
/// it spills out of a 300 MB L3, where 1e7 may not.
/// </summary>
public static class Layouts
{
    /// <summary>The names used as the <c>Layout</c> benchmark parameter.</summary>
    public static readonly string[] Names = ["1e3", "1e5", "1e7", "100x1000"];

    /// <summary>The lengths of the parameters of a layout.</summary>
    public static int[] Lengths(string name) => name switch
    {
        "1e3" => [1_000],
        "1e5" => [100_000],
        "1e7" => [10_000_000],
        "4e7" => [40_000_000],
        "100x1000" => Enumerable.Repeat(1_000, 100).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown layout."),
    };
}
