using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;
using Xunit.Abstractions;

namespace Optimizers.Tests.Parity;

/// <summary>
/// Replays the torch.optim traces of one precision (made by generate_traces.py, see README.md here) through the rules
/// over parameters of <typeparamref name="T"/>: the same initial values, gradients and learning rates must give the
/// same parameter values after every step, within <see cref="ToleranceFor"/> the rule. <see cref="Float64ParityTests"/>
/// runs the float64 fixtures, <see cref="Float32ParityTests"/> the float32 ones, with the same code.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class ParityTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// How far below its tolerance each rule's measured agreement must stay: the tolerances are chosen from the
    /// measurement with this margin (see README.md), and <see cref="MeasuredAgreementWithTorchPerRule"/> keeps that true.
    /// </summary>
    private const double Margin = 5;

    /// <summary>Every optimizer the fixtures must cover.</summary>
    private static readonly string[] AllOptimizers =
        ["GradientDescent", "Momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD"];

    private protected ParityTests(ITestOutputHelper output) => Output = output;

    public static TheoryData<string> AllFixtures => new(ParityFixture.FileNames<T>());

    /// <summary>The rules with an ε.</summary>
    public static TheoryData<string> RulesWithEpsilon => new(
        AllOptimizers.Where(name => Factories[name](TwoParameters(), ParityOptions.Empty(requiredStandIn: 0.01))
                                        .GetType().GetProperty("Epsilon") is not null));

    private protected ITestOutputHelper Output { get; }

    private protected static IReadOnlyDictionary<string, Func<IReadOnlyList<Parameter<T>>, ParityOptions, Optimizer<T>>> Factories
        => ParityFactories<T>.All;

    /// <summary>How close each value of a trace of <paramref name="rule"/> must be to torch's.</summary>
    private protected abstract ParityTolerance ToleranceFor(string rule);

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void ReplaysTheTorchTrace(string fixtureFile)
    {
        var fixture = ParityFixture.Load<T>(fixtureFile);
        var options = new ParityOptions(fixture.Options);

        var tolerance = ToleranceFor(fixture.Optimizer);
        var replay = ParityReplay.Run(fixture, Factories[fixture.Optimizer], options, tolerance);

        Output.WriteLine($"{fixture.Optimizer}.{fixture.Case} ({fixture.Dtype}): worst |ours − torch| = " +
                         $"{replay.WorstScaled:E2} of the trace's largest |value| ({replay.UlpsOfLargest:F1} ulps of it), " +
                         $"{replay.WorstRelative:E2} relative and {replay.WorstUlps} ulps element by element; tolerance {tolerance}.");
        options.Unread().Should().BeEmpty(
            "the factory for {0} must pass every option of {1} to the constructor", fixture.Optimizer, fixtureFile);
        if (replay.Failure is not null)
        {
            Assert.Fail(replay.Failure);
        }
    }

    [Fact]
    public void FixturesCoverAllTenOptimizersWithLongTraces()
    {
        var fixtures = ParityFixture.FileNames<T>().Select(ParityFixture.Load<T>).ToArray();

        fixtures.Select(f => f.Optimizer).Distinct().Should().BeEquivalentTo(AllOptimizers);
        foreach (var f in fixtures)
        {
            f.Dtype.Should().Be(typeof(T) == typeof(float) ? "float32" : "float64", "{0}.{1} is in the folder of that precision", f.Optimizer, f.Case);
            f.Steps.Should().HaveCountGreaterThanOrEqualTo(60, "{0}.{1} should be a long trace", f.Optimizer, f.Case);
            f.Parameters.Should().HaveCount(2);
            f.Parameters[0].Initial.Length.Should().NotBe(f.Parameters[1].Initial.Length,
                "the two parameters of {0}.{1} should differ in length", f.Optimizer, f.Case);
        }

        foreach (var name in AllOptimizers)
        {
            fixtures.Count(f => f.Optimizer == name).Should().BeGreaterThanOrEqualTo(2,
                "{0} should be traced with its defaults and with other options", name);
        }
    }

    [Fact]
    public void EveryFixtureHasAFactoryAndEveryFactoryHasFixtures()
    {
        var inFixtures = ParityFixture.FileNames<T>().Select(ParityFixture.OptimizerOf<T>).ToHashSet(StringComparer.Ordinal);
        var withoutFactory = inFixtures.Where(n => !Factories.ContainsKey(n)).Order(StringComparer.Ordinal).ToArray();
        Output.WriteLine($"{inFixtures.Count} optimizers in the fixtures; without a factory: {withoutFactory.Length}.");

        withoutFactory.Should().BeEmpty("every traced optimizer must be replayed, none skipped");
        Factories.Keys.Should().BeSubsetOf(inFixtures, "every factory should have fixtures to replay");
    }

    /// <summary>The ASGD fixtures, whose headers carry torch's final averages.</summary>
    public static TheoryData<string> AsgdFixtures => new(ParityFixture.FileNames<T>().Where(f => f.StartsWith("ASGD.", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(AsgdFixtures))]
    public void AsgdAveragesMatchTorchsAfterTheLastStep(string fixtureFile)
    {
        // The trace compares θ at every step; the averaged parameters ("ax") are compared once, after the last step,
        // against torch's state['ax'], with the same tolerance relative to their own largest |value|.
        var fixture = ParityFixture.Load<T>(fixtureFile);
        fixture.FinalAverages.Should().NotBeNull();
        var parameters = fixture.Parameters.Select(p => new Parameter<T>(p.Name, p.Initial.Select(T.CreateTruncating).ToArray())).ToArray();
        var optimizer = (ASGD<T>)Factories["ASGD"](parameters, new ParityOptions(fixture.Options));
        foreach (var step in fixture.Steps)
        {
            optimizer.LearningRate = step.LearningRate;
            for (int k = 0; k < parameters.Length; k++)
            {
                step.Gradients[k].Select(T.CreateTruncating).ToArray().CopyTo(parameters[k].GradientArray, 0);
            }

            optimizer.Step();
        }

        var tolerance = ToleranceFor("ASGD");
        double largest = fixture.FinalAverages!.SelectMany(a => a).Max(Math.Abs);
        double worst = 0;
        for (int k = 0; k < parameters.Length; k++)
        {
            var averages = optimizer.GetState("ax", k).ToArray();
            for (int i = 0; i < averages.Length; i++)
            {
                double expected = double.CreateTruncating(T.CreateTruncating(fixture.FinalAverages[k][i]));
                double difference = Math.Abs(double.CreateTruncating(averages[i]) - expected);
                worst = Math.Max(worst, difference / largest);
                difference.Should().BeLessThanOrEqualTo(tolerance.Allowed(expected, largest),
                    "ax of '{0}' [{1}] after step {2} ({3})", parameters[k].Name, i, fixture.Steps.Count, tolerance);
            }
        }

        Output.WriteLine($"{fixtureFile}: averages within {worst:E2} of the largest |ax|");
    }

    [Fact]
    public void FactoryFallbacksAreTheConstructorDefaults()
    {
        foreach (var (name, factory) in Factories)
        {
            var options = ParityOptions.Empty(requiredStandIn: 0.01);
            var optimizer = factory(TwoParameters(), options);

            var type = optimizer.GetType();
            type.IsGenericType.Should().BeTrue();
            type.GetGenericTypeDefinition().Name.Should().Be(name + "`1");
            var arguments = ConstructorArguments(type);

            options.NamesRead.Should().BeEquivalentTo(arguments.Select(a => a.Name),
                "the {0} factory should read exactly the constructor's options", name);
            foreach (var argument in arguments.Where(a => a.HasDefaultValue))
            {
                options.FallbacksUsed.Should().ContainKey(argument.Name!,
                    "the {0} factory should fall back to the default of '{1}'", name, argument.Name);
                options.FallbacksUsed[argument.Name!].Should().Be(argument.DefaultValue,
                    "the {0} factory's fallback for '{1}' should be the constructor's default", name, argument.Name);
            }

            // The double rule under its short name (new Adam(…)) is the one users call: same options, same defaults.
            var shortName = typeof(Optimizer).Assembly.GetType($"Optimizers.{name}", throwOnError: true)!;
            ConstructorArguments(shortName).Select(a => (a.Name, a.ParameterType, a.HasDefaultValue, a.DefaultValue))
                .Should().Equal(ConstructorArguments(typeof(Optimizer).Assembly.GetType($"Optimizers.{name}`1")!
                                                         .MakeGenericType(typeof(double)))
                                    .Select(a => (a.Name, a.ParameterType, a.HasDefaultValue, a.DefaultValue)),
                                "{0} and {0}<double> should take the same options with the same defaults", name);
        }
    }

    [Theory]
    [MemberData(nameof(RulesWithEpsilon))]
    public void HalvingEpsilonFailsTheReplayOfSomeCase(string rule)
    {
        // ε added in the wrong place (inside or outside a root, before or after a maximum) moves a trace about as much
        // as halving it; at least one trace of every rule with ε must notice.
        var failing = new List<string>();
        foreach (var fixture in ParityFixture.FileNames<T>().Select(ParityFixture.Load<T>).Where(f => f.Optimizer == rule))
        {
            var replay = ParityReplay.Run(fixture, Factories[rule], new ParityOptions(fixture.Options).Scaling("epsilon", 0.5),
                                          ToleranceFor(rule));
            string recorded = fixture.EpsilonHalvedScaledDifference is { } moved
                ? string.Create(CultureInfo.InvariantCulture, $"; the generator's reference moves {moved:E2} of the largest |value|")
                : string.Empty;
            Output.WriteLine($"{rule}.{fixture.Case} with ε/2: {(replay.Failure is null ? "passes" : "fails")}, " +
                             $"worst {replay.WorstScaled:E2} of the largest |value|{recorded}.");
            if (replay.Failure is not null)
            {
                failing.Add(fixture.Case);
            }
        }

        failing.Should().NotBeEmpty("some {0} trace must tell ε from ε/2 at tolerance {1}", rule, ToleranceFor(rule));
    }

    [Fact]
    public void MeasuredAgreementWithTorchPerRule()
    {
        // The measurement the tolerances were chosen from, per rule (the worst over its traces) and per trace; each
        // rule must stay Margin times inside its tolerance, in the tolerance's own measure.
        var rows = ParityFixture.FileNames<T>().Select(ParityFixture.Load<T>)
            .Select(f => (Fixture: f, Replay: ParityReplay.Run(f, Factories[f.Optimizer], new ParityOptions(f.Options),
                                                               ToleranceFor(f.Optimizer))))
            .ToArray();

        var table = new StringBuilder();
        table.AppendLine($"{ElementName}: worst |ours − torch| per rule; scaled = relative to the trace's largest |value|");
        table.AppendLine("rule             scaled    ulps of largest  relative  max ulps | torch vs reference: scaled  max ulps | tolerance");
        var tooClose = new List<string>();
        foreach (var rule in rows.GroupBy(r => r.Fixture.Optimizer))
        {
            var tolerance = ToleranceFor(rule.Key);
            double worst = rule.Max(r => tolerance.PerElement ? r.Replay.WorstRelative : r.Replay.WorstScaled);
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{rule.Key,-16} {rule.Max(r => r.Replay.WorstScaled),8:E2} {rule.Max(r => r.Replay.UlpsOfLargest),16:F1} " +
                $"{rule.Max(r => r.Replay.WorstRelative),9:E2} {rule.Max(r => r.Replay.WorstUlps),9} | " +
                $"{rule.Max(r => r.Fixture.ReferenceMaxScaledDifference ?? 0),26:E2} {rule.Max(r => r.Fixture.ReferenceMaxUlps ?? 0),9} | {tolerance}"));
            if (!(worst * Margin <= tolerance.Bound))
            {
                tooClose.Add($"{rule.Key}: worst {worst:E2} is not {Margin} times inside {tolerance}");
            }
        }

        foreach (var (fixture, replay) in rows)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {fixture.Optimizer}.{fixture.Case}: scaled {replay.WorstScaled:E2} ({replay.UlpsOfLargest:F1} ulps of the largest), " +
                $"relative {replay.WorstRelative:E2}, {replay.WorstUlps} ulps"));
        }

        Output.WriteLine(table.ToString());
        rows.Select(r => r.Replay.Failure).OfType<string>().Should().BeEmpty();
        tooClose.Should().BeEmpty("the tolerances keep a margin of {0} over the measured agreement (Parity/README.md)", Margin);
    }

    private static string ElementName => typeof(T) == typeof(float) ? "float32" : "float64";

    private static ParameterInfo[] ConstructorArguments(Type type)
    {
        var constructor = type.GetConstructors().Single(c =>
        {
            var p = c.GetParameters();
            return p.Length > 0 && p[0].ParameterType.IsGenericType &&
                   p[0].ParameterType.GetGenericTypeDefinition() == typeof(IEnumerable<>);
        });
        return constructor.GetParameters().Skip(1).ToArray();
    }

    private protected static Parameter<T>[] TwoParameters() =>
        [new("w", [T.CreateTruncating(0.5), T.CreateTruncating(0.5), T.CreateTruncating(0.5)]),
         new("b", [T.CreateTruncating(-0.5), T.CreateTruncating(-0.5)])];
}
