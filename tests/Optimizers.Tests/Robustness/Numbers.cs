using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// FsCheck generators of numbers and lengths for the property tests: hyperparameters as doubles (the API's type), and
/// values of either element type with magnitudes log-uniform over many decades, both signs, exact zeros of either sign
/// and subnormals, so that one run covers 1e-300 … 1e300 in double and 1e-37 … 1e38 in float.
/// </summary>
internal static class Numbers
{
    /// <summary>10^u with u uniform in [<paramref name="lowExponent"/>, <paramref name="highExponent"/>], in steps of 10⁻⁶.</summary>
    public static Gen<double> LogUniform(double lowExponent, double highExponent) =>
        Gen.Choose(0, 1_000_000).Select(k => Math.Pow(10, lowExponent + (highExponent - lowExponent) * k / 1e6));

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>] on a grid of 2²⁰ points.</summary>
    public static Gen<double> Uniform(double low, double high) =>
        Gen.Choose(0, 1 << 20).Select(k => low + (high - low) * k / (1 << 20));

    /// <summary>A positive subnormal of <typeparamref name="T"/>: random mantissa bits, zero exponent field.</summary>
    public static Gen<T> Subnormal<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => Element<T>.IsSingle
            ? Gen.Choose(1, (1 << 23) - 1).Select(bits => T.CreateTruncating(BitConverter.Int32BitsToSingle(bits)))
            : Gen.Choose(1, int.MaxValue).Select(bits => T.CreateTruncating(BitConverter.Int64BitsToDouble(((long)bits << 21) | 1)));

    /// <summary>
    /// A finite <typeparamref name="T"/> with |x| ≤ 10^<paramref name="maxExponent"/>: mostly ±10^u with u uniform in
    /// [<see cref="Decades.Smallest"/>, <paramref name="maxExponent"/>], sometimes ±0, sometimes a subnormal (when
    /// <paramref name="subnormals"/>).
    /// </summary>
    public static Gen<T> Finite<T>(double maxExponent, bool subnormals = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sign = Gen.Elements(-1.0, 1.0);
        var normal = from s in sign from m in LogUniform(Decades.Of<T>().Smallest, maxExponent) select Element<T>.From(s * m);
        var zero = sign.Select(s => Element<T>.From(s * 0.0));
        var tiny = from s in sign from m in Subnormal<T>() select Element<T>.From(s) * m;
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

    /// <summary>Deterministic replay seeds for FsCheck.Xunit's <c>Replay</c> (a failure prints its own).</summary>
    public const string Replay = "(2718281828,3141592653)";
}

/// <summary>
/// The magnitudes the properties draw from, as powers of ten, for an element type: the same properties hold for float
/// in ranges scaled to its exponent range (±3.4e38, normal down to 1.2e-38) as for double (±1.8e308, 2.2e-308).
/// </summary>
/// <param name="Largest">Any finite value: |x| ≤ 10^this.</param>
/// <param name="Smallest">The smallest normal magnitude drawn, and the smallest ε where ε must stay &gt; 0 in the element type.</param>
/// <param name="Linear">GradientDescent and Momentum stay finite for |θ|, |g| ≤ 10^this (8 steps that at most triple each).</param>
/// <param name="Squared">The adaptive rules stay finite for |θ|, |g| ≤ 10^this (g² must not overflow).</param>
/// <param name="Centered">Centred RMSProp stays finite for |θ|, |g| ≤ 10^this and ε ≥ 10^−this (a step can be α·|g|/ε).</param>
internal sealed record Decades(double Largest, double Smallest, double Linear, double Squared, double Centered)
{
    private static readonly Decades Double = new(Largest: 300, Smallest: -300, Linear: 290, Squared: 150, Centered: 50);

    private static readonly Decades Single = new(Largest: 38, Smallest: -37, Linear: 30, Squared: 15, Centered: 6);

    /// <summary>The ranges for <typeparamref name="T"/>.</summary>
    public static Decades Of<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => Element<T>.IsSingle ? Single : Double;
}
