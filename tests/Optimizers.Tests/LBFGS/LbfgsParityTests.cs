using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace Optimizers.Tests.Lbfgs;

/// <summary>
/// Closed-loop traces of torch.optim.LBFGS (torch 1.13, made by generate_lbfgs_traces.py) replayed: the same problem,
/// options and learning rate per step; every step must return the same first loss and reach the same cumulative
/// evaluation and iteration counts, and the parameters must agree within the tolerance.
/// </summary>
public abstract class LbfgsParityTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ITestOutputHelper _output;

    protected LbfgsParityTests(ITestOutputHelper output) => _output = output;

    /// <summary>The folder of this precision's fixtures.</summary>
    protected abstract string Folder { get; }

    /// <summary>Checks one value; <paramref name="scale"/> is the largest |expected| of the trace.</summary>
    protected abstract bool Agrees(double actual, double expected, double scale);

    /// <summary>The worst disagreement, in the measure <see cref="Agrees"/> uses.</summary>
    protected abstract double Disagreement(double actual, double expected, double scale);

    protected static TheoryData<string> CasesIn(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "LBFGS", folder), "LBFGS.*.json").Order())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    protected void Replays(string fileName)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "LBFGS", Folder, fileName)));
        var root = json.RootElement;
        var parameters = root.GetProperty("parameters").EnumerateArray()
            .Select(p => new Parameter<T>(p.GetProperty("name").GetString()!,
                                          p.GetProperty("initial").EnumerateArray().Select(v => T.CreateTruncating(v.GetDouble())).ToArray()))
            .ToArray();
        var options = root.GetProperty("options");
        double Option(string name, double fallback) => options.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
        var lbfgs = new LBFGS<T>(parameters,
            learningRate: Option("learningRate", 1),
            maxIterations: (int)Option("maxIterations", 20),
            maxEvaluations: options.TryGetProperty("maxEvaluations", out var me) ? me.GetInt32() : null,
            toleranceGrad: Option("toleranceGrad", 1e-7),
            toleranceChange: Option("toleranceChange", 1e-9),
            historySize: (int)Option("historySize", 100),
            lineSearch: options.TryGetProperty("lineSearch", out var ls) ? Enum.Parse<LineSearch>(ls.GetString()!) : LineSearch.None);

        double[][]? x = null;
        double[]? y = null;
        if (root.GetProperty("data").ValueKind == JsonValueKind.Object)
        {
            x = root.GetProperty("data").GetProperty("X").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
            y = root.GetProperty("data").GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        }

        var closure = LbfgsProblems<T>.Closure(root.GetProperty("problem").GetString()!, parameters, x, y);
        var steps = root.GetProperty("steps").EnumerateArray().ToArray();
        double scale = steps.SelectMany(s => s.GetProperty("expected").EnumerateArray().SelectMany(r => r.EnumerateArray()))
            .Max(v => Math.Abs(v.GetDouble()));
        double worst = 0;
        for (int step = 0; step < steps.Length; step++)
        {
            var expected = steps[step];
            lbfgs.LearningRate = expected.GetProperty("learningRate").GetDouble();
            double loss = lbfgs.Step(closure);
            string where = $"{fileName}, step {step + 1}";
            lbfgs.FunctionEvaluations.Should().Be(expected.GetProperty("functionEvaluations").GetInt64(), where);
            lbfgs.Iterations.Should().Be(expected.GetProperty("iterations").GetInt64(), where);
            double expectedLoss = expected.GetProperty("loss").GetDouble();
            Agrees(loss, expectedLoss, Math.Abs(expectedLoss)).Should().BeTrue($"{where}: loss {loss:R} against torch's {expectedLoss:R}");
            worst = Math.Max(worst, Disagreement(loss, expectedLoss, Math.Abs(expectedLoss)));
            var rows = expected.GetProperty("expected").EnumerateArray().ToArray();
            for (int p = 0; p < parameters.Length; p++)
            {
                var values = rows[p].EnumerateArray().Select(v => v.GetDouble()).ToArray();
                for (int i = 0; i < values.Length; i++)
                {
                    double actual = double.CreateTruncating(parameters[p].Value[i]);
                    Agrees(actual, values[i], scale).Should().BeTrue(
                        $"{where}: {parameters[p].Name}[{i}] = {actual:R}, torch {values[i]:R}");
                    worst = Math.Max(worst, Disagreement(actual, values[i], scale));
                }
            }
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Folder}/{fileName}: worst disagreement {worst:E2}"));
    }
}

/// <summary>float64: every value within 1e-12 relative to itself (the loss and each parameter element).</summary>
public sealed class LbfgsFloat64ParityTests : LbfgsParityTests<double>
{
    public LbfgsFloat64ParityTests(ITestOutputHelper output)
        : base(output)
    {
    }

    public static TheoryData<string> Cases => CasesIn("Fixtures");

    protected override string Folder => "Fixtures";

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReplaysTorchsClosedLoop(string fileName) => Replays(fileName);

    protected override bool Agrees(double actual, double expected, double scale)
        => Math.Abs(actual - expected) <= 1e-12 * Math.Max(Math.Abs(expected), 1e-300);

    protected override double Disagreement(double actual, double expected, double scale)
        => Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);
}

/// <summary>float32: within τ = 5e-7 of the trace's largest |value| (the float32 parity tolerance, Parity/README.md).</summary>
public sealed class LbfgsFloat32ParityTests : LbfgsParityTests<float>
{
    public LbfgsFloat32ParityTests(ITestOutputHelper output)
        : base(output)
    {
    }

    public static TheoryData<string> Cases => CasesIn("Fixtures32");

    protected override string Folder => "Fixtures32";

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReplaysTorchsClosedLoop(string fileName) => Replays(fileName);

    protected override bool Agrees(double actual, double expected, double scale)
        => Math.Abs(actual - expected) <= 5e-7 * Math.Max(scale, 1e-30);

    protected override double Disagreement(double actual, double expected, double scale)
        => Math.Abs(actual - expected) / Math.Max(scale, 1e-30);
}
