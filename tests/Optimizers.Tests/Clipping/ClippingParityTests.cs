using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Clipping;
using Optimizers.Tests.Schedules;

namespace Optimizers.Tests.Clipping;

/// <summary>Replays torch.nn.utils.clip_grad_norm_ / clip_grad_value_ results stored in Schedules/schedule_traces.json.</summary>
public class ClippingParityTests
{
    public static TheoryData<int> NormCases() => Indices("clip_grad_norm");

    public static TheoryData<int> ValueCases() => Indices("clip_grad_value");

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
