using System.Numerics;

namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// <c>--verify</c>: before measuring, checks that every implementation of every case computes the same update as
/// the library (TorchSharp excepted), in float64 and float32, so that a fast but wrong limit cannot pass for the limit.
/// </summary>
public static class Agreement
{
    /// <summary>Steps taken by each implementation (enough for RAdam to cross into its rectified branch).</summary>
    public const int Steps = 30;

    /// <summary>
    /// The largest accepted difference from the library's θ, relative to how far the library moved θ: 1e-9 in
    /// float64, 1e-4 in float32 (a few units in the last place of θ per step, over 30 steps that each move θ by ~10⁻³;
    /// a wrong update, such as a missing bias correction, is off by O(1)).
    /// </summary>
    public static double Tolerance(Type type) => type == typeof(double) ? 1e-9 : 1e-4;

    /// <summary>Checks every case on a small layout; prints one line per implementation and returns false if any disagrees.</summary>
    public static bool CheckAll()
    {
        bool ok = true;
        foreach (var definition in Selection.CaseDefinitions([]))
        {
            foreach (var type in Selection.Types)
            {
                var results = type == typeof(double) ? Check<double>(definition) : Check<float>(definition);
                foreach (var (implementation, discrepancy) in results)
                {
                    bool agrees = discrepancy <= Tolerance(type);
                    ok &= agrees;
                    string name = definition.Name.Split('`')[0];
                    Console.WriteLine($"{name,-20} {PairedRun.ElementName(type),-8} {implementation,-20} {discrepancy,10:E2} {(agrees ? "ok" : "DISAGREES")}");
                }
            }
        }

        return ok;
    }

    private static List<(string, double)> Check<T>(Type definition)
        where T : unmanaged, IFloatingPointIeee754<T>
        => StepBenchmark<T>.Agreement(() => (StepBenchmark<T>)Activator.CreateInstance(definition.MakeGenericType(typeof(T)))!, Steps)
                           .ToList();
}
