using FsCheck;
using FsCheck.Fluent;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// FsCheck generators of doubles and lengths for the property tests: magnitudes log-uniform over many decades,
/// both signs, exact zeros of either sign and subnormals, so that one run covers 1e-300 … 1e300.
/// </summary>
internal static class Doubles
{
    /// <summary>10^u with u uniform in [<paramref name="lowExponent"/>, <paramref name="highExponent"/>], in steps of 10⁻⁶.</summary>
    public static Gen<double> LogUniform(double lowExponent, double highExponent) =>
        Gen.Choose(0, 1_000_000).Select(k => Math.Pow(10, lowExponent + (highExponent - lowExponent) * k / 1e6));

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>] on a grid of 2²⁰ points.</summary>
    public static Gen<double> Uniform(double low, double high) =>
        Gen.Choose(0, 1 << 20).Select(k => low + (high - low) * k / (1 << 20));

    /// <summary>A positive subnormal: random mantissa bits, zero exponent field.</summary>
    public static Gen<double> Subnormal { get; } =
        Gen.Choose(1, int.MaxValue).Select(bits => BitConverter.Int64BitsToDouble(((long)bits << 21) | 1));

    /// <summary>
    /// A finite double with |x| ≤ 10^<paramref name="maxExponent"/>: mostly ±10^u with u uniform in
    /// [−300, <paramref name="maxExponent"/>], sometimes ±0, sometimes a subnormal (when <paramref name="subnormals"/>).
    /// </summary>
    public static Gen<double> Finite(double maxExponent, bool subnormals = true)
    {
        var sign = Gen.Elements(-1.0, 1.0);
        var normal = from s in sign from m in LogUniform(-300, maxExponent) select s * m;
        var zero = sign.Select(s => s * 0.0);
        var tiny = from s in sign from m in Subnormal select s * m;
        return subnormals
            ? Gen.Frequency((36, normal), (2, zero), (2, tiny))
            : Gen.Frequency((38, normal), (2, zero));
    }

    /// <summary>
    /// A span length: every small length (0 … 70, where SIMD bodies and remainders alternate) is likely,
    /// 0 and 1 are favoured, and a third of the draws go up to 3,000.
    /// </summary>
    public static Gen<int> Length { get; } = Gen.Frequency(
        (1, Gen.Elements(0, 1)),
        (4, Gen.Choose(0, 70)),
        (3, Gen.Choose(71, 3000)));

    /// <summary>An array of the given length drawn from <paramref name="element"/>.</summary>
    public static Gen<double[]> ArrayOf(Gen<double> element, int length) => Gen.ArrayOf(element, length);

    /// <summary>Equal bits, or both NaN (NaN payloads are not compared).</summary>
    public static bool SameBits(double a, double b) =>
        BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b) || (double.IsNaN(a) && double.IsNaN(b));

    /// <summary>The first index where <paramref name="a"/> and <paramref name="b"/> differ bit for bit, or −1.</summary>
    public static int FirstDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            return Math.Min(a.Length, b.Length);
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!SameBits(a[i], b[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Deterministic replay seeds for FsCheck.Xunit's <c>Replay</c> (a failure prints its own).</summary>
    public const string Replay = "(2718281828,3141592653)";
}
