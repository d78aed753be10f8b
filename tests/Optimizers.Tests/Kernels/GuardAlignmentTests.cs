using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>
/// Elementwise.IndexOfNonFinite reads a span's first vector as it lies and the rest from the first 64-byte boundary
/// (with one last vector overlapping the one before it): spans that start 0 … 15 elements into an array, so at every
/// 4- or 8-byte alignment, must find every non-finite element and report the first, in float and double.
/// </summary>
public sealed class GuardAlignmentTests
{
    [Fact]
    public void Spans_at_every_alignment_find_the_first_non_finite_element_in_double() => Check<double>();

    [Fact]
    public void Spans_at_every_alignment_find_the_first_non_finite_element_in_float() => Check<float>();

    private static void Check<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(23);
        T[] bad = [T.NaN, T.PositiveInfinity, T.NegativeInfinity];
        foreach (int n in Enumerable.Range(0, 90).Concat([257, 1000, 4099]))
        {
            for (int offset = 0; offset < 16; offset++)
            {
                var array = Enumerable.Range(0, n + offset).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray();
                Elementwise.IndexOfNonFinite<T>(array.AsSpan(offset)).Should().Be(-1, $"length {n}, offset {offset}, all finite");
                var positions = n <= 90 ? Enumerable.Range(0, n) : [0, 1, 15, 16, 63, 64, n / 2, n - 17, n - 16, n - 2, n - 1];
                foreach (int position in positions)
                {
                    var x = (T[])array.Clone();
                    x[offset + position] = bad[position % 3];
                    Elementwise.IndexOfNonFinite<T>(x.AsSpan(offset)).Should().Be(position, $"length {n}, offset {offset}, position {position}");
                }
            }
        }
    }
}
