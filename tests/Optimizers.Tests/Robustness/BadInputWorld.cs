using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;
using Optimizers.Networks;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Everything a bad call could damage, made fresh for each case: parameters with values and gradients, optimizers
/// with state (stepped), loose optimizers that bad <see cref="ParameterGroups"/> calls must leave ungrouped, a network
/// with its optimizer, a batch, a seeded <see cref="Random"/> and a stream holding a valid checkpoint.
/// <see cref="Snapshot"/> records all of it bit for bit.
/// </summary>
internal sealed class BadInputWorld
{
    public const int RandomSeed = 42;

    public BadInputWorld()
    {
        var random = new Random(5);
        P = [Filled("w", 7, random), Filled("b", 3, random)];
        Existing = new Adam(P, 0.01);
        StepTwice(Existing, random);

        Net = Network.Mlp([4, 5, 3], Activation.Tanh, seed: 1);
        X = Matrix<double>.Build.Dense(6, 4, (r, c) => Math.Sin(r + 3 * c));
        Y = [0, 1, 2, 0, 1, 2];
        NetOptimizer = new Adam(Net.Parameters, 0.01);
        Net.Backward(X, Y);
        NetOptimizer.Step();
        Net.Backward(X, Y);

        Loose1 = new Momentum([Filled("l1", 4, random)], 0.1);
        Loose2 = new Momentum([Filled("l2", 5, random)], 0.1);
        Steppable = new Momentum([Filled("s", 2, random)], 0.1);
        Steppable.Step();
        Grouped = new ParameterGroups(new Momentum([Filled("g1", 3, random)], 0.1), new Momentum([Filled("g2", 2, random)], 0.1));
        Grouped.Step();

        Checkpoint.Save(Stored, Existing, P);
        Stored.Position = 0;
    }

    public Parameter[] P { get; }

    public Optimizer<double> Existing { get; }

    public Network Net { get; }

    public Matrix<double> X { get; }

    public int[] Y { get; }

    public Optimizer<double> NetOptimizer { get; }

    /// <summary>Fresh optimizers that must still be free to join a group after a rejected ParameterGroups.</summary>
    public Optimizer<double> Loose1 { get; }

    public Optimizer<double> Loose2 { get; }

    /// <summary>An optimizer that has been stepped (so cannot become a group).</summary>
    public Optimizer<double> Steppable { get; }

    public ParameterGroups Grouped { get; }

    public Random Rng { get; } = new(RandomSeed);

    /// <summary>A valid checkpoint of <see cref="Existing"/> and <see cref="P"/>, positioned at 0.</summary>
    public MemoryStream Stored { get; } = new();

    /// <summary>An empty stream to save into.</summary>
    public MemoryStream Sink { get; } = new();

    private IEnumerable<(string Name, Optimizer<double> Optimizer)> Optimizers =>
        [("Existing", Existing), ("NetOptimizer", NetOptimizer), ("Loose1", Loose1), ("Loose2", Loose2), ("Steppable", Steppable),
         ("Grouped.0", Grouped.Groups[0]), ("Grouped.1", Grouped.Groups[1])];

    /// <summary>Every number and setting of the world, one line each, with exact bits.</summary>
    public List<string> Snapshot()
    {
        var lines = new List<string>();
        foreach (var (name, o) in Optimizers)
        {
            lines.Add($"{name}: {o.GetType().Name} lr={Bits(o.LearningRate)} t={o.StepCount} skipped={o.SkippedStepCount} " +
                      $"policy={o.NonFiniteGradients} dop={o.MaxDegreeOfParallelism} grouped={o.Owner is not null} params={o.Parameters.Count}");
            foreach (var (state, index, values) in RuleSetups.States(o))
            {
                lines.Add($"{name}.{state}[{index}] = {string.Join(" ", values.Select(Bits))}");
            }

            foreach (var p in o.Parameters)
            {
                lines.Add($"{name}.{p.Name}.value = {string.Join(" ", p.Value.Select(Bits))}");
                lines.Add($"{name}.{p.Name}.gradient = {string.Join(" ", p.Gradient.Select(Bits))}");
            }
        }

        lines.Add($"Grouped: lr={Bits(Grouped.LearningRate)} t={Grouped.StepCount} policy={Grouped.NonFiniteGradients}");
        lines.Add($"X = {string.Join(" ", X.ToColumnMajorArray().Select(Bits))}; Y = {string.Join(" ", Y)}");
        lines.Add($"Stored: position {Stored.Position}, length {Stored.Length}, hash {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Stored.ToArray()))}");
        lines.Add($"Sink: position {Sink.Position}, length {Sink.Length}");
        return lines;
    }

    /// <summary>Whether <see cref="Rng"/> is still at its seed's first draw (consumes one draw).</summary>
    public bool RandomUntouched() => Rng.Next() == new Random(RandomSeed).Next();

    private static string Bits(double x) => BitConverter.DoubleToInt64Bits(x).ToString("X16", CultureInfo.InvariantCulture);

    private static Parameter Filled(string name, int length, Random random)
    {
        var parameter = new Parameter(name, Enumerable.Range(0, length).Select(_ => random.NextDouble() * 2 - 1).ToArray());
        for (int i = 0; i < length; i++)
        {
            parameter.Gradient[i] = random.NextDouble() - 0.5;
        }

        return parameter;
    }

    private static void StepTwice(Optimizer<double> optimizer, Random random)
    {
        for (int step = 0; step < 2; step++)
        {
            optimizer.Step();
            foreach (var p in optimizer.Parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Gradient[i] = random.NextDouble() - 0.5;
                }
            }
        }
    }
}
