namespace Optimizers.Tests.TestSupport;

/// <summary>
/// What a warmed-up action allocates on the calling thread, measured as the smallest delta of
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over a few attempts of the same number of calls.
/// </summary>
/// <remarks>
/// The counter is exact for the calling thread's own allocations, but the runtime has been seen to over-report by a
/// few kilobytes once in a while when a collection runs inside the window on a busy machine (7,360 bytes over 1,000
/// allocation-free steps in one CI run here; dotnet/runtime issues 63487 and 74388 report the same of its own test). An
/// allocation made on every call, or once per attempt's calls, shows in every attempt, so the smallest delta must still
/// be exactly 0: only what the runtime adds now and then is filtered out.
/// </remarks>
internal static class SteadyAllocation
{
    /// <summary>The smallest number of bytes allocated on this thread by <paramref name="calls"/> calls of
    /// <paramref name="action"/>, over up to <paramref name="attempts"/> attempts (stopping at the first 0).</summary>
    public static long Smallest(Action action, int calls, int attempts = 4)
    {
        long smallest = long.MaxValue;
        for (int attempt = 0; attempt < attempts && smallest != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int call = 0; call < calls; call++)
            {
                action();
            }

            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return smallest;
    }
}
