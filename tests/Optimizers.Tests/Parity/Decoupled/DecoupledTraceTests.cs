using System.Numerics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Optimizers.Tests.Parity.Decoupled;

/// <summary>
/// Replays the traces of the NumPy transcription of torch 2.x's NAdam and RAdam with <c>decoupled_weight_decay=True</c>
/// (generate_traces.py here; see README.md) through <c>NAdam&lt;T&gt;</c> and <c>RAdam&lt;T&gt;</c> built by
/// <see cref="ParityFactories{T}"/> (the factories of the torch traces, which pass <c>decoupledWeightDecay</c>), with
/// <see cref="ParityReplay"/>: float64 within 1e-12 relative per element, float32 within the library's τ of each trace's
/// largest |value| (NAdam's own τ, see ../README.md).
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class DecoupledTraceTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private protected DecoupledTraceTests(ITestOutputHelper output) => Output = output;

    public static TheoryData<string> AllFixtures => new(FileNames());

    private protected ITestOutputHelper Output { get; }

    /// <summary>How close each replayed value of <paramref name="rule"/> must be to the reference's.</summary>
    private protected abstract ParityTolerance ToleranceFor(string rule);

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Replays_the_transcription_of_torch_2(string fixtureFile)
    {
        var fixture = Load(fixtureFile);
        var options = new ParityOptions(fixture.Options);
        var tolerance = ToleranceFor(fixture.Optimizer);

        var replay = ParityReplay.Run(fixture, ParityFactories<T>.All[fixture.Optimizer], options, tolerance);

        Output.WriteLine($"{fixture.Optimizer}.{fixture.Case} ({fixture.Dtype}): worst |ours − reference| = " +
                         $"{replay.WorstScaled:E2} of the trace's largest |value| ({replay.UlpsOfLargest:F1} ulps of it), " +
                         $"{replay.WorstRelative:E2} relative and {replay.WorstUlps} ulps element by element; tolerance {tolerance}.");
        options.Unread().Should().BeEmpty("the factory for {0} must pass every option of {1}", fixture.Optimizer, fixtureFile);
        if (replay.Failure is not null)
        {
            Assert.Fail(replay.Failure);
        }
    }

    [Fact]
    public void The_traces_cover_both_rules_decoupled_with_every_option()
    {
        var fixtures = FileNames().Select(Load).ToArray();
        foreach (var rule in new[] { "NAdam", "RAdam" })
        {
            fixtures.Where(f => f.Optimizer == rule).Select(f => f.Case).Should()
                .BeEquivalentTo(["decoupled", "decoupled-all-options-schedule"], rule);
        }

        foreach (var f in fixtures)
        {
            f.Dtype.Should().Be(ElementTypes.NameOf<T>(), "{0}.{1} is in the folder of that precision", f.Optimizer, f.Case);
            f.Steps.Should().HaveCount(64, "{0}.{1} should be a long trace", f.Optimizer, f.Case);
            f.Options.GetProperty("decoupledWeightDecay").GetBoolean().Should().BeTrue();
            f.Options.GetProperty("weightDecay").GetDouble().Should().BeGreaterThan(0, "decoupling must do something");
        }
    }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void The_replay_fails_with_the_decay_coupled(string fixtureFile)
    {
        var fixture = Load(fixtureFile);

        var replay = ParityReplay.Run(fixture, Coupled(fixture.Optimizer), new ParityOptions(fixture.Options), ToleranceFor(fixture.Optimizer));

        Output.WriteLine(replay.Failure ?? "(no failure)");
        replay.Failure.Should().NotBeNull("the same options with λ as an L2 penalty give another trajectory");
    }

    /// <summary><paramref name="rule"/> with every option of the fixture but <c>decoupledWeightDecay</c>, which stays false.</summary>
    private static Func<IReadOnlyList<Parameter<T>>, ParityOptions, Optimizer<T>> Coupled(string rule) => rule switch
    {
        "NAdam" => (p, o) => new NAdam<T>(p, o.Double("learningRate", 0.002), o.Double("beta1", 0.9), o.Double("beta2", 0.999),
                                          o.Double("epsilon", 1e-8), o.Double("weightDecay", 0), o.Double("momentumDecay", 0.004),
                                          o.Bool("maximize", false)),
        _ => (p, o) => new RAdam<T>(p, o.Double("learningRate", 0.001), o.Double("beta1", 0.9), o.Double("beta2", 0.999),
                                    o.Double("epsilon", 1e-8), o.Double("weightDecay", 0), o.Bool("maximize", false)),
    };

    private static string Directory() => Path.Combine(AppContext.BaseDirectory, "Parity", "Decoupled",
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
public sealed class DecoupledTraceTests_Double(ITestOutputHelper output) : DecoupledTraceTests<double>(output)
{
    private protected override ParityTolerance ToleranceFor(string rule) => ParityTolerance.Relative(1e-12);
}

/// <summary>
/// The float32 traces, within the library's float32 τ of each trace's largest |value| (../README.md): 5e-7, NAdam 5e-6
/// (its kernel rounds θ once per step where torch rounds it twice). Measured worst: see README.md here.
/// </summary>
public sealed class DecoupledTraceTests_Single(ITestOutputHelper output) : DecoupledTraceTests<float>(output)
{
    private protected override ParityTolerance ToleranceFor(string rule) =>
        ParityTolerance.Scaled(rule == "NAdam" ? 5e-6 : 5e-7);
}
