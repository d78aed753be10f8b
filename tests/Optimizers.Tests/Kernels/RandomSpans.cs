using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Kernels;

/// <summary>Seeded random inputs for the kernel tests, drawn as doubles and rounded to the element type.</summary>
internal static class RandomSpans
{
    /// <summary>Normal values, each scaled by 10^k with k uniform in [−3, 3], so magnitudes span six decades.</summary>
    public static T[] WideNormal<T>(Random rng, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = Element<T>.From(Normal(rng) * Math.Pow(10, rng.NextDouble() * 6 - 3));
        }

        return x;
    }

    /// <summary>Non-negative values, each |normal|·10^k with k uniform in [−3, 3].</summary>
    public static T[] WideNonNegative<T>(Random rng, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
        => WideNormal<T>(rng, length).Select(T.Abs).ToArray();

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(Random rng)
        => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Asserts that both arrays hold the same values bit for bit.</summary>
    public static void ShouldBeBitwiseEqual<T>(T[] actual, T[] expected, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Bits.Of<T>(actual).Should().Equal(Bits.Of<T>(expected),
            $"{what} (length {expected.Length}) should match the scalar reference bit for bit");
    }
}
