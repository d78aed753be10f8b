using System.Diagnostics;
using Optimizers.Mpi.Tests.Cases;

namespace Optimizers.Mpi.Tests;

/// <summary>
/// The multi-process runner: <c>mpirun -np N dotnet Optimizers.Mpi.Tests.dll [filter]</c> runs every case (or those
/// whose name contains the filter) on N processes; rank 0 prints one line per case and the summary, and the exit code
/// is 1 when a case failed on any process.
/// </summary>
public static class Program
{
    /// <summary>Runs the cases.</summary>
    /// <param name="args">An optional substring of the case names to run.</param>
    /// <returns>0 when every case passed on every process.</returns>
    public static int Main(string[] args)
    {
        var world = Communicator.World;
        string filter = args.Length > 0 ? args[0] : "";
        int passed = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (name, run) in DistributedCases.All.Where(c => c.Name.Contains(filter, StringComparison.Ordinal)))
        {
            string? error = null;
            try
            {
                run(world);
            }
            catch (Exception e)
            {
                error = e.GetType().Name + ": " + e.Message.ReplaceLineEndings(" ");
            }

            Span<long> failures = [error is null ? 0 : 1];
            world.AllReduceSum(failures);
            if (failures[0] == 0)
            {
                passed++;
            }
            else
            {
                failed++;
                Console.WriteLine($"FAIL [{world.Size} processes] {name} ({failures[0]} of them){(error is null ? "" : $" rank {world.Rank}: {error}")}");
            }
        }

        if (world.IsRoot)
        {
            foreach (var (type, deviation) in DistributedCases.LargestDeviation)
            {
                Console.WriteLine($"largest deviation from one process, {type}: {deviation:e2} (tolerance {(type == nameof(Double) ? DistributedCases.Tolerance<double>() : DistributedCases.Tolerance<float>()):e0})");
            }

            Console.WriteLine($"{(failed == 0 ? "Passed" : "Failed")}! - Failed: {failed}, Passed: {passed}, Skipped: 0, Total: {passed + failed}, "
                              + $"{world.Size} processes ({world.LibraryName ?? "no MPI library: a world of one"}), {clock.Elapsed.TotalSeconds:F1} s");
        }

        Communicator.Shutdown();
        return failed == 0 ? 0 : 1;
    }
}
