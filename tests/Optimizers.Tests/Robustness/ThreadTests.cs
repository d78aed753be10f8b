using System.Numerics;
using FsCheck.Fluent;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Distinct optimizers over distinct parameters, stepped from parallel threads, give exactly the results of stepping
/// them one after another: all ten rules (random valid hyperparameters), half of them with
/// <see cref="Optimizer.MaxDegreeOfParallelism"/> &gt; 1 so that concurrent steps share the process's worker pool.
/// </summary>
public abstract class ThreadTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Steps = 25;

    /// <summary>One rule, thread count and seed; <see cref="Make"/> builds the same optimizer every time.</summary>
    private sealed record Spec(RuleSetup<T> Setup, int Degree, int Seed)
    {
        public Optimizer<T> Make()
        {
            var random = new Random(Seed);
            var parameters = new[] { 1500, 7, 300 }
                .Select((n, i) => new Parameter<T>($"p{i}", Element<T>.From(Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5))))
                .ToArray();
            var optimizer = Setup.Create(parameters);
            optimizer.MaxDegreeOfParallelism = Degree;
            optimizer.MinimumPartLength = 64;
            return optimizer;
        }
    }

    /// <summary>Every rule with random valid hyperparameters, each on 1, 2 and 3 threads.</summary>
    private static List<Spec> Specs()
    {
        var setups = RuleSetups.Names
            .Select(n => Gen.Sample(RuleSetups<T>.Of(n, new Constraints(true, -8, true)), 10, 1).First())
            .ToList();
        int seed = 0;
        return setups.SelectMany(s => new[] { 1, 2, 3 }.Select(d => new Spec(s, d, ++seed))).ToList();
    }

    private static void Run(Optimizer<T> optimizer, int seed)
    {
        var random = new Random(seed * 7919);
        for (int step = 0; step < Steps; step++)
        {
            foreach (var p in optimizer.Parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Gradient[i] = Element<T>.From(random.NextDouble() - 0.5);
                }
            }

            optimizer.Step();
        }
    }

    private static long[] AllBits(IEnumerable<Optimizer<T>> optimizers) =>
        optimizers.SelectMany(o => o.Parameters.SelectMany(p => p.Value)
                                  .Concat(RuleSetups.States(o).SelectMany(s => s.Values)))
                  .Select(Bits.Of).ToArray();

    [Fact]
    public void Parallel_use_of_distinct_optimizers_equals_sequential_use()
    {
        var specs = Specs();
        var sequential = specs.Select(s => s.Make()).ToList();
        var concurrent = specs.Select(s => s.Make()).ToList();
        for (int i = 0; i < specs.Count; i++)
        {
            Run(sequential[i], specs[i].Seed);
        }

        using var start = new Barrier(concurrent.Count);
        var threads = concurrent.Select((o, i) => new Thread(() =>
        {
            start.SignalAndWait();
            Run(o, specs[i].Seed);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        AllBits(concurrent).Should().Equal(AllBits(sequential));
        concurrent.Should().OnlyContain(o => o.StepCount == Steps);
    }
}

public sealed class ThreadTests_Double : ThreadTests<double>;

public sealed class ThreadTests_Single : ThreadTests<float>;
