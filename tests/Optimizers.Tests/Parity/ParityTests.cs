using System.Globalization;
using System.Reflection;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace Optimizers.Tests.Parity;

/// <summary>
/// Replays the torch.optim traces in Parity/Fixtures (made by generate_traces.py, see README.md there):
/// the same initial values, gradients and learning rates must give the same parameter values after every
/// step, within 1e-12 relative.
/// </summary>
public sealed class ParityTests
{
    /// <summary>|actual − expected| ≤ RelativeTolerance · max(|expected|, Tiny).</summary>
    private const double RelativeTolerance = 1e-12;

    /// <summary>Only guards a zero expectation; the generator keeps every expected |value| ≥ 0.02.</summary>
    private const double Tiny = 1e-300;

    /// <summary>Every optimizer the fixtures must cover.</summary>
    private static readonly string[] AllOptimizers =
        ["GradientDescent", "Momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam"];

    private readonly ITestOutputHelper _output;

    public ParityTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> AllFixtures => new(ParityFixture.FileNames());

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void ReplaysTheTorchTrace(string fixtureFile)
    {
        var fixture = ParityFixture.Load(fixtureFile);
        var options = new ParityOptions(fixture.Options);

        string? failure = Replay(fixture, ParityFactories.All[fixture.Optimizer], options);

        options.Unread().Should().BeEmpty(
            "the factory for {0} must pass every option of {1} to the constructor", fixture.Optimizer, fixtureFile);
        if (failure is not null)
        {
            Assert.Fail(failure);
        }
    }

    [Fact]
    public void FixturesCoverAllTenOptimizersWithLongTraces()
    {
        var fixtures = ParityFixture.FileNames().Select(ParityFixture.Load).ToArray();

        fixtures.Select(f => f.Optimizer).Distinct().Should().BeEquivalentTo(AllOptimizers);
        foreach (var f in fixtures)
        {
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
        var inFixtures = ParityFixture.FileNames().Select(ParityFixture.OptimizerOf).ToHashSet(StringComparer.Ordinal);
        var withoutFactory = inFixtures.Where(n => !ParityFactories.All.ContainsKey(n)).Order(StringComparer.Ordinal).ToArray();
        _output.WriteLine($"{inFixtures.Count} optimizers in the fixtures; without a factory: {withoutFactory.Length}.");

        withoutFactory.Should().BeEmpty("every traced optimizer must be replayed, none skipped");
        ParityFactories.All.Keys.Should().BeSubsetOf(inFixtures, "every factory should have fixtures to replay");
    }

    [Fact]
    public void FactoryFallbacksAreTheConstructorDefaults()
    {
        foreach (var (name, factory) in ParityFactories.All)
        {
            var options = ParityOptions.Empty(requiredStandIn: 0.01);
            var optimizer = factory(TwoParameters(), options);

            optimizer.GetType().Name.Should().Be(name);
            var constructor = optimizer.GetType().GetConstructors()
                .Single(c => c.GetParameters().Length > 0 &&
                             c.GetParameters()[0].ParameterType == typeof(IEnumerable<Parameter<double>>));
            var arguments = constructor.GetParameters().Skip(1).ToArray();

            options.NamesRead.Should().BeEquivalentTo(arguments.Select(a => a.Name),
                "the {0} factory should read exactly the constructor's options", name);
            foreach (var argument in arguments.Where(a => a.HasDefaultValue))
            {
                options.FallbacksUsed.Should().ContainKey(argument.Name!,
                    "the {0} factory should fall back to the default of '{1}'", name, argument.Name);
                options.FallbacksUsed[argument.Name!].Should().Be(argument.DefaultValue,
                    "the {0} factory's fallback for '{1}' should be the constructor's default", name, argument.Name);
            }
        }
    }

    [Fact]
    public void ReplayNoticesAMomentumOffByOnePartInAMillion()
    {
        // The harness itself must be able to fail: the same trace with μ = 0.9·(1 + 1e-6) instead of 0.9.
        var fixture = ParityFixture.Load("Momentum.defaults.json");
        var options = new ParityOptions(fixture.Options);

        string? failure = Replay(fixture, (p, o) => new Momentum(p, o.Required("learningRate"), momentum: 0.9 * (1 + 1e-6)), options);

        _output.WriteLine(failure ?? "(no failure)");
        failure.Should().NotBeNull().And.Contain("Momentum").And.Contain("step 2 of 64");
    }

    /// <summary>Runs <paramref name="fixture"/> through the optimizer <paramref name="factory"/> builds;
    /// returns a description of the first value off by more than the tolerance, or null.</summary>
    private static string? Replay(ParityFixture fixture, Func<IReadOnlyList<Parameter>, ParityOptions, IOptimizer> factory,
                                  ParityOptions options)
    {
        var parameters = fixture.Parameters
            .Select(p => new Parameter(p.Name, Vector<double>.Build.Dense((double[])p.Initial.Clone())))
            .ToArray();
        var optimizer = factory(parameters, options);

        for (int t = 0; t < fixture.Steps.Count; t++)
        {
            var step = fixture.Steps[t];
            optimizer.LearningRate = step.LearningRate;
            for (int k = 0; k < parameters.Length; k++)
            {
                step.Gradients[k].Should().HaveCount(parameters[k].Length);
                for (int i = 0; i < parameters[k].Length; i++)
                {
                    parameters[k].Gradient[i] = step.Gradients[k][i];
                }
            }

            optimizer.Step();

            for (int k = 0; k < parameters.Length; k++)
            {
                for (int i = 0; i < parameters[k].Length; i++)
                {
                    double actual = parameters[k].Value[i];
                    double expected = step.Expected[k][i];
                    double difference = Math.Abs(actual - expected);
                    double scale = Math.Max(Math.Abs(expected), Tiny);
                    if (!(difference <= RelativeTolerance * scale))
                    {
                        return $"{fixture.Optimizer} case '{fixture.Case}': step {t + 1} of {fixture.Steps.Count} " +
                               $"(learning rate {R(step.LearningRate)}), parameter '{parameters[k].Name}' [{i}]: " +
                               $"expected {R(expected)} (torch), got {R(actual)}; |difference| {difference:E3}, " +
                               $"relative {difference / scale:E3} > {RelativeTolerance:E0}. Options: {options}.";
                    }
                }
            }
        }

        return null;
    }

    private static Parameter[] TwoParameters() =>
        [new Parameter("w", Vector<double>.Build.Dense(3, 0.5)), new Parameter("b", Vector<double>.Build.Dense(2, -0.5))];

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
