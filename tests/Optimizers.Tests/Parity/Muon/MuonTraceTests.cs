using System.Numerics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Optimizers.Tests.Parity.Muon;

/// <summary>
/// Replays the traces of the NumPy transcription of torch/optim/_muon.py (generate_traces.py here; see README.md)
/// through <see cref="Muon{T}"/> over rank-2 parameters of <typeparamref name="T"/>, with <see cref="ParityReplay"/>:
/// float64 within 1e-12 relative per element, float32 within τ of each trace's largest |value|.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class MuonTraceTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private protected MuonTraceTests(ITestOutputHelper output) => Output = output;

    public static TheoryData<string> AllFixtures => new(FileNames());

    private protected ITestOutputHelper Output { get; }

    /// <summary>How close each replayed value must be to the reference's.</summary>
    private protected abstract ParityTolerance Tolerance { get; }

    /// <summary>
    /// Builds <see cref="Muon{T}"/> from a fixture's options: the coefficients as nsA, nsB, nsC and the adjustment as a
    /// number (0 Original, 1 MatchRmsAdamW); every fallback is the constructor's default (checked below).
    /// </summary>
    private protected static Optimizer<T> Factory(IReadOnlyList<Parameter<T>> p, ParityOptions o) => new Muon<T>(p,
        learningRate: o.Double("learningRate", 1e-3),
        weightDecay: o.Double("weightDecay", 0.1),
        momentum: o.Double("momentum", 0.95),
        nesterov: o.Bool("nesterov", true),
        nsCoefficients: (o.Double("nsA", 3.4445), o.Double("nsB", -4.775), o.Double("nsC", 2.0315)),
        epsilon: o.Double("epsilon", 1e-7),
        nsSteps: (int)o.Double("nsSteps", 5),
        adjustLearningRate: (MuonLearningRate)(int)o.Double("adjustLearningRate", (int)MuonLearningRate.Original));

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Replays_the_reference_trace(string fixtureFile)
    {
        var fixture = Load(fixtureFile);
        var options = new ParityOptions(fixture.Options);

        var replay = ParityReplay.Run<T>(fixture, Factory, options, Tolerance);

        Output.WriteLine($"{fixture.Optimizer}.{fixture.Case} ({fixture.Dtype}): worst |ours − reference| = " +
                         $"{replay.WorstScaled:E2} of the trace's largest |value| ({replay.UlpsOfLargest:F1} ulps of it), " +
                         $"{replay.WorstRelative:E2} relative and {replay.WorstUlps} ulps element by element; tolerance {Tolerance}.");
        options.Unread().Should().BeEmpty("the factory must pass every option of {0}", fixtureFile);
        if (replay.Failure is not null)
        {
            Assert.Fail(replay.Failure);
        }
    }

    [Fact]
    public void The_traces_cover_tall_wide_and_square_weights_both_adjustments_and_every_option()
    {
        var fixtures = FileNames().Select(Load).ToArray();
        fixtures.Select(f => f.Case).Should().Contain(["defaults", "tall-original", "match-rms-adamw", "tiny-gradients"]);
        foreach (var f in fixtures)
        {
            f.Optimizer.Should().Be("Muon");
            f.Dtype.Should().Be(ElementTypes.NameOf<T>(), "{0} is in the folder of that precision", f.Case);
            f.Steps.Should().HaveCount(64, "{0} should be a long trace", f.Case);
            f.Parameters.Should().OnlyContain(p => p.Shape != null && p.Shape.Length == 2, "Muon takes matrices only");
        }

        static bool Tall(ParityParameter p) => p.Shape![0] > p.Shape[1];
        static bool Wide(ParityParameter p) => p.Shape![0] < p.Shape[1];
        static bool Square(ParityParameter p) => p.Shape![0] == p.Shape[1];
        static double Adjustment(ParityFixture f) => Option(f, "adjustLearningRate") ?? 0;

        // The tall weight under Original is the one case a transposed layout gets wrong (√(A/B) against 1).
        fixtures.Any(f => Adjustment(f) == 0 && f.Parameters.Any(Tall) && Option(f, "weightDecay") == 0)
            .Should().BeTrue("a case steps a tall weight under Original without weight decay");
        fixtures.Any(f => Adjustment(f) == 0 && f.Parameters.Any(Wide)).Should().BeTrue("a case steps a wide weight under Original");
        fixtures.Any(f => Adjustment(f) == 1 && f.Parameters.Any(Tall) && f.Parameters.Any(Wide) && f.Parameters.Any(Square))
            .Should().BeTrue("a case steps tall, wide and square weights under MatchRmsAdamW");
        fixtures.Any(f => f.Options.TryGetProperty("nesterov", out var n) && n.ValueKind == JsonValueKind.False)
            .Should().BeTrue("a case turns Nesterov off");
        foreach (var option in new[] { "learningRate", "weightDecay", "momentum", "nsA", "nsB", "nsC", "epsilon", "nsSteps" })
        {
            fixtures.Any(f => Option(f, option) != null).Should().BeTrue("some case sets {0}", option);
        }
    }

    [Fact]
    public void Factory_fallbacks_are_the_constructor_defaults()
    {
        var options = ParityOptions.Empty(requiredStandIn: 0.01);
        var optimizer = (Muon<T>)Factory([new Parameter<T>("p", MathNet.Numerics.LinearAlgebra.Matrix<T>.Build.Dense(2, 3))], options);
        var reference = new Muon<T>([new Parameter<T>("q", MathNet.Numerics.LinearAlgebra.Matrix<T>.Build.Dense(2, 3))]);

        optimizer.Hyperparameters.Should().Equal(reference.Hyperparameters);
        optimizer.LearningRate.Should().Be(reference.LearningRate);
        var declared = typeof(Muon<T>).GetConstructors().Single().GetParameters().Skip(1).Select(p => p.Name).ToArray();
        declared.Should().Equal("learningRate", "weightDecay", "momentum", "nesterov", "nsCoefficients", "epsilon", "nsSteps",
                                "adjustLearningRate");
    }

    private static double? Option(ParityFixture f, string name) =>
        f.Options.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string Directory() => Path.Combine(AppContext.BaseDirectory, "Parity", "Muon",
        typeof(T) == typeof(float) ? "Fixtures32" : "Fixtures");

    private static string[] FileNames() => System.IO.Directory.EnumerateFiles(Directory(), "*.json")
        .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();

    private protected static ParityFixture Load(string fileName)
    {
        using var stream = File.OpenRead(Path.Combine(Directory(), fileName));
        return JsonSerializer.Deserialize<ParityFixture>(stream, Json) ?? throw new InvalidDataException($"{fileName} holds no fixture.");
    }
}

/// <summary>The float64 traces, within 1e-12 relative per element (every expected |value| ≥ 0.02, checked by the generator).</summary>
public sealed class MuonTraceTests_Double(ITestOutputHelper output) : MuonTraceTests<double>(output)
{
    private protected override ParityTolerance Tolerance => ParityTolerance.Relative(1e-12);

    [Theory]
    [InlineData("Muon.defaults.json", "momentum")]
    [InlineData("Muon.tall-original.json", "nsA")]
    [InlineData("Muon.tiny-gradients.json", "epsilon")]            // ‖U‖ < ε there: the clamp binds
    [InlineData("Muon.match-rms-adamw.json", "weightDecay")]
    [InlineData("Muon.no-nesterov-all-options-schedule.json", "nsB")]
    public void The_replay_notices_an_option_off_by_one_part_in_a_million(string fixtureFile, string option)
    {
        var fixture = Load(fixtureFile);
        var options = new ParityOptions(fixture.Options).Scaling(option, 1 + 1e-6);

        var replay = ParityReplay.Run<double>(fixture, Factory, options, Tolerance);

        Output.WriteLine(replay.Failure ?? "(no failure)");
        replay.Failure.Should().NotBeNull();
    }
}

/// <summary>
/// The float32 traces, within τ = 5e-7 of each trace's largest |value|: the library's float32 tolerance (Parity/README.md).
/// Measured worst: see README.md here.
/// </summary>
public sealed class MuonTraceTests_Single(ITestOutputHelper output) : MuonTraceTests<float>(output)
{
    private protected override ParityTolerance Tolerance => ParityTolerance.Scaled(5e-7);
}
