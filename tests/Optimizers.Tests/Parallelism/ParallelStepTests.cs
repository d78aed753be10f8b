using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Parallelism;

/// <summary>A step cut into parts on worker threads gives the one-thread results bit for bit, in either element type.</summary>
public abstract class ParallelStepTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string, int, string> Cases()
    {
        var cases = new TheoryData<string, int, string>();
        foreach (var name in AllOptimizers.Configurations.Keys)
        {
            foreach (int degree in new[] { 2, 3, 7 })
            {
                foreach (var layout in Layouts.Keys)
                {
                    cases.Add(name, degree, layout);
                }
            }
        }

        return cases;
    }

    private static readonly Dictionary<string, int[]> Layouts = new()
    {
        ["one large"] = [10007],
        ["many small"] = Enumerable.Range(0, 60).Select(i => 1 + (i * 37) % 211).ToArray(),
        ["mixed"] = [3, 4099, 1, 17, 2500, 64, 5],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parallel_steps_equal_single_threaded_steps_bit_for_bit(string name, int degree, string layout)
    {
        var single = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(7, Layouts[layout]));
        var split = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(7, Layouts[layout]));
        split.MaxDegreeOfParallelism = degree;
        split.MinimumPartLength = 64;
        split.Partition.Parts.Should().Be(degree);

        var gradients = new Random(11);
        for (int step = 1; step <= 12; step++)
        {
            int seed = gradients.Next();
            FillGradients(single, seed);
            FillGradients(split, seed);
            if (step == 6)
            {
                single.LearningRate = split.LearningRate = 0.003;
            }

            single.Step();
            split.Step();
        }

        for (int i = 0; i < single.Parameters.Count; i++)
        {
            Bits.Of<T>(split.Parameters[i].Value.AsArray()).Should().Equal(Bits.Of<T>(single.Parameters[i].Value.AsArray()), $"θ of {single.Parameters[i]}");
        }

        foreach (var (stateName, vectors) in single.VectorStates)
        {
            for (int i = 0; i < vectors.Length; i++)
            {
                Bits.Of<T>(split.VectorStates[stateName][i]).Should().Equal(Bits.Of<T>(vectors[i]), $"{stateName} of parameter {i}");
            }
        }

        foreach (var (stateName, scalars) in single.ScalarStates)
        {
            Bits.Of<T>(split.ScalarStates[stateName]).Should().Equal(Bits.Of<T>(scalars), stateName);
        }
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.ConfigurationNames), MemberType = typeof(AllOptimizers))]
    public void A_non_finite_gradient_is_reported_as_on_one_thread_and_nothing_changes(string name)
    {
        int[] lengths = [300, 5000, 40, 2000];
        var single = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(5, lengths));
        var split = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(5, lengths));
        split.MaxDegreeOfParallelism = 5;
        split.MinimumPartLength = 64;
        split.Partition.Parts.Should().Be(5);
        single.Step();
        split.Step();

        // Bad elements in three of the five parts, none in part 0: the first in parameter order is the earlier of two
        // in part 1; parts 2 and 4 (the very last element) find their own, which must lose to part 1's.
        var partition = split.Partition;
        var first = SlicesOf(partition, 1)[0];
        var last = SlicesOf(partition, 1)[^1];
        var third = SlicesOf(partition, 2)[0];
        var end = SlicesOf(partition, 4)[^1];
        var planted = new (int Part, int Parameter, int Index, T Value)[]
        {
            (1, first.Index, first.Start + first.Length / 2, T.PositiveInfinity),
            (1, last.Index, last.Start + last.Length - 1, T.NaN),
            (2, third.Index, third.Start, T.NegativeInfinity),
            (4, end.Index, end.Start + end.Length - 1, T.NaN),
        };
        foreach (var (part, parameter, index, value) in planted)
        {
            PartOf(partition, parameter, index).Should().Be(part, $"element {index} of p{parameter} is planted in part {part}");
            single.Parameters[parameter].Gradient[index] = value;
            split.Parameters[parameter].Gradient[index] = value;
        }

        (planted[0].Parameter * 100_000L + planted[0].Index).Should().BeLessThan(planted[1].Parameter * 100_000L + planted[1].Index);

        var before = split.Parameters.Select(p => p.Value.ToArray()).ToArray();
        var expected = single.Invoking(o => o.Step()).Should().Throw<NonFiniteGradientException>().Which;
        var actual = split.Invoking(o => o.Step()).Should().Throw<NonFiniteGradientException>().Which;

        actual.ParameterName.Should().Be(expected.ParameterName).And.Be($"p{planted[0].Parameter}");
        actual.Index.Should().Be(expected.Index).And.Be(planted[0].Index);
        actual.Value.Should().Be(double.PositiveInfinity);
        split.StepCount.Should().Be(1);
        for (int i = 0; i < lengths.Length; i++)
        {
            split.Parameters[i].Value.ToArray().Should().Equal(before[i]);
        }
    }

    private static List<StepPartition.Slice> SlicesOf(StepPartition partition, int part)
    {
        var slices = new List<StepPartition.Slice>();
        foreach (var slice in partition.Slices(part))
        {
            slices.Add(slice);
        }

        return slices;
    }

    /// <summary>The part whose slices hold element <paramref name="index"/> of parameter <paramref name="parameter"/>.</summary>
    private static int PartOf(StepPartition partition, int parameter, int index)
    {
        for (int part = 0; part < partition.Parts; part++)
        {
            foreach (var slice in partition.Slices(part))
            {
                if (slice.Index == parameter && index >= slice.Start && index < slice.Start + slice.Length)
                {
                    return part;
                }
            }
        }

        return -1;
    }

    [Fact]
    public void Optimizers_stepped_concurrently_from_several_threads_share_the_pool_correctly()
    {
        const int Steps = 200;
        var expected = AllOptimizers<T>.Create("Momentum", RandomParameters.Create<T>(9, 3000, 1000));
        for (int s = 0; s < Steps; s++)
        {
            expected.Step();
        }

        var optimizers = Enumerable.Range(0, 4).Select(_ =>
        {
            var o = AllOptimizers<T>.Create("Momentum", RandomParameters.Create<T>(9, 3000, 1000));
            o.MaxDegreeOfParallelism = 3;
            o.MinimumPartLength = 256;
            return o;
        }).ToArray();

        var threads = optimizers.Select(o => new Thread(() =>
        {
            for (int s = 0; s < Steps; s++)
            {
                o.Step();
            }
        })).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        foreach (var optimizer in optimizers)
        {
            for (int i = 0; i < expected.Parameters.Count; i++)
            {
                Bits.Of<T>(optimizer.Parameters[i].Value.AsArray()).Should().Equal(Bits.Of<T>(expected.Parameters[i].Value.AsArray()));
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void MaxDegreeOfParallelism_below_one_is_rejected(int degree)
    {
        var optimizer = new Momentum<T>(RandomParameters.Create<T>(1, 10), 0.1);

        optimizer.Invoking(o => o.MaxDegreeOfParallelism = degree)
                 .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MaxDegreeOfParallelism");
        optimizer.MaxDegreeOfParallelism.Should().Be(1);
    }

    [Fact]
    public void Models_smaller_than_two_default_parts_are_not_split()
    {
        var small = new Momentum<T>(RandomParameters.Create<T>(1, 65535), 0.1) { MaxDegreeOfParallelism = 8 };
        var large = new Momentum<T>(RandomParameters.Create<T>(1, 40000, 40000, 40000), 0.1) { MaxDegreeOfParallelism = 8 };

        small.Partition.Parts.Should().Be(1);
        large.Partition.Parts.Should().Be(3);
    }

    private static void FillGradients(Optimizer<T> optimizer, int seed)
    {
        var random = new Random(seed);
        foreach (var parameter in optimizer.Parameters)
        {
            RandomParameters.FillGradient(parameter, random);
        }
    }
}

public sealed class ParallelStepTests_Double : ParallelStepTests<double>;

public sealed class ParallelStepTests_Single : ParallelStepTests<float>;
