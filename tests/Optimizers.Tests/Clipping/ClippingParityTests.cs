using System.Globalization;
using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Clipping;
using Optimizers.Tests.Parity;
using Optimizers.Tests.Schedules;
using Xunit.Abstractions;

namespace Optimizers.Tests.Clipping;

/// <summary>Replays torch.nn.utils.clip_grad_norm_ / clip_grad_value_ results stored in Schedules/schedule_traces.json.</summary>
/// <remarks>
/// The float32 sections hold torch's float32 results and, for the norm, what a norm accumulated in double gives
/// (<c>total_norm_double</c>, <c>clipped_double_norm</c>): the library accumulates in double whatever the element type
/// (see <see cref="GradientClipping.ClipByGlobalNorm{T}"/>), so it must give those, and agree with torch's float32
/// results within the bounds below.
/// </remarks>
public class ClippingParityTests
{
    /// <summary>
    /// Our norm against torch's float64 norm of the same float32 gradients: |ours − torch| ≤ this·torch. Both are sums
    /// of 26 terms in double, in different orders; measured: equal in eight cases, 1.3e-16 (one double ulp) for p = 3.
    /// </summary>
    private const double DoubleNormTolerance = 1e-15;

    /// <summary>
    /// Our norm rounded to float32 against torch's float32 norm, in float32 ulps; measured: at most 1. torch's float32
    /// sum drifts with the number of elements (the generator measured 110 ulps for 10⁶), so this holds for these
    /// 26-element cases, not in general.
    /// </summary>
    private const long Float32NormUlps = 4;

    /// <summary>
    /// Our clipped float32 gradients against torch's float32 ones, in float32 ulps; measured: at most 3 (torch's
    /// coefficient carries the float32 rounding of its norm, of the + 1e-6 and of its reciprocal).
    /// </summary>
    private const long ClippedUlps = 8;

    private readonly ITestOutputHelper _output;

    public ClippingParityTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<int> NormCases() => Indices("clip_grad_norm");

    public static TheoryData<int> ValueCases() => Indices("clip_grad_value");

    public static TheoryData<int> Float32NormCases() => Indices("clip_grad_norm_float32");

    public static TheoryData<int> Float32ValueCases() => Indices("clip_grad_value_float32");

    [Theory]
    [MemberData(nameof(NormCases))]
    public void ClipByGlobalNorm_equals_torch(int index)
    {
        var c = ScheduleTraces.Section("clip_grad_norm")[index];
        var parameters = WithGradients(c.GetProperty("grads"));
        var normType = c.GetProperty("norm_type");
        double p = normType.ValueKind == JsonValueKind.String ? double.PositiveInfinity : normType.GetDouble();
        double expectedTotal = c.GetProperty("total_norm").GetDouble();

        double total = GradientClipping.ClipByGlobalNorm(parameters, c.GetProperty("max_norm").GetDouble(), p);

        ScheduleTraces.Close(total, expectedTotal).Should().BeTrue($"torch {expectedTotal:R}, got {total:R}");
        ExpectGradients(parameters, c.GetProperty("clipped"));
    }

    [Theory]
    [MemberData(nameof(ValueCases))]
    public void ClipByValue_equals_torch(int index)
    {
        var c = ScheduleTraces.Section("clip_grad_value")[index];
        var parameters = WithGradients(c.GetProperty("grads"));

        GradientClipping.ClipByValue(parameters, c.GetProperty("clip_value").GetDouble());

        ExpectGradients(parameters, c.GetProperty("clipped"));
    }

    [Theory]
    [MemberData(nameof(Float32NormCases))]
    public void ClipByGlobalNorm_float32_accumulates_in_double_and_agrees_with_torch(int index)
    {
        var c = ScheduleTraces.Section("clip_grad_norm_float32")[index];
        var parameters = WithGradients<float>(c.GetProperty("grads"));
        var normType = c.GetProperty("norm_type");
        double p = normType.ValueKind == JsonValueKind.String ? double.PositiveInfinity : normType.GetDouble();
        double torchDouble = c.GetProperty("total_norm_double").GetDouble();
        float torchFloat = (float)c.GetProperty("total_norm").GetDouble();

        double total = GradientClipping.ClipByGlobalNorm(parameters, c.GetProperty("max_norm").GetDouble(), p);

        var clipped = parameters.SelectMany(q => q.Gradient).ToArray();
        var doubleNorm = Floats(c.GetProperty("clipped_double_norm"));
        var torch = Floats(c.GetProperty("clipped"));
        long normUlps = Ulps.Between((float)total, torchFloat);
        long clippedUlps = clipped.Zip(torch, Ulps.Between).Max();
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"case {index} (p = {p}): norm {total:R}, {Math.Abs(total - torchDouble) / torchDouble:E1} relative from torch's float64 norm, " +
            $"{normUlps} float32 ulps from torch's float32 norm {torchFloat:R}; clipped gradients {clippedUlps} ulps from torch's float32 ones, " +
            $"{clipped.Zip(doubleNorm, Ulps.Between).Max()} from the double-norm ones"));

        Math.Abs(total - torchDouble).Should().BeLessThanOrEqualTo(DoubleNormTolerance * torchDouble,
            "the norm is accumulated in double: torch's float64 norm of the same float32 values is {0:R}", torchDouble);
        normUlps.Should().BeLessThanOrEqualTo(Float32NormUlps, "torch's float32 norm is {0:R}", torchFloat);
        clipped.Should().Equal(doubleNorm, "each float32 gradient is multiplied by c = maxNorm / (norm + 1e-6) formed in double and rounded to float32 once");
        clippedUlps.Should().BeLessThanOrEqualTo(ClippedUlps);
    }

    [Theory]
    [MemberData(nameof(Float32ValueCases))]
    public void ClipByValue_float32_equals_torch_bit_for_bit(int index)
    {
        var c = ScheduleTraces.Section("clip_grad_value_float32")[index];
        var parameters = WithGradients<float>(c.GetProperty("grads"));

        GradientClipping.ClipByValue(parameters, c.GetProperty("clip_value").GetDouble());

        parameters.SelectMany(q => q.Gradient).Select(BitConverter.SingleToInt32Bits)
            .Should().Equal(Floats(c.GetProperty("clipped")).Select(BitConverter.SingleToInt32Bits));
    }

    private static TheoryData<int> Indices(string section)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < ScheduleTraces.Section(section).GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static Parameter[] WithGradients(JsonElement grads) => grads.EnumerateArray().Select((g, i) =>
    {
        double[] values = ScheduleTraces.Doubles(g);
        var parameter = new Parameter($"p{i}", Vector<double>.Build.Dense(values.Length));
        Vector<double>.Build.Dense(values).CopyTo(parameter.Gradient);
        return parameter;
    }).ToArray();

    private static Parameter<T>[] WithGradients<T>(JsonElement grads)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => grads.EnumerateArray().Select((g, i) =>
    {
        var parameter = new Parameter<T>($"p{i}", new T[g.GetArrayLength()]);
        int j = 0;
        foreach (var value in g.EnumerateArray())
        {
            parameter.Gradient[j++] = T.CreateTruncating(value.GetDouble());
        }

        return parameter;
    }).ToArray();

    /// <summary>The float32 values of a list of gradient lists, flattened (each written as the double it equals).</summary>
    private static float[] Floats(JsonElement rows) =>
        rows.EnumerateArray().SelectMany(ScheduleTraces.Doubles).Select(x => (float)x).ToArray();

    private static void ExpectGradients(Parameter[] parameters, JsonElement expected)
    {
        var rows = expected.EnumerateArray().Select(ScheduleTraces.Doubles).ToArray();
        rows.Should().HaveCount(parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            for (int j = 0; j < rows[i].Length; j++)
            {
                ScheduleTraces.Close(parameters[i].Gradient[j], rows[i][j]).Should()
                    .BeTrue($"gradient {i}[{j}]: torch {rows[i][j]:R}, got {parameters[i].Gradient[j]:R}");
            }
        }
    }
}
