using Xunit.Abstractions;

namespace Optimizers.Tests.Parity;

/// <summary>
/// The float64 traces (Parity/Fixtures) replayed through the double rules, within 1e-12 relative per element.
/// </summary>
public sealed class Float64ParityTests : ParityTests<double>
{
    public Float64ParityTests(ITestOutputHelper output)
        : base(output)
    {
    }

    /// <summary>|actual − expected| ≤ 1e-12·max(|expected|, 1e-300); the generator keeps every expected |value| ≥ 0.02.</summary>
    private static readonly ParityTolerance Tolerance = ParityTolerance.Relative(1e-12);

    private protected override ParityTolerance ToleranceFor(string rule) => Tolerance;

    [Fact]
    public void ReplayNoticesAMomentumOffByOnePartInAMillion()
    {
        // The harness itself must be able to fail: the same trace with μ = 0.9·(1 + 1e-6) instead of 0.9.
        var fixture = ParityFixture.Load<double>("Momentum.defaults.json");
        var options = new ParityOptions(fixture.Options);

        var replay = ParityReplay.Run<double>(fixture, (p, o) => new Momentum<double>(p, o.Required("learningRate"), momentum: 0.9 * (1 + 1e-6)),
                                              options, Tolerance);

        Output.WriteLine(replay.Failure ?? "(no failure)");
        replay.Failure.Should().NotBeNull().And.Contain("Momentum").And.Contain("step 2 of 64");
    }
}
