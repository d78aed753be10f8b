using System.Text.Json;

namespace Optimizers.Tests.Wrappers;

/// <summary>
/// Replays the traces of Wrappers/wrapper_traces.py (a NumPy transcription of Optax's <c>lookahead</c> and
/// <c>MultiSteps</c>, checked there against a second implementation within 1e-12 relative): open-loop gradients with
/// scales from 1e-2 to 10 and closed loops on Rosenbrock, inner rules Adam and Momentum. Every call, every fast
/// weight (the parameters) and every slow weight must be within 1e-12 relative of the trace.
/// </summary>
public sealed class WrapperTraceTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<string> Traces() => new(
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Wrappers", "Traces"), "*.json").Select(Path.GetFileNameWithoutExtension)!);

    [Fact]
    public void Every_trace_is_present()
    {
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Wrappers", "Traces"), "*.json").Should().HaveCount(6);
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Replays_within_1e_12_relative(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Wrappers", "Traces", name + ".json")));
        var root = document.RootElement;
        double[] theta0 = Doubles(root.GetProperty("theta0"));
        var p = new Parameter("theta", (double[])theta0.Clone());
        double lr = root.GetProperty("lr").GetDouble();
        Optimizer<double> rule = root.GetProperty("inner").GetString() == "Adam"
            ? new Adam([p], lr)
            : new Momentum([p], lr, momentum: root.GetProperty("momentum").GetDouble());
        OptimizerWrapper<double> wrapper = root.GetProperty("wrapper").GetString() == "Lookahead"
            ? new Lookahead(rule, root.GetProperty("k").GetInt32(), root.GetProperty("alpha").GetDouble())
            : new GradientAccumulation(rule, root.GetProperty("every").GetInt32());

        var gradients = root.GetProperty("gradients");
        var fast = root.GetProperty("fast");
        var slow = root.GetProperty("slow");
        int calls = root.GetProperty("calls").GetInt32();
        double worst = 0;
        for (int call = 0; call < calls; call++)
        {
            double[] g = gradients.ValueKind == JsonValueKind.Null ? Rosenbrock(p.Value.AsArray()) : Doubles(gradients[call]);
            g.AsSpan().CopyTo(p.Gradient.AsArray());
            wrapper.Step();

            worst = Math.Max(worst, Check(p.Value.AsArray(), Doubles(fast[call]), $"{name}: fast weights after call {call + 1}"));
            if (wrapper is Lookahead lookahead)
            {
                worst = Math.Max(worst, Check(lookahead.GetSlowWeights(0).ToArray(), Doubles(slow[call]), $"{name}: slow weights after call {call + 1}"));
            }
        }

        worst.Should().BeLessThanOrEqualTo(Tolerance);
    }

    private static double Check(double[] actual, double[] expected, string what)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double relative = Math.Abs(actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), 1e-300);
            relative.Should().BeLessThanOrEqualTo(Tolerance, $"{what}, element {i}: {actual[i]:R} against {expected[i]:R}");
            worst = Math.Max(worst, relative);
        }

        return worst;
    }

    private static double[] Rosenbrock(double[] theta)
    {
        double x = theta[0], y = theta[1];
        return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
