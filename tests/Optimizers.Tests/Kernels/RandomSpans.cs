namespace Optimizers.Tests.Kernels;

/// <summary>Seeded random inputs for the kernel tests and a bit-for-bit comparison.</summary>
internal static class RandomSpans
{
    /// <summary>Normal values, each scaled by 10^k with k uniform in [−3, 3], so magnitudes span six decades.</summary>
    public static double[] WideNormal(Random rng, int length)
    {
        var x = new double[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = Normal(rng) * Math.Pow(10, rng.NextDouble() * 6 - 3);
        }

        return x;
    }

    /// <summary>Non-negative values, each |normal|·10^k with k uniform in [−3, 3].</summary>
    public static double[] WideNonNegative(Random rng, int length)
        => WideNormal(rng, length).Select(Math.Abs).ToArray();

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(Random rng)
        => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Asserts that both arrays hold the same doubles bit for bit.</summary>
    public static void ShouldBeBitwiseEqual(double[] actual, double[] expected, string what)
    {
        actual.Select(BitConverter.DoubleToInt64Bits).Should().Equal(
            expected.Select(BitConverter.DoubleToInt64Bits),
            $"{what} (length {expected.Length}) should match the scalar reference bit for bit");
    }
}
