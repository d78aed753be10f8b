using System.Numerics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Optimizers.Tests.ScheduleFree;

/// <summary>
/// Replays schedulefree_traces.json (written by generate_schedulefree_traces.py, a NumPy transcription of the authors'
/// code checked against an independent implementation and against the authors' own code under torch 1.13): at every
/// step the training point y after Step(), the evaluation point x after Eval(), and y again after Train().
/// float64 within 1e-12 relative, element by element; float32 within τ = 5e-7 of the trace's largest |value|
/// (the library's float32 tolerance, Parity/README.md).
/// </summary>
public sealed class ScheduleFreeTraceTests(ITestOutputHelper output)
{
    private const double Float64Relative = 1e-12;
    private const double Float32Scaled = 5e-7;

    public static TheoryData<string> Float64Cases => CaseNames("float64");

    public static TheoryData<string> Float32Cases => CaseNames("float32");

    [Theory]
    [MemberData(nameof(Float64Cases))]
    public void Float64_trace_is_replayed_within_1e_12_relative_at_both_points(string name)
    {
        var (relative, _) = Replay<double>(Case(name, "float64"));
        output.WriteLine($"{name} float64: worst relative difference {relative:G3}");
        relative.Should().BeLessThanOrEqualTo(Float64Relative);
    }

    [Theory]
    [MemberData(nameof(Float32Cases))]
    public void Float32_trace_is_replayed_within_the_float32_tolerance_at_both_points(string name)
    {
        var (_, scaled) = Replay<float>(Case(name, "float32"));
        output.WriteLine($"{name} float32: worst difference / largest |value| {scaled:G3}");
        scaled.Should().BeLessThanOrEqualTo(Float32Scaled);
    }

    [Fact]
    public void Traces_cover_both_rules_every_option_a_closed_loop_and_both_precisions()
    {
        var cases = All().ToList();
        cases.Should().HaveCount(14);
        foreach (string rule in new[] { "ScheduleFreeSgd", "ScheduleFreeAdamW" })
        {
            var names = cases.Where(c => Str(c, "optimizer") == rule).Select(c => Str(c, "case")).ToList();
            names.Should().Contain(["defaults", "all-options", "rosenbrock"]);
        }

        // The all-options cases set every constructor option to a non-default value.
        foreach (var (rule, type) in new[] { ("ScheduleFreeSgd", typeof(ScheduleFreeSgd<double>)), ("ScheduleFreeAdamW", typeof(ScheduleFreeAdamW<double>)) })
        {
            var options = cases.First(c => Str(c, "optimizer") == rule && Str(c, "case") == "all-options").GetProperty("options");
            var constructor = type.GetConstructors().Single();
            foreach (var p in constructor.GetParameters().Skip(1))
            {
                options.TryGetProperty(p.Name!, out var value).Should().BeTrue($"{rule} all-options sets {p.Name}");
                value.GetDouble().Should().NotBe(Convert.ToDouble(p.DefaultValue), $"{rule} all-options changes {p.Name}");
            }
        }

        // The Python reference agreed with the independent implementation and with the authors' code.
        foreach (var c in cases.Where(c => Str(c, "dtype") == "float64"))
        {
            c.GetProperty("independentMaxRelativeDifference").GetDouble().Should().BeLessThan(1e-12);
            c.GetProperty("authorsMaxRelativeDifference").GetDouble().Should().BeLessThan(1e-13);
        }
    }

    /// <summary>Replays one trace; returns the worst relative difference and the worst difference scaled by the trace's largest |value|.</summary>
    private static (double Relative, double Scaled) Replay<T>(JsonElement trace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameters = trace.GetProperty("parameters").EnumerateArray()
            .Select(p => new Parameter<T>(p.GetProperty("name").GetString()!, Doubles(p.GetProperty("initial")).Select(T.CreateChecked).ToArray()))
            .ToList();
        var optimizer = Create<T>(Str(trace, "optimizer"), trace.GetProperty("options"), parameters);
        var steps = trace.GetProperty("steps").EnumerateArray().ToList();
        double largest = steps.SelectMany(s => new[] { "train", "eval", "trainAfter" }.SelectMany(k => s.GetProperty(k).EnumerateArray()))
            .SelectMany(Doubles).Max(Math.Abs);
        double relative = 0, scaled = 0;
        int t = 0;
        foreach (var step in steps)
        {
            t++;
            optimizer.LearningRate = step.GetProperty("learningRate").GetDouble();
            var gradients = step.GetProperty("gradients").EnumerateArray().ToList();
            for (int i = 0; i < parameters.Count; i++)
            {
                var g = Doubles(gradients[i]);
                for (int j = 0; j < g.Length; j++)
                {
                    parameters[i].Gradient[j] = T.CreateChecked(g[j]);
                }
            }

            optimizer.Step();
            Compare("train");
            optimizer.Eval();
            Compare("eval");
            optimizer.Train();
            Compare("trainAfter");

            void Compare(string point)
            {
                var expected = step.GetProperty(point).EnumerateArray().ToList();
                for (int i = 0; i < parameters.Count; i++)
                {
                    var e = Doubles(expected[i]);
                    for (int j = 0; j < e.Length; j++)
                    {
                        double a = double.CreateChecked(parameters[i].Value[j]);
                        double d = Math.Abs(a - e[j]);
                        relative = Math.Max(relative, d / Math.Abs(e[j]));
                        scaled = Math.Max(scaled, d / largest);
                        if (typeof(T) == typeof(double))
                        {
                            d.Should().BeLessThanOrEqualTo(Float64Relative * Math.Abs(e[j]), $"step {t}, {point}, {parameters[i].Name}[{j}]");
                        }
                    }
                }
            }
        }

        return (relative, scaled);
    }

    /// <summary>Builds the rule with the trace's options by name; an absent option takes the constructor's default.</summary>
    internal static ScheduleFreeOptimizer<T> Create<T>(string rule, JsonElement options, IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double D(string name, double fallback) => options.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
        int I(string name) => options.TryGetProperty(name, out var v) ? v.GetInt32() : 0;
        return rule switch
        {
            "ScheduleFreeSgd" => new ScheduleFreeSgd<T>(parameters, D("learningRate", 1.0), D("momentum", 0.9), D("weightDecay", 0),
                                                        I("warmupSteps"), D("r", 0), D("weightLrPower", 2)),
            "ScheduleFreeAdamW" => new ScheduleFreeAdamW<T>(parameters, D("learningRate", 0.0025), D("beta1", 0.9), D("beta2", 0.999),
                                                            D("epsilon", 1e-8), D("weightDecay", 0), I("warmupSteps"), D("r", 0),
                                                            D("weightLrPower", 2)),
            _ => throw new ArgumentException($"Unknown rule {rule}.", nameof(rule)),
        };
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static TheoryData<string> CaseNames(string dtype)
    {
        var data = new TheoryData<string>();
        foreach (var c in All().Where(c => Str(c, "dtype") == dtype))
        {
            data.Add($"{Str(c, "optimizer")}.{Str(c, "case")}");
        }

        return data;
    }

    private static JsonElement Case(string name, string dtype)
        => All().Single(c => $"{Str(c, "optimizer")}.{Str(c, "case")}" == name && Str(c, "dtype") == dtype);

    private static IEnumerable<JsonElement> All() => Traces.Value;

    /// <summary>The file's cases, parsed once for all the tests.</summary>
    private static readonly Lazy<IReadOnlyList<JsonElement>> Traces = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ScheduleFree", "schedulefree_traces.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToList();
    });
}
