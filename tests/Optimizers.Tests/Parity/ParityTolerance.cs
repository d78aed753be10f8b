namespace Optimizers.Tests.Parity;

/// <summary>
/// How close a replayed value must be to torch's: <see cref="Relative"/> per element (the float64 fixtures) or
/// <see cref="Scaled"/> to the largest magnitude of the whole trace (the float32 fixtures, see Parity/README.md).
/// </summary>
/// <param name="Bound">The bound: relative per element, or relative to the trace's largest |value|.</param>
/// <param name="PerElement">True: |actual − expected| ≤ Bound·max(|expected|, 1e-300); false: ≤ Bound·max |trace|.</param>
internal sealed record ParityTolerance(double Bound, bool PerElement)
{
    /// <summary>|actual − expected| ≤ <paramref name="bound"/>·max(|expected|, 1e-300).</summary>
    public static ParityTolerance Relative(double bound) => new(bound, PerElement: true);

    /// <summary>|actual − expected| ≤ <paramref name="bound"/>·max |expected over the whole trace|.</summary>
    public static ParityTolerance Scaled(double bound) => new(bound, PerElement: false);

    /// <summary>Equal values only (bit for bit, the values being nonzero).</summary>
    public static ParityTolerance Exact { get; } = Scaled(0);

    /// <summary>The largest difference allowed at <paramref name="expected"/> in a trace whose largest |value| is <paramref name="largest"/>.</summary>
    public double Allowed(double expected, double largest) =>
        PerElement ? Bound * Math.Max(Math.Abs(expected), 1e-300) : Bound * largest;

    /// <inheritdoc />
    public override string ToString() =>
        Bound == 0 ? "exact" : PerElement ? $"{Bound:E0} relative per element" : $"{Bound:E0} of the trace's largest |value|";
}
