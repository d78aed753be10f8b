namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// Narrows the parameter grid from the command line, for quick runs: <c>--layouts 1e7,100x1000</c>,
/// <c>--threads 1</c> and (for <c>--paired</c> and <c>--verify</c>) <c>--types float32</c>; <c>--verify</c> checks the
/// implementations against each other instead of measuring.
/// BenchmarkDotNet reads the values in the host process when it lists the cases, so
/// setting them before it starts is enough. Everything else on the command line goes to BenchmarkDotNet.
/// </summary>
public static class Selection
{
    /// <summary>The layouts to measure.</summary>
    public static string[] Layouts { get; private set; } = Infrastructure.Layouts.Names;

    /// <summary>The thread counts to measure.</summary>
    public static int[] Threads { get; private set; } = [1, 2];

    /// <summary>The element types of <c>--paired</c> and <c>--verify</c> (both, or those given with <c>--types float32,float64</c>).</summary>
    public static Type[] Types { get; private set; } = [typeof(double), typeof(float)];

    /// <summary>True with <c>--verify</c>: check that the implementations agree (<see cref="Agreement"/>) instead of measuring.</summary>
    public static bool Verify { get; private set; }

    /// <summary>With <c>--paired [rounds]</c>: measure the target ratios side by side in one process (<see cref="PairedRun"/>).</summary>
    public static int PairedRounds { get; private set; }

    /// <summary>With <c>--paired</c>: the case names given with <c>--cases</c> (substrings), or empty for every case.</summary>
    public static string[] Cases { get; private set; } = [];

    /// <summary>Takes this project's own options out of <paramref name="args"/> and returns the rest.</summary>
    public static string[] Parse(string[] args)
    {
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--layouts" when i + 1 < args.Length:
                    Layouts = Split(args[++i]);
                    foreach (var name in Layouts)
                    {
                        _ = Infrastructure.Layouts.Lengths(name);   // rejects unknown names now, not in a child process
                    }

                    break;
                case "--threads" when i + 1 < args.Length:
                    Threads = Split(args[++i]).Select(int.Parse).ToArray();
                    break;
                case "--paired":
                    // The round count is optional: take the next argument only when it is a positive number.
                    bool counted = i + 1 < args.Length && int.TryParse(args[i + 1], out int rounds) && rounds > 0;
                    PairedRounds = counted ? int.Parse(args[++i]) : 15;
                    break;
                case "--types" when i + 1 < args.Length:
                    Types = Split(args[++i]).Select(name => name switch
                    {
                        "float64" or "double" => typeof(double),
                        "float32" or "float" => typeof(float),
                        _ => throw new ArgumentException($"Unknown element type '{name}' (float32 or float64)."),
                    }).ToArray();
                    break;
                case "--cases" when i + 1 < args.Length:
                    Cases = Split(args[++i]);
                    break;
                case "--verify":
                    Verify = true;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        return [.. rest];
    }

    /// <summary>
    /// The generic case classes (<c>MomentumStep&lt;T&gt;</c>, …) whose names contain one of <paramref name="filter"/>
    /// (all when it is empty), in the order of bench/README.md.
    /// </summary>
    public static Type[] CaseDefinitions(IReadOnlyList<string> filter) =>
        typeof(StepBenchmark<>).Assembly.GetTypes()
            .Where(t => t.IsGenericTypeDefinition && !t.IsAbstract && t.BaseType is { IsGenericType: true } b
                        && b.GetGenericTypeDefinition() == typeof(StepBenchmark<>))
            .Where(t => filter.Count == 0 || filter.Any(f => t.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(t => Array.IndexOf(Order, t.Name.Split('`')[0]))
            .ToArray();

    /// <summary>The case classes in the order of bench/README.md.</summary>
    private static readonly string[] Order =
    [
        "GradientDescentStep", "MomentumStep", "AdaGradStep", "RMSPropStep", "AdaDeltaStep", "AdamStep", "AdamWStep",
        "AdamaxStep", "NAdamStep", "RAdamStep", "RpropStep", "ASGDStep", "LionStep", "AdoptStep", "ScheduleFreeAdamWStep",
        "ScheduleFreeSgdStep",
    ];

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
