namespace Optimizers.Tests.Parallelism;

public sealed class StepPartitionTests
{
    [Theory]
    [InlineData(new[] { 10007 }, 2, 64)]
    [InlineData(new[] { 10007 }, 7, 64)]
    [InlineData(new[] { 5, 0, 0, 300, 1, 0, 77 }, 4, 16)]
    [InlineData(new[] { 0, 1000, 0 }, 3, 100)]
    [InlineData(new[] { 1, 2, 3 }, 8, 1)]
    [InlineData(new[] { 100, 100, 100, 100, 100 }, 16, 1)]
    public void Parts_cover_every_element_once_in_order_with_aligned_cuts(int[] lengths, int maxParts, int minimum)
    {
        var partition = new StepPartition(lengths, maxParts, minimum);
        partition.Parts.Should().BeInRange(1, maxParts);

        var seen = lengths.Select(n => new int[n]).ToArray();
        (int Index, int End) last = (-1, 0);
        for (int p = 0; p < partition.Parts; p++)
        {
            foreach (var slice in partition.Slices(p))
            {
                slice.Length.Should().BePositive();
                if (slice.Start != 0)
                {
                    (slice.Start % StepPartition.Alignment).Should().Be(0, "a cut inside a parameter is aligned");
                }

                // Slices come in global order: same parameter continuing, or a later parameter from its start.
                if (slice.Index == last.Index)
                {
                    slice.Start.Should().Be(last.End);
                }
                else
                {
                    slice.Index.Should().BeGreaterThan(last.Index);
                    slice.Start.Should().Be(0);
                }

                last = (slice.Index, slice.Start + slice.Length);
                for (int k = slice.Start; k < slice.Start + slice.Length; k++)
                {
                    seen[slice.Index][k]++;
                }
            }
        }

        seen.SelectMany(counts => counts).Should().OnlyContain(count => count == 1);
    }

    [Fact]
    public void The_number_of_parts_respects_the_minimum_part_length()
    {
        new StepPartition([99], 8, 50).Parts.Should().Be(1);
        new StepPartition([100], 8, 50).Parts.Should().Be(2);
        new StepPartition([1000], 8, 50).Parts.Should().Be(8);
        new StepPartition([1000], 1, 1).Parts.Should().Be(1);
    }

    [Fact]
    public void Parts_of_one_large_parameter_are_nearly_equal()
    {
        var partition = new StepPartition([1_000_003], 3, 1024);
        var sizes = Enumerable.Range(0, 3).Select(p => partition.Slices(p).GetEnumerator()).Select(e =>
        {
            e.MoveNext();
            return e.Current.Length;
        }).ToArray();

        sizes.Sum().Should().Be(1_000_003);
        sizes.Should().OnlyContain(s => Math.Abs(s - 333_334) <= StepPartition.Alignment);
    }
}
