using Optimizers.Datasets;

namespace Optimizers.Demo.Commands;

/// <summary>The data sets the demo can train on, by command-line name.</summary>
public static class DataSets
{
    /// <summary>The names accepted by <c>--dataset</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["moons", "spiral", "iris", "digits"];

    /// <summary>The two-feature toy problems (the ones a decision boundary can be drawn for).</summary>
    public static IReadOnlyList<string> TwoDimensional { get; } = ["moons", "spiral"];

    /// <summary>
    /// Loads <paramref name="name"/>: moons and spiral are generated from <paramref name="seed"/> with
    /// <paramref name="points"/> samples; Iris and digits are the shipped tables as they are (their features are
    /// standardized after the split, with the training rows' statistics: see <see cref="NeedsStandardizing"/>).
    /// </summary>
    public static Dataset Load(string name, int points, int seed) => name switch
    {
        "moons" => ToyProblems.Moons(points, noise: 0.2, seed: seed),
        "spiral" => ToyProblems.Spiral(Math.Max(1, points / 2), classes: 2, noise: 0.2, seed: seed),
        "iris" => PublicData.Iris(),
        "digits" => PublicData.Digits(),
        _ => throw new DemoArgumentException($"Unknown data set '{name}'; choose one of {string.Join(", ", Names)}."),
    };

    /// <summary>Whether the features of <paramref name="name"/> are on scales that need standardizing before training.</summary>
    public static bool NeedsStandardizing(string name) => name is "iris" or "digits";
}
