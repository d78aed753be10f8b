using System.Numerics;
using Optimizers.Averaging;
using Optimizers.Checkpoints;
using Optimizers.Tests.Schedules;

namespace Optimizers.Tests.Averaging;

/// <summary>
/// <see cref="AveragedParameters{T}"/> against torch 1.13's <c>AveragedModel</c> (the "averaged" section of
/// schedule_traces.json: SWA and EMA, float64 and float32), by hand, swapping, refusals and resuming.
/// </summary>
public class AveragedParametersTests
{
    public static TheoryData<int, string, string> Cases()
    {
        var data = new TheoryData<int, string, string>();
        int i = 0;
        foreach (var run in ScheduleTraces.Section("averaged").EnumerateArray())
        {
            var decay = run.GetProperty("decay");
            data.Add(i++, run.GetProperty("dtype").GetString()!, decay.ValueKind == System.Text.Json.JsonValueKind.Null ? "SWA" : $"EMA {decay.GetDouble()}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Averages_equal_torch_AveragedModel(int index, string elementType, string kind)
    {
        if (elementType == "float32")
        {
            Replay<float>(index, kind);
        }
        else
        {
            Replay<double>(index, kind);
        }
    }

    private static void Replay<T>(int index, string kind)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var run = ScheduleTraces.Section("averaged")[index];
        var decay = run.GetProperty("decay");
        var values = run.GetProperty("values").EnumerateArray().ToArray();
        var averages = run.GetProperty("averages").EnumerateArray().ToArray();
        var parameters = new[] { new Parameter<T>("a", new T[5]), new Parameter<T>("b", new T[3]) };
        var averaged = new AveragedParameters<T>(parameters, decay.ValueKind == System.Text.Json.JsonValueKind.Null ? null : decay.GetDouble());

        for (int u = 0; u < values.Length; u++)
        {
            var fed = values[u].EnumerateArray().ToArray();
            var want = averages[u].EnumerateArray().ToArray();
            for (int p = 0; p < parameters.Length; p++)
            {
                ScheduleTraces.Doubles(fed[p]).Select(T.CreateTruncating).ToArray().CopyTo(parameters[p].Value.AsArray()!, 0);
            }

            averaged.Update();
            for (int p = 0; p < parameters.Length; p++)
            {
                double[] expected = ScheduleTraces.Doubles(want[p]);
                var got = averaged.Average(p).ToArray();
                for (int j = 0; j < expected.Length; j++)
                {
                    double g = double.CreateTruncating(got[j]);
                    if (typeof(T) == typeof(float))
                    {
                        g.Should().Be(expected[j], $"{kind} float32 update {u + 1}, parameter {p}[{j}]: the same float32 operations as torch");
                    }
                    else
                    {
                        ScheduleTraces.Close(g, expected[j]).Should().BeTrue($"{kind} update {u + 1}, parameter {p}[{j}]: torch {expected[j]:R}, got {g:R}");
                    }
                }
            }
        }

        averaged.AveragedCount.Should().Be(run.GetProperty("n_averaged").GetInt64());
    }

    [Fact]
    public void By_hand_SWA_and_EMA()
    {
        var swaParameter = new Parameter("w", [1.0]);
        var emaParameter = new Parameter("w", [1.0]);
        var swa = new AveragedParameters([swaParameter]);
        var ema = new AveragedParameters([emaParameter], decay: 0.5);
        var seen = new List<(double Swa, double Ema)>();
        foreach (double theta in new[] { 1.0, 3.0, 8.0 })
        {
            swaParameter.Value[0] = theta;
            emaParameter.Value[0] = theta;
            swa.Update();
            ema.Update();
            seen.Add((swa.Average(0)[0], ema.Average(0)[0]));
        }

        // SWA: 1 (copy), 1 + (3 − 1)/2 = 2, 2 + (8 − 2)/3 = 4;  EMA 0.5: 1 (copy), 0.5·1 + 0.5·3 = 2, 0.5·2 + 0.5·8 = 5
        seen.Should().Equal((1, 1), (2, 2), (4, 5));
        swa.AveragedCount.Should().Be(3);
    }

    [Fact]
    public void Swapping_twice_restores_the_training_values_exactly_and_updates_wait_for_it()
    {
        var parameter = new Parameter("w", [0.1, -0.7, 3.3]);
        var averaged = new AveragedParameters<double>([parameter]);
        averaged.Update();
        parameter.Value.SetValues([1.0 / 3, Math.PI, -1e-300]);
        averaged.Update();
        double[] training = parameter.Value.ToArray();
        double[] average = averaged.Average(0).ToArray();

        averaged.Swap();
        averaged.IsSwapped.Should().BeTrue();
        parameter.Value.ToArray().Should().Equal(average, "evaluation sees the averages");
        ((Action)averaged.Update).Should().Throw<InvalidOperationException>().WithMessage("*Swap()*");
        parameter.Value.ToArray().Should().Equal(average, "the refused update changed nothing");

        averaged.Swap();
        parameter.Value.ToArray().Should().Equal(training);
        averaged.Average(0).ToArray().Should().Equal(average);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var p = new Parameter("w", [1.0]);
        ((Action)(() => _ = new AveragedParameters([p], decay: 1.5))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("decay");
        ((Action)(() => _ = new AveragedParameters([p], decay: double.NaN))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new AveragedParameters([]))).Should().Throw<ArgumentException>().WithParameterName("parameters");
        ((Action)(() => _ = new AveragedParameters([p, p]))).Should().Throw<ArgumentException>();
        var averaged = new AveragedParameters([p]);
        ((Action)(() => averaged.AveragedCount = -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("AveragedCount");
    }

    [Fact]
    public void The_averages_resume_from_a_checkpoint_of_them_and_their_count()
    {
        var p = new Parameter("w", [1.0, 2.0]);
        var averaged = new AveragedParameters([p]);
        averaged.Update();
        p.Value.SetValues([3.0, -2.0]);
        averaged.Update();
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, parameters: averaged.Averages.Cast<Parameter<double>>());

        var q = new Parameter("w", [3.0, -2.0]);
        var resumed = new AveragedParameters([q]);
        stream.Position = 0;
        Checkpoint.Load(stream, parameters: resumed.Averages.Cast<Parameter<double>>());
        resumed.AveragedCount = averaged.AveragedCount;

        p.Value.SetValues([9.0, 4.0]);
        q.Value.SetValues([9.0, 4.0]);
        averaged.Update();
        resumed.Update();
        resumed.Average(0).ToArray().Should().Equal(averaged.Average(0).ToArray());   // (2, 0) + ((9, 4) − (2, 0))/3
        resumed.Average(0)[0].Should().BeApproximately(2 + 7.0 / 3, 1e-15);
    }
}
