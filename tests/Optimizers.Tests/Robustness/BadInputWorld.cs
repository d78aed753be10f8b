using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;
using Optimizers.Networks;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Everything a bad call could damage, made fresh for each case: parameters with values and gradients, optimizers
/// with state (stepped), loose optimizers that bad <see cref="ParameterGroups"/> calls must leave ungrouped, a network
/// with its optimizer, a batch, a seeded <see cref="Random"/>, a stream holding a valid checkpoint, single-precision
/// parameters and optimizers, and any optimizer a case builds with <see cref="Stepped{T}"/>.
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

        P32 = [Filled<float>("w32", 7, random), Filled<float>("b32", 3, random)];
        Existing32 = new Adam<float>(P32, 0.01);
        StepTwice(Existing32, random);
        Loose32 = new Momentum<float>([Filled<float>("l32", 4, random)], 0.1);
        _optimizers.AddRange([("Existing32", Existing32), ("Loose32", Loose32)]);
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

    /// <summary>Single-precision parameters, the parameters of <see cref="Existing32"/>.</summary>
    public Parameter<float>[] P32 { get; }

    /// <summary>A stepped single-precision Adam over <see cref="P32"/>.</summary>
    public Optimizer<float> Existing32 { get; }

    /// <summary>A fresh single-precision optimizer that must still be free to join a group after a rejected ParameterGroups.</summary>
    public Optimizer<float> Loose32 { get; }

    private readonly List<(string Name, Optimizer Optimizer)> _optimizers = [];

    /// <summary>
    /// An optimizer made by <paramref name="create"/> over two new parameters of its own, stepped twice, with every
    /// setting away from its default (learning rate ×0.5, <see cref="Optimizer.MaxDegreeOfParallelism"/> 3,
    /// <see cref="NonFiniteGradientPolicy.Skip"/>), and recorded by <see cref="Snapshot"/> from now on: a setter that
    /// changed any setting before it threw would show. Call it while arranging a case.
    /// </summary>
    public Optimizer<T> Stepped<T>(Func<Parameter<T>[], Optimizer<T>> create)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(9 + _optimizers.Count);
        var optimizer = create([Filled<T>("s0", 7, random), Filled<T>("s1", 3, random)]);
        optimizer.LearningRate *= 0.5;
        optimizer.MaxDegreeOfParallelism = 3;
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
        StepTwice(optimizer, random);
        _optimizers.Add(($"Stepped{_optimizers.Count}", optimizer));
        return optimizer;
    }

    /// <summary>Every number and setting of the world, one line each, with exact bits.</summary>
    public List<string> Snapshot()
    {
        var lines = new List<string>();
        Add(lines, "Existing", Existing);
        Add(lines, "NetOptimizer", NetOptimizer);
        Add(lines, "Loose1", Loose1);
        Add(lines, "Loose2", Loose2);
        Add(lines, "Steppable", Steppable);
        Add(lines, "Grouped.0", Grouped.Groups[0]);
        Add(lines, "Grouped.1", Grouped.Groups[1]);
        foreach (var (name, optimizer) in _optimizers)
        {
            switch (optimizer)
            {
                case Optimizer<double> o: Add(lines, name, o); break;
                case Optimizer<float> o: Add(lines, name, o); break;
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

    /// <summary>The exact bits of <paramref name="values"/>, in memory order.</summary>
    private static string Bits<T>(ReadOnlySpan<T> values)
        where T : unmanaged => Convert.ToHexString(MemoryMarshal.AsBytes(values));

    /// <summary>One optimizer's settings, counts, state, values and gradients.</summary>
    private static void Add<T>(List<string> lines, string name, Optimizer<T> o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lines.Add($"{name}: {o.GetType().Name} lr={Bits(o.LearningRate)} t={o.StepCount} skipped={o.SkippedStepCount} " +
                  $"policy={o.NonFiniteGradients} dop={o.MaxDegreeOfParallelism} grouped={o.Owner is not null} params={o.Parameters.Count}");
        foreach (var (state, vectors) in o.VectorStates)
        {
            for (int i = 0; i < vectors.Length; i++)
            {
                lines.Add($"{name}.{state}[{i}] = {Bits<T>(vectors[i])}");
            }
        }

        foreach (var (state, scalars) in o.ScalarStates)
        {
            lines.Add($"{name}.{state} = {Bits<T>(scalars)}");
        }

        foreach (var p in o.Parameters)
        {
            lines.Add($"{name}.{p.Name}.value = {Bits<T>(p.Value.AsArray())}");
            lines.Add($"{name}.{p.Name}.gradient = {Bits<T>(p.Gradient.AsArray())}");
        }
    }

    private static Parameter<T> Filled<T>(string name, int length, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameter = Parameter<T>.Over(name, Enumerable.Range(0, length).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray());
        for (int i = 0; i < length; i++)
        {
            parameter.Gradient[i] = T.CreateTruncating(random.NextDouble() - 0.5);
        }

        return parameter;
    }

    private static Parameter Filled(string name, int length, Random random) => (Parameter)Filled<double>(name, length, random);

    private static void StepTwice<T>(Optimizer<T> optimizer, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int step = 0; step < 2; step++)
        {
            optimizer.Step();
            foreach (var p in optimizer.Parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Gradient[i] = T.CreateTruncating(random.NextDouble() - 0.5);
                }
            }
        }
    }
}
