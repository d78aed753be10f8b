using Optimizers.Datasets;
using Optimizers.Demo.Training;

namespace Optimizers.Demo.Commands;

/// <summary>The data sets the demo can train on, by command-line name.</summary>
public static class DataSets
{
    /// <summary>The names accepted by <c>train --dataset</c>: the classification sets, then the regression one.</summary>
    public static IReadOnlyList<string> Names { get; } = ["moons", "spiral", "iris", "digits", "sine"];

    /// <summary>The standard deviation of the noise on the sine's targets.</summary>
    public const double SineNoise = 0.1;

    /// <summary>The two-feature toy problems (the ones a decision boundary can be drawn for).</summary>
    public static IReadOnlyList<string> TwoDimensional { get; } = ["moons", "spiral"];

    /// <summary>
    /// Loads the classification data set <paramref name="name"/>: moons and spiral are generated from <paramref name="seed"/> with
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

    /// <summary>Whether <paramref name="name"/> is a regression data set (real-valued targets), not a classification one.</summary>
    public static bool IsRegression(string name) => name == "sine";

    /// <summary>
    /// Loads the regression data set <paramref name="name"/>: the sine, y = sin x + ε on [−3, 3] with noise of standard
    /// deviation <see cref="SineNoise"/>, <paramref name="points"/> samples generated from <paramref name="seed"/>.
    /// </summary>
    public static RegressionData LoadRegression(string name, int points, int seed) => name switch
    {
        "sine" => RegressionData.NoisySine(points, SineNoise, seed),
        _ => throw new DemoArgumentException($"'{name}' is not a regression data set; the only one is sine."),
    };

    /// <summary>Whether the features of <paramref name="name"/> are on scales that need standardizing before training.</summary>
    public static bool NeedsStandardizing(string name) => name is "iris" or "digits";
}
