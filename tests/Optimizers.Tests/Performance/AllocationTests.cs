using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Performance;

/// <summary>Runs alone (no other test class in parallel), because the process-wide counter sees every thread.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>
/// Step() allocates nothing once warmed up, over parameters of either element type. These are exact counts of
/// allocated bytes, not timings.
/// </summary>
/// <remarks>
/// <para>
/// On one thread, <see cref="GC.GetAllocatedBytesForCurrentThread"/> is exact (bar a rare over-report by the runtime,
/// which <see cref="SteadyAllocation"/> filters out by taking the smallest of a few attempts): the delta over hundreds of steps
/// is 0 or the test fails.
/// </para>
/// <para>
/// With parallelism on, parts also run on the pool's threads, so the process-wide
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/> (precise) is used. It also counts what the test host's own
/// threads allocate meanwhile, which was measured here at a steady trickle (a few hundred bytes per
/// millisecond, in bursts), even while a test merely sleeps. Hence: the class runs in a non-parallel collection,
/// and the parallel measurement is many short attempts of <see cref="ParallelStepsPerAttempt"/> steps (well
/// under a millisecond each); the smallest delta must be exactly 0. An allocation made on every step costs at
/// least 24 bytes per step and so shows in every attempt; one made only every few dozen steps could slip
/// through, which is why the exact single-threaded tests run the same code with the pool out of the way.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type; the concrete classes below run in <see cref="AllocationCollection"/>.</typeparam>
public abstract class AllocationTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int WarmUpSteps = 50;
    private const int MeasuredSteps = 500;
    private const int ParallelAttempts = 100;
    private const int ParallelStepsPerAttempt = 10;

    [Theory]
    [MemberData(nameof(AllOptimizers.ConfigurationNames), MemberType = typeof(AllOptimizers))]
    public void Step_allocates_nothing_on_one_thread(string name)
    {
        var optimizer = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(1, 1000, 37, 3, 4096));
        optimizer.Partition.Parts.Should().Be(1);
        Run(optimizer, WarmUpSteps);

        long allocated = SteadyAllocation.Smallest(optimizer.Step, MeasuredSteps);

        allocated.Should().Be(0, $"{name}.Step() must not allocate in steady state");
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.ConfigurationNames), MemberType = typeof(AllOptimizers))]
    public void Step_allocates_nothing_on_one_thread_without_the_guard(string name)
    {
        var optimizer = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(2, 1000, 37, 3, 4096));
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
        Run(optimizer, WarmUpSteps);

        SteadyAllocation.Smallest(optimizer.Step, MeasuredSteps).Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.ConfigurationNames), MemberType = typeof(AllOptimizers))]
    public void Parallel_step_allocates_nothing_in_the_whole_process(string name)
    {
        var optimizer = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(3, 5000, 37, 3, 4096, 100));
        optimizer.MaxDegreeOfParallelism = 4;
        optimizer.MinimumPartLength = 512;   // split these small parameters as a large model would be split
        optimizer.Partition.Parts.Should().Be(4);
        Run(optimizer, WarmUpSteps);

        long smallest = long.MaxValue;
        for (int attempt = 0; attempt < ParallelAttempts && smallest > 0; attempt++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            Run(optimizer, ParallelStepsPerAttempt);
            smallest = Math.Min(smallest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        smallest.Should().Be(0, $"{name}.Step() with 4 parts must not allocate on any thread");
    }

    [Theory]
    [InlineData("Lookahead")]
    [InlineData("GradientAccumulation")]
    [InlineData("Lookahead(GradientAccumulation(ParameterGroups))")]
    public void Wrapper_step_allocates_nothing(string name)
    {
        var parameters = RandomParameters.Create<T>(4, 1000, 37, 3, 4096);
        IOptimizer<T> wrapper = name switch
        {
            "Lookahead" => new Lookahead<T>(new Adam<T>(parameters), k: 3),
            "GradientAccumulation" => new GradientAccumulation<T>(new Adam<T>(parameters), every: 3),
            _ => new Lookahead<T>(new GradientAccumulation<T>(
                new ParameterGroups<T>(new Adam<T>(parameters[..2]), new Adam<T>(parameters[2..])), every: 2), k: 2),
        };
        for (int s = 0; s < WarmUpSteps; s++)
        {
            wrapper.Step();
        }

        SteadyAllocation.Smallest(wrapper.Step, MeasuredSteps).Should().Be(0, $"{name}.Step() must not allocate in steady state");
    }

    private static void Run(Optimizer<T> optimizer, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            optimizer.Step();
        }
    }
}

[Collection(nameof(AllocationCollection))]
public sealed class AllocationTests_Double : AllocationTests<double>;

[Collection(nameof(AllocationCollection))]
public sealed class AllocationTests_Single : AllocationTests<float>;
