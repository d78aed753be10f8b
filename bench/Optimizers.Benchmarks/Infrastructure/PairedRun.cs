using System.Diagnostics;
using System.Globalization;

namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// <c>--paired</c>: the ratios of the targets measured side by side in one process, round after round, so that a
/// slow spell of a shared host slows every contender of a round alike and cancels out of its ratios.
/// </summary>
/// <remarks>
/// <para>
/// Per optimizer and layout there are four contenders, each an instance with its own arrays, as in the
/// BenchmarkDotNet run: the hand-fused kernel on one thread (the limit, <see cref="StepBenchmark.Fused"/>), the
/// library with its defaults (<see cref="StepBenchmark.Library"/>), the library without the guard
/// (<see cref="StepBenchmark.LibraryNoGuard"/>), and the library with <c>MaxDegreeOfParallelism = 2</c>. A round runs
/// each contender in turn: one untimed step (so that its own arrays are where its previous steps left them, as when
/// BenchmarkDotNet repeats one method), then a batch of timed steps (enough for about 20 ms); the contender's time
/// is the batch's mean per step, and its ratio for the round is that time over the limit's time in the same round.
/// The table gives the median of the ratios over the rounds, with the quartiles. The rounds are split among three
/// sets of contenders allocated one after another with different padding in between, so that where the allocator put
/// the arrays relative to each other (cache-line alignment of loads, 4K aliasing between a stream that is stored and
/// one that is loaded) varies within a ratio instead of deciding it.
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

    /// <summary>Runs every selected case over the selected layouts and prints a markdown table.</summary>
    /// <param name="filter">Case names to run (substrings of the class name, e.g. "Momentum"); empty for all.</param>
    /// <param name="rounds">Rounds per case and layout.</param>
    public static void Run(IReadOnlyList<string> filter, int rounds)
    {
        var cases = typeof(StepBenchmark).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(StepBenchmark)) && !t.IsAbstract)
            .Where(t => filter.Count == 0 || filter.Any(f => t.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(t => Array.IndexOf(Order, t.Name))
            .ToArray();
        Console.WriteLine($"Paired run: {rounds} rounds per case, ratios to the one-thread hand-fused kernel (median [q1 – q3]).");
        Console.WriteLine();
        Console.WriteLine("| optimizer | layout | Fused (1 thread), µs/step | Library | LibraryNoGuard | Library, 2 threads |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var type in cases)
        {
            foreach (var layout in Selection.Layouts)
            {
                StepBenchmark Create(int threads)
                {
                    var b = (StepBenchmark)Activator.CreateInstance(type)!;
                    b.Layout = layout;
                    b.Threads = threads;
                    return b;
                }

                // Three sets of instances, each allocated after a padding array of a different size, so that the
                // arrays of the contenders sit at different distances from each other: in cache, where a load's
                // address and an earlier store's share their low 12 bits (4K aliasing) a step can be ~1.3× slower,
                // and one allocation's luck must not decide a ratio. The rounds of the three sets are pooled.
                var results = new[] { new List<double>(), new List<double>(), new List<double>(), new List<double>() };
                for (int set = 0; set < Sets; set++)
                {
                    var padding = new byte[1 + 1368 * set];
                    var fused = Create(1);
                    fused.SetupFused();
                    var library = Create(1);
                    library.SetupLibrary();
                    var noGuard = Create(1);
                    noGuard.SetupLibrary();
                    var parallel = Create(2);
                    parallel.SetupLibrary();
                    var contenders = new Action[] { fused.Fused, library.Library, noGuard.LibraryNoGuard, parallel.Library };
                    var measured = Measure(contenders, Math.Max(1, rounds / Sets));
                    for (int c = 0; c < results.Length; c++)
                    {
                        results[c].AddRange(measured[c]);
                    }

                    GC.KeepAlive(padding);
                }

                string name = type.Name.Replace("Step", "", StringComparison.Ordinal);
                Console.WriteLine($"| {name} | {layout} | {Median(results[0]).ToString("N0", CultureInfo.InvariantCulture)} | " +
                                  string.Join(" | ", results.Skip(1).Select(Format)) + " |");
            }
        }
    }

    /// <summary>The case classes in the order of bench/README.md.</summary>
    private static readonly string[] Order =
    [
        "GradientDescentStep", "MomentumStep", "AdaGradStep", "RMSPropStep", "AdaDeltaStep", "AdamStep", "AdamWStep",
        "AdamaxStep", "NAdamStep", "RAdamStep",
    ];

    /// <summary>[0]: the first contender's µs per step in each round; [c]: contender c's ratio to it in each round.</summary>
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
            double limit = 0;
            for (int c = 0; c < contenders.Length; c++)
            {
                contenders[c]();
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < batch[c]; i++)
                {
                    contenders[c]();
                }

                double microseconds = sw.Elapsed.TotalMicroseconds / batch[c];
                if (c == 0)
                {
                    limit = microseconds;
                    results[0].Add(microseconds);
                }
                else
                {
                    results[c].Add(microseconds / limit);
                }
            }
        }

        return results;
    }

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
