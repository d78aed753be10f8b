using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Optimizers.Tests.Parity.Adafactor;

/// <summary>
/// Replays the traces of the NumPy transcription of torch's <c>_single_tensor_adafactor</c> (generate_traces.py here;
/// see README.md) through <see cref="Adafactor{T}"/> over shaped parameters of <typeparamref name="T"/> (rank 2 tall,
/// wide and square, rank 1): float64 within 1e-12 relative per element, float32 within τ of each trace's largest
/// |value|; and the statistics after the last step.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class AdafactorTraceTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private protected AdafactorTraceTests(ITestOutputHelper output) => Output = output;

    public static TheoryData<string> AllFixtures => new(FileNames());

    private protected ITestOutputHelper Output { get; }

    /// <summary>How close each replayed value must be to the reference's.</summary>
    private protected abstract ParityTolerance Tolerance { get; }

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Replays_the_reference_trace(string fixtureFile)
    {
        var fixture = Load(fixtureFile);
        var options = new ParityOptions(fixture.Options);

        var (failure, worstScaled, worstRelative, optimizer) = Replay(fixture, options);

        Output.WriteLine($"Adafactor.{fixture.Case} ({fixture.Dtype}): worst |ours − reference| = {worstScaled:E2} of the " +
                         $"trace's largest |value|, {worstRelative:E2} relative element by element; tolerance {Tolerance}.");
        options.Unread().Should().BeEmpty("the factory must pass every option of {0}", fixtureFile);
        failure.Should().BeNull();

        for (int k = 0; k < fixture.Parameters.Count; k++)
        {
            var saved = fixture.FinalState[k];
            foreach (var (name, expected) in new[] { ("row_var", saved.RowVar), ("col_var", saved.ColVar), ("variance", saved.Variance) })
            {
                var actual = optimizer.GetState(name, k).ToArray().Select(double.CreateTruncating).ToArray();
                actual.Should().HaveCount(expected.Length, "{0} of parameter {1}", name, k);
                double largest = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
                for (int i = 0; i < expected.Length; i++)
                {
                    Math.Abs(actual[i] - expected[i]).Should().BeLessThanOrEqualTo(
                        Tolerance.Allowed(expected[i], largest), "{0}[{1}] of parameter {2} after the last step", name, i, k);
                }
            }
        }
    }

    [Fact]
    public void The_traces_cover_tall_wide_square_and_rank_1_parameters_and_every_option()
    {
        var fixtures = FileNames().Select(Load).ToArray();
        var shapes = fixtures.SelectMany(f => f.Parameters.Select(p => p.Shape)).ToArray();
        shapes.Should().Contain(s => s.Length == 2 && s[0] > s[1], "a tall weight");
        shapes.Should().Contain(s => s.Length == 2 && s[0] < s[1], "a wide weight");
        shapes.Should().Contain(s => s.Length == 2 && s[0] == s[1], "a square weight");
        shapes.Should().Contain(s => s.Length == 1, "a rank-1 parameter");
        var options = fixtures.SelectMany(f => f.Options.EnumerateObject().Select(p => p.Name)).ToHashSet();
        options.Should().BeEquivalentTo(["learningRate", "beta2Decay", "epsilon1", "epsilon2", "d", "weightDecay", "maximize"]);
        fixtures.Should().Contain(f => f.Case == "defaults");
        foreach (var f in fixtures)
        {
            f.Dtype.Should().Be(ElementTypes.NameOf<T>(), "{0} is in the folder of that precision", f.Case);
            f.Steps.Should().HaveCount(64, "{0} should be a long trace", f.Case);
        }
    }

    /// <summary>The factory the replay uses: every fallback is the constructor's default.</summary>
    private protected static Adafactor<T> Create(IEnumerable<Parameter<T>> parameters, ParityOptions o)
    {
        double epsilon1 = o.Double("epsilon1", double.NaN);
        return new Adafactor<T>(parameters,
            learningRate: o.Double("learningRate", 0.01),
            beta2Decay: o.Double("beta2Decay", -0.8),
            epsilon1: double.IsNaN(epsilon1) ? null : epsilon1,
            epsilon2: o.Double("epsilon2", 1e-3),
            d: o.Double("d", 1.0),
            weightDecay: o.Double("weightDecay", 0),
            maximize: o.Bool("maximize", false));
    }

    /// <summary>Runs the fixture step by step, carrying on past a failure so that the measurement covers the whole trace.</summary>
    private protected (string? Failure, double WorstScaled, double WorstRelative, Adafactor<T> Optimizer) Replay(
        AdafactorFixture fixture, ParityOptions options)
    {
        var parameters = fixture.Parameters.Select(p =>
        {
            var values = p.Initial.Select(T.CreateTruncating).ToArray();
            return p.Shape.Length == 2
                ? new Parameter<T>(p.Name, MathNet.Numerics.LinearAlgebra.Matrix<T>.Build.Dense(p.Shape[0], p.Shape[1], values))
                : new Parameter<T>(p.Name, values);
        }).ToArray();
        var optimizer = Create(parameters, options);
        double largest = fixture.Steps.SelectMany(s => s.Expected).SelectMany(v => v).Max(Math.Abs);
        double worst = 0, worstRelative = 0;
        string? failure = null;
        for (int t = 0; t < fixture.Steps.Count; t++)
        {
            var step = fixture.Steps[t];
            optimizer.LearningRate = step.LearningRate;
            for (int k = 0; k < parameters.Length; k++)
            {
                for (int i = 0; i < parameters[k].Length; i++)
                {
                    parameters[k].Gradient[i] = T.CreateTruncating(step.Gradients[k][i]);
                }
            }

            optimizer.Step();
            for (int k = 0; k < parameters.Length; k++)
            {
                for (int i = 0; i < parameters[k].Length; i++)
                {
                    double actual = double.CreateTruncating(parameters[k].Value[i]);
                    double expected = step.Expected[k][i];
                    double difference = Math.Abs(actual - expected);
                    worst = Math.Max(worst, difference);
                    worstRelative = Math.Max(worstRelative, difference / Math.Abs(expected));
                    if (failure is null && !(difference <= Tolerance.Allowed(expected, largest)))
                    {
                        failure = $"Adafactor case '{fixture.Case}' ({fixture.Dtype}): step {t + 1}, parameter '{parameters[k].Name}' [{i}]: " +
                                  $"expected {expected.ToString("R", CultureInfo.InvariantCulture)}, got {actual.ToString("R", CultureInfo.InvariantCulture)} " +
                                  $"({Tolerance}). Options: {options}.";
                    }
                }
            }
        }

        return (failure, worst / largest, worstRelative, optimizer);
    }

    private static string Directory() => Path.Combine(AppContext.BaseDirectory, "Parity", "Adafactor",
        typeof(T) == typeof(float) ? "Fixtures32" : "Fixtures");

    private static string[] FileNames() => System.IO.Directory.EnumerateFiles(Directory(), "*.json")
        .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();

    private protected static AdafactorFixture Load(string fileName)
    {
        using var stream = File.OpenRead(Path.Combine(Directory(), fileName));
        return JsonSerializer.Deserialize<AdafactorFixture>(stream, Json) ?? throw new InvalidDataException($"{fileName} holds no fixture.");
    }
}

/// <summary>An Adafactor trace: as <see cref="ParityFixture"/>, with each parameter's shape and the statistics after the last step.</summary>
public sealed class AdafactorFixture
{
    public required string Case { get; init; }

    public string Dtype { get; init; } = "float64";

    public required JsonElement Options { get; init; }

    public required IReadOnlyList<ShapedParameter> Parameters { get; init; }

    public required IReadOnlyList<FinalStatistics> FinalState { get; init; }

    public required IReadOnlyList<TraceStep> Steps { get; init; }

    /// <summary>A parameter: its shape ([n] or [rows, columns]) and its initial values, column-major.</summary>
    public sealed record ShapedParameter(string Name, int[] Shape, double[] Initial);

    /// <summary>torch's state of a parameter after the last step (empty where the parameter keeps none).</summary>
    public sealed record FinalStatistics(double[] RowVar, double[] ColVar, double[] Variance);

    /// <summary>One step: the learning rate, the gradients fed and the values expected after it (column-major).</summary>
    public sealed record TraceStep(double LearningRate, double[][] Gradients, double[][] Expected);
}

/// <summary>The float64 traces, within 1e-12 relative per element (every expected |value| ≥ 0.02, checked by the generator).</summary>
public sealed class AdafactorTraceTests_Double(ITestOutputHelper output) : AdafactorTraceTests<double>(output)
{
    private protected override ParityTolerance Tolerance => ParityTolerance.Relative(1e-12);

    [Theory]
    [InlineData("Adafactor.defaults.json", "beta2Decay")]
    [InlineData("Adafactor.wide-square-weight-decay-schedule.json", "weightDecay")]
    [InlineData("Adafactor.tall-maximize-d-beta2decay.json", "beta2Decay")]
    [InlineData("Adafactor.tall-maximize-d-beta2decay.json", "d")]
    [InlineData("Adafactor.tall-maximize-d-beta2decay.json", "epsilon2")]
    [InlineData("Adafactor.epsilon1-tiny-gradients.json", "epsilon1")]
    [InlineData("Adafactor.rank1-only.json", "d")]
    public void The_replay_notices_an_option_off_by_one_part_in_a_million(string fixtureFile, string option)
    {
        var fixture = Load(fixtureFile);
        var options = new ParityOptions(fixture.Options).Scaling(option, 1 + 1e-6);

        var (failure, _, _, _) = Replay(fixture, options);

        Output.WriteLine(failure ?? "(no failure)");
        failure.Should().NotBeNull();
    }

    [Fact]
    public void A_weight_read_transposed_does_not_replay_the_trace()
    {
        // The same storage as a 3 × 5 matrix instead of 5 × 3: the factored statistics follow the logical shape.
        var fixture = Load("Adafactor.defaults.json");
        var transposed = new AdafactorFixture
        {
            Case = fixture.Case, Dtype = fixture.Dtype, Options = fixture.Options, FinalState = fixture.FinalState, Steps = fixture.Steps,
            Parameters = fixture.Parameters.Select(p => p.Shape.Length == 2 ? p with { Shape = [p.Shape[1], p.Shape[0]] } : p).ToArray(),
        };

        Replay(transposed, new ParityOptions(fixture.Options)).Failure.Should().NotBeNull();
    }
}

/// <summary>The float32 traces, within τ = 5e-7 of each trace's largest |value|: the library's float32 tolerance (Parity/README.md).</summary>
public sealed class AdafactorTraceTests_Single(ITestOutputHelper output) : AdafactorTraceTests<float>(output)
{
    private protected override ParityTolerance Tolerance => ParityTolerance.Scaled(5e-7);
}
