using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    [Fact]
    public void Large_spans_read_as_aligned_quarters_find_the_first_non_finite_element_in_double() => CheckQuarters<double>();

    [Fact]
    public void Large_spans_read_as_aligned_quarters_find_the_first_non_finite_element_in_float() => CheckQuarters<float>();

    /// <summary>
    /// From <see cref="Elementwise.SingleStreamLimitBytes"/> up (with AVX-512) the aligned vectors are read as four
    /// quarters side by side: a non-finite element is found at both edges of every quarter, between the quarters' end
    /// and the last vector, in the first and the last vector, at every start alignment (the array is pinned, so the
    /// quarters' edges computed here from its address are the kernel's).
    /// </summary>
    private static void CheckQuarters<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, n = Elementwise.SingleStreamLimitOf<T>() + 3 * w + 5;
        var array = GC.AllocateArray<T>(n + 16, pinned: true);
        var random = new Random(29);
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = T.CreateTruncating(random.NextDouble() * 2 - 1);
        }

        T[] bad = [T.NaN, T.PositiveInfinity, T.NegativeInfinity];
        for (int offset = 0; offset < 16; offset++)
        {
            var x = array.AsSpan(offset, n);
            Elementwise.IndexOfNonFinite<T>(x).Should().Be(-1, $"offset {offset}, all finite");
            long misalignment = Marshal.UnsafeAddrOfPinnedArrayElement(array, offset).ToInt64() % 64;
            int size = Unsafe.SizeOf<T>();
            int head = misalignment % size != 0 ? 0 : (int)((64 - misalignment) % 64) / size;
            int vectors = (n - head) / w, quarter = vectors / 4 * w;
            var edges = Enumerable.Range(0, 5).Select(k => head + k * quarter)
                                  .Concat([0, head + vectors * w, n - w]);
            var positions = edges.SelectMany(e => new[] { e - 1, e, e + 1 }).Concat([n - 1]).Where(p => p >= 0 && p < n).Distinct();
            foreach (int position in positions)
            {
                T saved = x[position];
                x[position] = bad[position % 3];
                Elementwise.IndexOfNonFinite<T>(x).Should().Be(position, $"offset {offset}, position {position} of {n}");
                x[position] = saved;
            }
        }
    }

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
