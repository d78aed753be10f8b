using System.Globalization;
using Xunit.Abstractions;

namespace Optimizers.Tests.Parity;

/// <summary>
/// The float32 traces (Parity/Fixtures32) replayed through the float rules, within a bound relative to each trace's
/// largest magnitude (see Parity/README.md, "The float32 replay"); the sub-half-ulp cases bit for bit.
/// </summary>
public sealed class Float32ParityTests : ParityTests<float>
{
    /// <summary>
    /// τ: |ours − torch| ≤ τ·max |torch value over the trace|. Measured worst 6.7e-8 (one ulp of the largest value);
    /// torch against the generator's own float32 reference, in any of its four orders: 1.3e-7.
    /// </summary>
    private static readonly ParityTolerance Tolerance = ParityTolerance.Scaled(5e-7);

    /// <summary>
    /// NAdam's τ. Its kernel forms θ − (a·g + b·m)/d where torch updates θ twice (θ − a·g/d, then − b·m/d), so θ is
    /// rounded once per step instead of twice: measured worst 8.3e-7 over 64 steps (13 to 15 ulps), a difference that
    /// grows with the number of steps. With torch's two updates the same scalars reproduce torch bit for bit.
    /// </summary>
    private static readonly ParityTolerance NAdamTolerance = ParityTolerance.Scaled(5e-6);

    public Float32ParityTests(ITestOutputHelper output)
        : base(output)
    {
    }

    public static TheoryData<string> SubHalfUlpFixtures => new(
        ParityFixture.FileNames<float>().Where(f => f.Contains(".sub-half-ulp.", StringComparison.Ordinal)));

    private protected override ParityTolerance ToleranceFor(string rule) => rule == "NAdam" ? NAdamTolerance : Tolerance;

    [Theory]
    [MemberData(nameof(SubHalfUlpFixtures))]
    public void SubHalfUlpCaseLeavesEveryParameterUnchangedBitForBit(string fixtureFile)
    {
        var fixture = ParityFixture.Load<float>(fixtureFile);
        fixture.SubHalfUlp.Should().NotBeNull();
        fixture.SubHalfUlp!.Float32ParametersNeverChange.Should().BeTrue();
        var initial = fixture.Parameters.Select(p => p.Initial).ToArray();
        foreach (var step in fixture.Steps)
        {
            step.Expected.Should().BeEquivalentTo(initial, o => o.WithStrictOrdering(), "torch's float32 θ never changes in this case");
        }

        var replay = ParityReplay.Run(fixture, Factories[fixture.Optimizer], new ParityOptions(fixture.Options), ParityTolerance.Exact);

        replay.Failure.Should().BeNull();
        replay.LargestStep.Should().Be(0, "every step rounds back to θ in float32");
        for (int k = 0; k < initial.Length; k++)
        {
            replay.Final[k].Select(x => BitConverter.SingleToInt32Bits((float)x))
                .Should().Equal(initial[k].Select(x => BitConverter.SingleToInt32Bits((float)x)));
        }
    }

    [Theory]
    [MemberData(nameof(SubHalfUlpFixtures))]
    public void SubHalfUlpCaseFailsWhenComputedInDoubleAndRoundedAtTheEnd(string fixtureFile)
    {
        // The same inputs through the double rule, rounded to float32 only at the end: what a float32 implementation
        // that computes in double would give. Every step is below half an ulp of θ, yet their sum is not.
        var fixture = ParityFixture.Load<float>(fixtureFile);
        var record = fixture.SubHalfUlp!;
        var inDouble = ParityReplay.Run(fixture, ParityFactories<double>.All[fixture.Optimizer], new ParityOptions(fixture.Options),
                                        ParityTolerance.Relative(double.PositiveInfinity));

        var torch = fixture.Steps[^1].Expected.SelectMany(v => v).Select(x => (float)x).ToArray();
        var rounded = inDouble.Final.SelectMany(v => v).Select(x => (float)x).ToArray();
        var moved = torch.Zip(rounded, Ulps.Between).ToArray();
        double worstScaled = torch.Zip(rounded, (a, b) => Math.Abs((double)a - b)).Max() / fixture.LargestExpectedMagnitude;
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{fixture.Optimizer}.{fixture.Case}: largest step in double {inDouble.LargestStep:E3} (half an ulp of θ {record.HalfUlpOfTheta:E3}); " +
            $"rounded at the end, the elements are {moved.Min()} to {moved.Max()} ulps from torch's float32 θ, " +
            $"{worstScaled:E2} of the largest |value| (tolerance {Tolerance})"));

        inDouble.LargestStep.Should().BeLessThan(record.HalfUlpOfTheta);
        inDouble.LargestStep.Should().BeApproximately(record.LargestStepInFloat64, 1e-12 * record.LargestStepInFloat64);
        moved.Min().Should().BeGreaterThanOrEqualTo(1, "every element has moved, so the exact replay fails on every element");
        new[] { moved.Min(), moved.Max() }.Should().Equal(record.Float64RoundedAtTheEndMovesUlps.Select(u => (long)u),
                                                          "the generator measured the same with torch in float64");
        worstScaled.Should().BeGreaterThan(Tolerance.Bound, "it would fail even the scaled tolerance of the other traces");
    }

    [Fact]
    public void FixturesHoldOnlyFloat32Values()
    {
        foreach (var fixture in ParityFixture.FileNames<float>().Select(ParityFixture.Load<float>))
        {
            var numbers = fixture.Parameters.SelectMany(p => p.Initial)
                .Concat(fixture.Steps.SelectMany(s => s.Gradients.Concat(s.Expected).SelectMany(v => v)));
            numbers.Where(x => (double)(float)x != x).Should().BeEmpty("{0}.{1} is a float32 trace", fixture.Optimizer, fixture.Case);
        }
    }
}
