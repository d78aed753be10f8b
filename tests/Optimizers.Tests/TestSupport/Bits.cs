using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers.Tests.TestSupport;

/// <summary>Bit-for-bit comparison of floats and doubles.</summary>
internal static class Bits
{
    /// <summary>The IEEE-754 bits of <paramref name="x"/> (a float's 32 bits, a double's 64).</summary>
    public static long Of<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Unsafe.SizeOf<T>() == sizeof(float) ? Unsafe.As<T, int>(ref x) : Unsafe.As<T, long>(ref x);

    /// <summary>The bits of every element of <paramref name="x"/>.</summary>
    public static long[] Of<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bits = new long[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            bits[i] = Of(x[i]);
        }

        return bits;
    }

    /// <summary>Equal bits, or both NaN (NaN payloads are not compared).</summary>
    public static bool Same<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Of(a) == Of(b) || (T.IsNaN(a) && T.IsNaN(b));

    /// <summary>The first index where <paramref name="a"/> and <paramref name="b"/> differ bit for bit (NaN payloads aside), or −1.</summary>
    public static int FirstDifference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length != b.Length)
        {
            return Math.Min(a.Length, b.Length);
        }

        // Identical bytes are the same bits (the common case, compared fast); else find the first real difference.
        if (MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b)))
        {
            return -1;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!Same(a[i], b[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
