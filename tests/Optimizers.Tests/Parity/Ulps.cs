using System.Numerics;

namespace Optimizers.Tests.Parity;

/// <summary>Distances in units in the last place of <see cref="float"/> or <see cref="double"/>.</summary>
internal static class Ulps
{
    /// <summary>How many values of <typeparamref name="T"/> lie from <paramref name="a"/> to <paramref name="b"/> (0 when equal; +0 and −0 are equal).</summary>
    public static long Between<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Math.Abs(Ordered(float.CreateTruncating(a)) - Ordered(float.CreateTruncating(b)));
        }

        long x = Ordered(double.CreateTruncating(a)), y = Ordered(double.CreateTruncating(b));
        return x >= y ? x - y : y - x;
    }

    private static long Ordered(float value)
    {
        long bits = BitConverter.SingleToInt32Bits(value);
        return bits < 0 ? -(bits & 0x7FFFFFFF) : bits;
    }

    private static long Ordered(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        return bits < 0 ? -(bits & long.MaxValue) : bits;
    }
}
