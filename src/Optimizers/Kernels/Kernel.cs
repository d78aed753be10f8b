using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Optimizers;

/// <summary>Checks shared by the span kernels.</summary>
/// <remarks>
/// Each kernel's loop is a method of its own, marked <c>NoInlining</c>: the public <c>Step</c> dispatches to it once per
/// call, and the JIT compiles the loop as that method's body instead of inside the dispatcher. Inlined into a larger
/// method a loop is placed wherever it falls there, and in cache that placement showed: on the VM of bench/README.md
/// the same gradient-descent loop ran 1.3–1.45× slower inlined into a larger method than as a method of its own, and
/// AdamW (whose loop the JIT had inlined into its dispatcher) went from 1.11–1.13× to 1.00–1.02× of the hand-fused
/// reference on 100 parameters of 1,000 elements once it was not. One call per parameter costs nothing measurable.
/// <para>
/// Every kernel is written once, generic in the element type and in the vector width (<see cref="ISimd{TSelf, T}"/>),
/// and reads and writes through references without bounds checks after checking the span lengths once. Its remarks
/// say whether it follows torch.optim's text operation by operation or where it departs from it (to divide or take a
/// square root once per element where the text does it twice), and by how many units in the last place (ulps) of
/// the element type a departure can move a result. The per-element scalars are formed once per call. No
/// kernel contracts a·b + c into a fused multiply-add (torch's own compiled kernels may, which moves its float32
/// results by a few ulps of their own); the parity tests bound the sum of both against torch's traces.
/// </para>
/// </remarks>
internal static class Kernel
{
    /// <summary>Throws when a stream's length differs from θ's: kernels read and write equal-length spans.</summary>
    public static void CheckLengths(int theta, int other)
    {
        if (theta != other)
        {
            throw new ArgumentException($"Span lengths differ: θ has {theta} elements, another stream has {other}.");
        }
    }

    /// <summary>
    /// Whether the gradient a rule sees, g = ±grad + λ·θ, needs computing: true when maximising or when λ ≠ 0.
    /// </summary>
    /// <remarks>
    /// When false the kernels take g = grad and do no arithmetic for the sign or the decay, as torch.optim skips
    /// its weight-decay term when λ = 0. The result is the same: grad·1 = grad and grad + 0·θ = grad for every
    /// finite θ, except that a gradient of −0 then stays −0 (as in torch) instead of becoming +0. Options that are
    /// off thus cost no per-element arithmetic: the kernels compile a separate loop without them (see <see cref="IFlag"/>).
    /// </remarks>
    public static bool AdjustsGradient(bool maximize, double weightDecay) => maximize || weightDecay != 0;

    /// <summary>
    /// Spans of at least this many bytes per stream (8 MiB: 2²⁰ doubles, 2²¹ floats) are walked as four quarters side
    /// by side (see <see cref="InterleavedQuarter"/>).
    /// </summary>
    public const int InterleaveThresholdBytes = 8 << 20;

    /// <summary><see cref="InterleaveThresholdBytes"/> in elements of <see cref="double"/>.</summary>
    public const int InterleaveThreshold = InterleaveThresholdBytes / sizeof(double);

    /// <summary><see cref="InterleaveThresholdBytes"/> in elements of <typeparamref name="T"/>.</summary>
    public static int InterleaveThresholdOf<T>() => InterleaveThresholdBytes / Unsafe.SizeOf<T>();

    /// <summary>
    /// Whether a kernel walks a span of <paramref name="length"/> elements with <see cref="Simd512{T}"/> rather than
    /// <see cref="SimdVector{T}"/>: only where AVX-512 is there, and then as measured per rule for spans in cache
    /// (below <see cref="InterleaveThresholdBytes"/>) and out of it.
    /// </summary>
    /// <remarks>
    /// Measured on the VM of bench/README.md with the limit kernels, in float64 and float32, 100 parameters of 1,000
    /// elements and one of 10⁷: Vector512 made gradient descent 1.08–1.25× faster in cache and 1.04–1.08× out of it,
    /// and Momentum 1.03–1.06× (out of cache, and float32 in cache); for the other rules the two widths were within a
    /// few per cent of each other either way (they are bound by square roots and divisions in cache, which cost the same
    /// per element at either width here, and by memory out of it), so those keep <see cref="Vector{T}"/>. Only θ's
    /// stores are aligned (see <see cref="UnalignedHead{T}"/>); the other streams start wherever their arrays do, and a
    /// Vector512 load that is not 64-byte aligned spans two cache lines, which is part of why the wider vector gains
    /// little in cache.
    /// </remarks>
    public static bool UsesWide<T>(int length, bool inCache, bool outOfCache)
        where T : unmanaged
        => Vector512.IsHardwareAccelerated && ((long)length * Unsafe.SizeOf<T>() >= InterleaveThresholdBytes ? outOfCache : inCache);

    /// <summary>
    /// The length in elements (a whole number of <typeparamref name="TV"/> vectors) of each of the four quarters that a
    /// kernel walks side by side over a span of <paramref name="length"/> elements, or 0 when the span is short enough
    /// to walk once from start to end.
    /// </summary>
    /// <remarks>
    /// A kernel's loop handles the vector at offset i, then i + q, i + 2q and i + 3q (q = the quarter) in one iteration,
    /// and the 4q … end tail after it; every element is still read and written exactly once, by the same arithmetic, so
    /// the results are the same bits as one walk from the start. What changes is how many sequential streams the memory
    /// system sees at once: one walk keeps too few cache-line loads in flight to reach the memory bandwidth on one
    /// core (it waits on latency), four walks keep four times as many. Measured on the 2-core VM of bench/README.md,
    /// per step at 10⁷ doubles: gradient descent 0.77×, momentum 0.90×, Adam 0.89× of the time of one walk; at
    /// 10⁶ elements and below (in cache) it gains nothing and at 10⁴ it costs 25 % (loop overhead), hence the threshold.
    /// </remarks>
    public static nuint InterleavedQuarter<T, TV>(int length)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        => (long)length * Unsafe.SizeOf<T>() >= InterleaveThresholdBytes ? (nuint)(length / TV.Count / 4 * TV.Count) : 0;

    /// <summary>
    /// How many leading elements of <paramref name="theta"/> lie before its first address aligned to
    /// <paramref name="vectorBytes"/>, when it is long enough for that to matter (else 0). A kernel updates those few
    /// elements as a separate span first, so that its vector loop stores θ to aligned addresses.
    /// </summary>
    /// <remarks>
    /// A .NET array's elements are only 8-byte aligned, so a vector store into θ may straddle two cache lines. Measured
    /// on the VM of bench/README.md, gradient descent over 100 parameters of 1,000 elements (in L2) took 1.45× as long
    /// with θ misaligned as with θ aligned; misaligned loads (the gradient) cost nothing measurable. The elements are
    /// computed by the same arithmetic either way, so the results are the same bits; if the garbage collector moves θ
    /// meanwhile, only the speed changes. Spans shorter than four vectors are left alone.
    /// </remarks>
    public static unsafe int UnalignedHead<T>(ReadOnlySpan<T> theta, int vectorBytes)
        where T : unmanaged
    {
        if (theta.Length < 4 * vectorBytes / sizeof(T))
        {
            return 0;
        }

        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(theta));
        nuint misalignment = address % (nuint)vectorBytes;
        return misalignment == 0 || misalignment % (nuint)sizeof(T) != 0
            ? 0
            : (int)(((nuint)vectorBytes - misalignment) / (nuint)sizeof(T));
    }

    /// <summary>The first <paramref name="count"/> elements of <paramref name="state"/>, or the empty span when an option that is off left the state empty.</summary>
    public static Span<T> Head<T>(Span<T> state, int count) => state.IsEmpty ? state : state[..count];

    /// <summary>The elements of <paramref name="state"/> from <paramref name="count"/> on, or the empty span when an option that is off left the state empty.</summary>
    public static Span<T> Tail<T>(Span<T> state, int count) => state.IsEmpty ? state : state[count..];
}
