using System.Numerics;
using System.Reflection;
using System.Text.Json;
using Xunit.Abstractions;

namespace Optimizers.Tests.Parity.LionLambAdopt;

/// <summary>
/// Replays the traces of the NumPy transcriptions of the authors' code for Lion, Lamb and Adopt (generate_traces.py
/// here; see README.md) through the rules over parameters of <typeparamref name="T"/>, with <see cref="ParityReplay"/>:
/// float64 within 1e-12 relative per element, float32 within τ of each trace's largest |value|.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class ReferenceTraceTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static readonly string[] Rules = ["Lion", "Lamb", "Adopt"];

    private protected ReferenceTraceTests(ITestOutputHelper output) => Output = output;

    public static TheoryData<string> AllFixtures => new(FileNames());

    private protected ITestOutputHelper Output { get; }

    /// <summary>How close each replayed value must be to the reference's.</summary>
    private protected abstract ParityTolerance Tolerance { get; }

    /// <summary>Optimizer class name → factory; every fallback is the constructor's default (checked below by reflection).</summary>
    private protected static IReadOnlyDictionary<string, Func<IReadOnlyList<Parameter<T>>, ParityOptions, Optimizer<T>>> Factories { get; } =
        new Dictionary<string, Func<IReadOnlyList<Parameter<T>>, ParityOptions, Optimizer<T>>>(StringComparer.Ordinal)
        {
            ["Lion"] = (p, o) => new Lion<T>(p,
                learningRate: o.Double("learningRate", 1e-4),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.99),
                weightDecay: o.Double("weightDecay", 0)),

            ["Lamb"] = (p, o) => new Lamb<T>(p,
                learningRate: o.Double("learningRate", 1e-3),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.999),
                epsilon: o.Double("epsilon", 1e-6),
                epsilonRoot: o.Double("epsilonRoot", 0),
                weightDecay: o.Double("weightDecay", 0)),

            ["Adopt"] = (p, o) => new Adopt<T>(p,
                learningRate: o.Double("learningRate", 1e-3),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.9999),
                epsilon: o.Double("epsilon", 1e-6),
                weightDecay: o.Double("weightDecay", 0),
                decoupled: o.Bool("decoupled", false),
                maximize: o.Bool("maximize", false)),
        };

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Replays_the_reference_trace(string fixtureFile)
    {
        var fixture = Load(fixtureFile);
        var options = new ParityOptions(fixture.Options);

        var replay = ParityReplay.Run(fixture, Factories[fixture.Optimizer], options, Tolerance);

        Output.WriteLine($"{fixture.Optimizer}.{fixture.Case} ({fixture.Dtype}): worst |ours − reference| = " +
                         $"{replay.WorstScaled:E2} of the trace's largest |value| ({replay.UlpsOfLargest:F1} ulps of it), " +
                         $"{replay.WorstRelative:E2} relative and {replay.WorstUlps} ulps element by element; tolerance {Tolerance}.");
        options.Unread().Should().BeEmpty("the factory for {0} must pass every option of {1}", fixture.Optimizer, fixtureFile);
        if (replay.Failure is not null)
        {
            Assert.Fail(replay.Failure);
        }
    }

    [Fact]
    public void The_traces_cover_each_rule_with_defaults_a_rich_case_and_a_closed_loop()
    {
        var fixtures = FileNames().Select(Load).ToArray();
        foreach (var rule in Rules)
        {
            var cases = fixtures.Where(f => f.Optimizer == rule).Select(f => f.Case).ToArray();
            cases.Should().Contain(["defaults", "rosenbrock"], rule);
            cases.Should().HaveCountGreaterThanOrEqualTo(3, rule);
        }

        foreach (var f in fixtures)
        {
            f.Dtype.Should().Be(ElementTypes.NameOf<T>(), "{0}.{1} is in the folder of that precision", f.Optimizer, f.Case);
            f.Steps.Should().HaveCount(64, "{0}.{1} should be a long trace", f.Optimizer, f.Case);
        }
    }

    [Fact]
    public void Factory_fallbacks_are_the_constructor_defaults()
    {
        foreach (var (rule, factory) in Factories)
        {
            var options = ParityOptions.Empty(requiredStandIn: 0.01);
            var optimizer = factory([new Parameter<T>("p", new T[2])], options);
            var constructor = optimizer.GetType().GetConstructors().Single();
            var declared = constructor.GetParameters().Skip(1).ToDictionary(p => p.Name!, p => p.DefaultValue);
            options.NamesRead.Should().BeEquivalentTo(declared.Keys, "the {0} factory reads every option", rule);
            foreach (var (name, fallback) in options.FallbacksUsed)
            {
                fallback.Should().Be(declared[name], "{0}'s fallback for {1} is the constructor's default", rule, name);
            }
        }
    }

    private static string Directory() => Path.Combine(AppContext.BaseDirectory, "Parity", "LionLambAdopt",
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
public sealed class ReferenceTraceTests_Double(ITestOutputHelper output) : ReferenceTraceTests<double>(output)
{
    private protected override ParityTolerance Tolerance => ParityTolerance.Relative(1e-12);

    [Theory]
    [InlineData("Lion.all-options-schedule.json", "weightDecay")]  // Lion's direction is a sign, which β₁ rarely flips
    [InlineData("Lamb.all-options-schedule.json", "beta1")]
    [InlineData("Adopt.decoupled-all-options-schedule.json", "beta1")]
    public void The_replay_notices_an_option_off_by_one_part_in_a_million(string fixtureFile, string option)
    {
        var fixture = Load(fixtureFile);
        var options = new ParityOptions(fixture.Options).Scaling(option, 1 + 1e-6);

        var replay = ParityReplay.Run(fixture, Factories[fixture.Optimizer], options, Tolerance);

        Output.WriteLine(replay.Failure ?? "(no failure)");
        replay.Failure.Should().NotBeNull();
    }
}

/// <summary>
/// The float32 traces, within τ = 5e-7 of each trace's largest |value|: the library's float32 tolerance (Parity/README.md).
/// Measured worst: see README.md here.
/// </summary>
public sealed class ReferenceTraceTests_Single(ITestOutputHelper output) : ReferenceTraceTests<float>(output)
{
    private protected override ParityTolerance Tolerance => ParityTolerance.Scaled(5e-7);
}
