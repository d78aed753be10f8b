using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Optimizers;

/// <summary>Read-only span helpers shared by the optimizers.</summary>
internal static class Elementwise
{
    /// <summary>
    /// The index of the first NaN or ±∞ in <paramref name="x"/>, or −1 when every element is finite.
    /// One vectorised read-only pass: x − x is 0 for finite x and NaN otherwise.
    /// </summary>
    /// <remarks>
    /// How the span is read depends on its length (measured on the VM of bench/README.md, as a fraction of the time of
    /// a gradient-descent step over the same elements). Where AVX-512 is there, it is read as <see cref="Vector512{T}"/>
    /// with loads aligned to 64 bytes (see <see cref="SumOfDifferences{T}"/>): below <see cref="SingleStreamLimitBytes"/>
    /// bytes once from start to end into four accumulators (0.27–0.34× at 10³ elements, in L1, where four
    /// <see cref="Vector{T}"/> quarters took 0.39–0.47×, and a few per cent less than them in L2), and from there on as
    /// four quarters side by side, each into its own accumulator: several independent sequential streams keep more
    /// cache-line loads in flight than one when the data comes from L3 or memory. At 10⁷ elements four aligned
    /// <see cref="Vector512{T}"/> quarters took 0.31–0.36× of the step in float64 where eight <see cref="Vector{T}"/>
    /// eighths took 0.42–0.48× (in float32 both ~0.31×), and one stream 0.38–0.42×. Without AVX-512 the vectors are read
    /// as four <see cref="Vector{T}"/> quarters (eight eighths from <see cref="Kernel.InterleaveThresholdBytes"/> bytes
    /// up: ~1.15× faster than four there).
    /// Only when some element is not finite is the span scanned again, element by element, for the first one.
    /// </remarks>
    public static int IndexOfNonFinite<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<T>.Count)
        {
            if (SumOfDifferences(x, quarters: x.Length >= SingleStreamLimitOf<T>()) == Vector512<T>.Zero)
            {
                i = x.Length;
            }
        }
        else if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(x);
            var sum = x.Length >= Kernel.InterleaveThresholdOf<T>() ? SumOfDifferences8(vectors) : SumOfDifferences4(vectors);
            if (sum == Vector<T>.Zero)
            {
                i = vectors.Length * Vector<T>.Count;
            }
        }

        for (; i < x.Length; i++)
        {
            if (!T.IsFinite(x[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Spans shorter than this many bytes (2 MiB, one core's L2 on the VM of bench/README.md) are read as one stream of
    /// <see cref="Vector512{T}"/> when AVX-512 is there.
    /// </summary>
    /// <remarks>At 2¹⁸ and 2¹⁹ doubles one stream and four quarters measured the same; below, one stream was faster.</remarks>
    internal const int SingleStreamLimitBytes = 2 << 20;

    /// <summary><see cref="SingleStreamLimitBytes"/> in elements of <see cref="double"/>.</summary>
    internal const int SingleStreamLimit = SingleStreamLimitBytes / sizeof(double);

    /// <summary><see cref="SingleStreamLimitBytes"/> in elements of <typeparamref name="T"/>.</summary>
    internal static int SingleStreamLimitOf<T>() => SingleStreamLimitBytes / Unsafe.SizeOf<T>();

    /// <summary>
    /// Σ (x − x) over all of <paramref name="x"/> (at least one <see cref="Vector512{T}"/> long), read once from start
    /// to end into four accumulators (so that the additions do not wait on each other): zero exactly when all are
    /// finite.
    /// </summary>
    /// <remarks>
    /// The loads are aligned to 64 bytes: the first vector of the span is read as it lies, then the main loop starts at
    /// the first 64-byte boundary, and the elements after its last whole vector are read as one more vector, the last of
    /// the span (an element read twice adds 0 twice). A .NET array's elements are only 8-byte aligned, and a Vector512
    /// load that does not start on a 64-byte boundary spans two cache lines: on the VM of bench/README.md, 100 gradients
    /// of 1,000 elements (in L2) took 0.30× (float32) and 0.17× (float64) of a momentum step to check that way, 0.18× and
    /// 0.09× with aligned loads. No scalar loop is left either.
    /// </remarks>
    /// <param name="x">The span.</param>
    /// <param name="quarters">
    /// Read the aligned vectors as four quarters side by side, one per accumulator (spans beyond the cache), instead of
    /// from start to end.
    /// </param>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static unsafe Vector512<T> SumOfDifferences<T>(ReadOnlySpan<T> x, bool quarters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T start = ref MemoryMarshal.GetReference(x);
        var first = Vector512.LoadUnsafe(ref start);
        var last = Vector512.LoadUnsafe(ref start, (nuint)(x.Length - Vector512<T>.Count));
        nuint misalignment = (nuint)Unsafe.AsPointer(ref start) % 64;
        int head = misalignment % (nuint)sizeof(T) != 0 ? 0 : (int)((64 - misalignment) % 64) / sizeof(T);
        var aligned = x[Math.Min(head, x.Length)..];

        Vector512<T> a0 = first - first, a1 = last - last, a2 = Vector512<T>.Zero, a3 = a2;
        if (quarters)
        {
            // Each quarter is a whole number of vectors long, so every quarter's loads stay aligned; the vectors after
            // the fourth quarter are read by the loop below.
            var vectors = MemoryMarshal.Cast<T, Vector512<T>>(aligned);
            int q = vectors.Length / 4;
            ref var v0 = ref MemoryMarshal.GetReference(vectors);
            ref var v1 = ref Unsafe.Add(ref v0, q);
            ref var v2 = ref Unsafe.Add(ref v0, 2 * q);
            ref var v3 = ref Unsafe.Add(ref v0, 3 * q);
            for (nint k = 0; k < q; k++)
            {
                var x0 = Unsafe.Add(ref v0, k);
                a0 += x0 - x0;
                var x1 = Unsafe.Add(ref v1, k);
                a1 += x1 - x1;
                var x2 = Unsafe.Add(ref v2, k);
                a2 += x2 - x2;
                var x3 = Unsafe.Add(ref v3, k);
                a3 += x3 - x3;
            }

            foreach (var v in vectors[(4 * q)..])
            {
                a0 += v - v;
            }

            return a0 + a1 + a2 + a3;
        }

        // Four vectors at a time as one struct, so that the loop has one bounds check, done by foreach up front.
        var blocks = MemoryMarshal.Cast<T, FourVectors<T>>(aligned);
        foreach (ref readonly var b in blocks)
        {
            a0 += b.V0 - b.V0;
            a1 += b.V1 - b.V1;
            a2 += b.V2 - b.V2;
            a3 += b.V3 - b.V3;
        }

        foreach (var v in MemoryMarshal.Cast<T, Vector512<T>>(aligned)[(4 * blocks.Length)..])
        {
            a0 += v - v;
        }

        return a0 + a1 + a2 + a3;
    }

    /// <summary>Four consecutive <see cref="Vector512{T}"/>s (256 bytes, four cache lines).</summary>
    /// <remarks>Never constructed: only a view of a span's memory (<see cref="MemoryMarshal.Cast{TFrom, TTo}(ReadOnlySpan{TFrom})"/>).</remarks>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct FourVectors<T>
        where T : unmanaged
    {
#pragma warning disable CS0649 // the fields are filled by the memory this struct views, never by assignment
        public readonly Vector512<T> V0, V1, V2, V3;
#pragma warning restore CS0649
    }

    /// <summary>Σ (x − x) over the vectors, read as four quarters side by side: zero exactly when all are finite.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static Vector<T> SumOfDifferences4<T>(ReadOnlySpan<Vector<T>> vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int quarter = vectors.Length / 4;
        var q0 = vectors[..quarter];
        var q1 = vectors.Slice(quarter, quarter);
        var q2 = vectors.Slice(2 * quarter, quarter);
        var q3 = vectors.Slice(3 * quarter, quarter);
        Vector<T> a0 = Vector<T>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (int k = 0; k < q0.Length; k++)
        {
            a0 += q0[k] - q0[k];
            a1 += q1[k] - q1[k];
            a2 += q2[k] - q2[k];
            a3 += q3[k] - q3[k];
        }

        foreach (var v in vectors[(4 * quarter)..])
        {
            a0 += v - v;
        }

        return a0 + a1 + a2 + a3;
    }

    /// <summary>The same as <see cref="SumOfDifferences4"/> over eight eighths side by side.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static Vector<T> SumOfDifferences8<T>(ReadOnlySpan<Vector<T>> vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int e = vectors.Length / 8;
        Vector<T> a0 = Vector<T>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (int k = 0; k < e; k++)
        {
            a0 += vectors[k] - vectors[k];
            a1 += vectors[k + e] - vectors[k + e];
            a2 += vectors[k + 2 * e] - vectors[k + 2 * e];
            a3 += vectors[k + 3 * e] - vectors[k + 3 * e];
            a0 += vectors[k + 4 * e] - vectors[k + 4 * e];
            a1 += vectors[k + 5 * e] - vectors[k + 5 * e];
            a2 += vectors[k + 6 * e] - vectors[k + 6 * e];
            a3 += vectors[k + 7 * e] - vectors[k + 7 * e];
        }

        foreach (var v in vectors[(8 * e)..])
        {
            a0 += v - v;
        }

        return a0 + a1 + a2 + a3;
    }
}
