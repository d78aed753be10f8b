using System.Diagnostics;
using System.Globalization;
using System.Numerics;

namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// <c>--paired</c>: the ratios of the targets measured side by side in one process, round after round, so that a
/// slow spell of a shared host slows every contender of a round alike and cancels out of its ratios.
/// </summary>
/// <remarks>
/// <para>
/// Per optimizer and layout, and for each element type (float64 and float32, in the same rounds), the contenders are
/// instances with their own arrays, as in the BenchmarkDotNet run: the limit in <see cref="Vector{T}"/> and in
/// <see cref="System.Runtime.Intrinsics.Vector512{T}"/> (<see cref="StepBenchmark{T}.Limit"/>,
/// <see cref="StepBenchmark{T}.Limit512"/>), the library with its defaults (<see cref="StepBenchmark{T}.Library"/>),
/// the library without the guard (<see cref="StepBenchmark{T}.LibraryNoGuard"/>), the library with
/// <c>MaxDegreeOfParallelism = 2</c>, and TorchSharp's torch.optim on one thread (when libtorch loads). A round runs
/// each contender in turn: one untimed step (so that its own arrays are where its previous steps left them, as when
/// BenchmarkDotNet repeats one method), then a batch of timed steps (enough for about 20 ms); the contender's time is
/// the batch's mean per step.
/// </para>
/// <para>
/// The limit of a type is the faster of its two widths: the one with the lower median time over all rounds. Each
/// other contender's ratio for a round is its time over that limit's time in the same round; the table gives the
/// median of the ratios over the rounds, with the quartiles. The float32 library is also compared with the float64
/// library of the same round. The rounds are split among three sets of contenders allocated one after another with
/// different padding in between, so that where the allocator put the arrays relative to each other (cache-line
/// alignment of loads, 4K aliasing between a stream that is stored and one that is loaded) varies within a ratio
/// instead of deciding it.
/// </para>
/// <para>
/// BenchmarkDotNet measures each method in a separate process at a separate time; on a VM whose host is shared,
/// memory bandwidth drifts by ±30 % over minutes, which moves its ratios by ±0.1–0.3. Pairing within a round
/// removes that drift; what is left shows in the quartiles. Allocations are not measured here (see the
/// BenchmarkDotNet run and the allocation tests).
/// </para>
/// </remarks>
public static class PairedRun
{
    private const double BatchMilliseconds = 20;

    /// <summary>Independently allocated sets of contenders per case and layout (see <see cref="Run"/>).</summary>
    private const int Sets = 3;

    /// <summary>The contenders of one element type, in the order <see cref="Contenders{T}"/> creates them.</summary>
    private static readonly string[] Kinds = ["Limit", "Limit512", "Library", "LibraryNoGuard", "Library2", "TorchSharp"];

    /// <summary>Runs every selected case over the selected layouts and element types and prints a markdown table.</summary>
    /// <param name="filter">Case names to run (substrings of the class name, e.g. "Momentum"); empty for all.</param>
    /// <param name="rounds">Rounds per case and layout.</param>
    public static void Run(IReadOnlyList<string> filter, int rounds)
    {
        bool torchLoads = TorchProbe.Error is null;
        var cases = Selection.CaseDefinitions(filter);
        Console.WriteLine($"Paired run: {rounds} rounds per case, ratios to the one-thread limit of the same element type " +
                          $"(median [q1 – q3]); TorchSharp {(torchLoads ? "loaded" : $"not loaded: {TorchProbe.Error}")}.");
        Console.WriteLine();
        Console.WriteLine("| optimizer | layout | type | limit, µs/step | limit width (other width) | Library | LibraryNoGuard | " +
                          "Library, 2 threads | TorchSharp | Library ÷ float64 Library |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var definition in cases)
        {
            foreach (var layout in Selection.Layouts)
            {
                // times[type][kind]: µs per step of each round, pooled over the sets.
                var times = Selection.Types.ToDictionary(t => t, _ => Kinds.Select(_ => new List<double>()).ToArray());
                for (int set = 0; set < Sets; set++)
                {
                    // Each set is allocated after a padding array of a different size, so that the arrays of the
                    // contenders sit at different distances from each other: in cache, where a load's address and an
                    // earlier store's share their low 12 bits (4K aliasing) a step can be ~1.3× slower, and one
                    // allocation's luck must not decide a ratio.
                    var padding = new byte[1 + 1368 * set];
                    var contenders = new List<(Type Type, int Kind, Action Step)>();
                    var cleanups = new List<Action>();
                    foreach (var type in Selection.Types)
                    {
                        var created = type == typeof(double)
                            ? Contenders<double>(definition, layout, torchLoads, cleanups)
                            : Contenders<float>(definition, layout, torchLoads, cleanups);
                        contenders.AddRange(created.Select(c => (type, c.Kind, c.Step)));
                    }

                    var measured = Measure(contenders.Select(c => c.Step).ToArray(), Math.Max(1, rounds / Sets));
                    for (int c = 0; c < contenders.Count; c++)
                    {
                        times[contenders[c].Type][contenders[c].Kind].AddRange(measured[c]);
                    }

                    cleanups.ForEach(cleanup => cleanup());
                    GC.KeepAlive(padding);
                    GC.Collect();
                }

                string name = definition.Name.Split('`')[0].Replace("Step", "", StringComparison.Ordinal);
                foreach (var type in Selection.Types)
                {
                    Console.WriteLine(Row(name, layout, type, times[type],
                                          type == typeof(float) && times.TryGetValue(typeof(double), out var d) ? d : null));
                }
            }
        }
    }

    /// <summary>One table row: the limit's time and width, then each contender's ratios to the limit.</summary>
    private static string Row(string name, string layout, Type type, List<double>[] t, List<double>[]? float64)
    {
        bool wide = Median(t[1]) < Median(t[0]);
        var limit = wide ? t[1] : t[0];
        var other = wide ? t[0] : t[1];
        string width = wide ? "Vector512" : "Vector<T>";
        string otherWidth = wide ? "Vector<T>" : "Vector512";
        string Ratio(List<double> x) => x.Count == 0 ? "–" : Format(x.Zip(limit, (a, b) => a / b).ToList());
        string versus = float64 is null ? "–" : Format(t[2].Zip(float64[2], (a, b) => a / b).ToList());
        return $"| {name} | {layout} | {ElementName(type)} | {Median(limit).ToString("N0", CultureInfo.InvariantCulture)} | " +
               $"{width} ({otherWidth} {Ratio(other).Split(' ')[0]}) | {Ratio(t[2])} | {Ratio(t[3])} | {Ratio(t[4])} | " +
               $"{Ratio(t[5])} | {versus} |";
    }

    /// <summary>The contenders of one element type, each with its own arrays; cleanups release TorchSharp's tensors.</summary>
    private static List<(int Kind, Action Step)> Contenders<T>(Type definition, string layout, bool torchLoads, List<Action> cleanups)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        StepBenchmark<T> Create(int threads)
        {
            var b = (StepBenchmark<T>)Activator.CreateInstance(definition.MakeGenericType(typeof(T)))!;
            b.Layout = layout;
            b.Threads = threads;
            return b;
        }

        var limit = Create(1);
        limit.SetupLimit();
        var limit512 = Create(1);
        limit512.SetupLimit();
        var library = Create(1);
        library.SetupLibrary();
        var noGuard = Create(1);
        noGuard.SetupLibrary();
        var parallel = Create(2);
        parallel.SetupLibrary();
        var contenders = new List<(int, Action)>
        {
            (0, limit.Limit), (1, limit512.Limit512), (2, library.Library), (3, noGuard.LibraryNoGuard), (4, parallel.Library),
        };
        if (torchLoads && StepBenchmark<T>.HasTorchCounterpart(definition))
        {
            var torchOne = Create(1);
            torchOne.SetupTorch();
            contenders.Add((5, torchOne.TorchSharp));
            cleanups.Add(torchOne.CleanupTorch);
        }

        return contenders;
    }

    /// <summary>For each contender, its µs per step in each round.</summary>
    private static List<double>[] Measure(Action[] contenders, int rounds)
    {
        var results = contenders.Select(_ => new List<double>()).ToArray();
        var batch = new int[contenders.Length];
        for (int c = 0; c < contenders.Length; c++)
        {
            // Warm up (JIT tiers, page faults), then size the batch to ~BatchMilliseconds.
            var sw = Stopwatch.StartNew();
            int n = 0;
            while (sw.Elapsed.TotalMilliseconds < 200 || n < 5)
            {
                contenders[c]();
                n++;
            }

            double perStep = sw.Elapsed.TotalMilliseconds / n;
            batch[c] = Math.Max(3, (int)(BatchMilliseconds / perStep));
        }

        for (int r = 0; r < rounds; r++)
        {
            for (int c = 0; c < contenders.Length; c++)
            {
                contenders[c]();
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < batch[c]; i++)
                {
                    contenders[c]();
                }

                results[c].Add(sw.Elapsed.TotalMicroseconds / batch[c]);
            }
        }

        return results;
    }

    /// <summary>"float64" or "float32".</summary>
    public static string ElementName(Type type) => type == typeof(double) ? "float64" : "float32";

    private static double Median(List<double> values) => Quantile(values, 0.5);

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }

    private static string Format(List<double> ratios) =>
        string.Create(CultureInfo.InvariantCulture,
                      $"{Median(ratios):F2}× [{Quantile(ratios, 0.25):F2} – {Quantile(ratios, 0.75):F2}]");
}
