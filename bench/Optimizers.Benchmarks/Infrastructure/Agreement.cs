namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// <c>--verify</c>: before measuring, checks that every implementation of every case computes the same update as
/// the library (TorchSharp excepted), so that a fast but wrong reference kernel cannot pass for the limit.
/// </summary>
public static class Agreement
{
    /// <summary>Steps taken by each implementation (enough for RAdam to cross into its rectified branch).</summary>
    public const int Steps = 30;

    /// <summary>The largest accepted difference from the library's θ, relative to how far the library moved θ.</summary>
    public const double Tolerance = 1e-9;

    /// <summary>Checks every <see cref="StepBenchmark"/> in this assembly on a small layout; prints one line per
    /// implementation and returns false if any disagrees.</summary>
    public static bool CheckAll()
    {
        bool ok = true;
        var cases = typeof(StepBenchmark).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(StepBenchmark)) && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal);
        foreach (var type in cases)
        {
            foreach (var (implementation, discrepancy) in StepBenchmark.Agreement(() => (StepBenchmark)Activator.CreateInstance(type)!, Steps))
            {
                bool agrees = discrepancy <= Tolerance;
                ok &= agrees;
                Console.WriteLine($"{type.Name,-20} {implementation,-20} {discrepancy,10:E2} {(agrees ? "ok" : "DISAGREES")}");
            }
        }

        return ok;
    }
}
