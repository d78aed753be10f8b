using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>
/// Replays torch's traces of ConstantLR, LambdaLR, MultiplicativeLR, CyclicLR and ChainedScheduler, of SequentialLR
/// over them, and of momentum cycling (OneCycleLR and CyclicLR with real steps of Momentum, Adam and RMSProp; CyclicLR's
/// β₁ from the transcribed torch 2.x reference), and of SWALR: float64 within 1e-12 relative.
/// </summary>
public class MoreScheduleParityTests
{
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (string section in new[] { "more_schedules", "sequential_more", "beta1_cyclic", "swalr" })
        {
            int i = 0;
            foreach (var trace in ScheduleTraces.Section(section).EnumerateArray())
            {
                data.Add(section, i++, trace.GetProperty("type").GetString()!);
            }
        }

        return data;
    }

    public static TheoryData<int, string, string> SteppedCases()
    {
        var data = new TheoryData<int, string, string>();
        int i = 0;
        foreach (var trace in ScheduleTraces.Section("momentum_runs").EnumerateArray())
        {
            data.Add(i++, trace.GetProperty("type").GetString()!, trace.GetProperty("rule").GetString()!);
        }

        return data;
    }

    [Fact]
    public void The_fixture_covers_every_new_schedule_on_one_group_and_two()
    {
        var traces = ScheduleTraces.Section("more_schedules").EnumerateArray().ToArray();
        string[] types = ["ConstantLR", "LambdaLR", "MultiplicativeLR", "CyclicLR", "ChainedScheduler"];
        foreach (string type in types)
        {
            traces.Where(t => t.GetProperty("type").GetString() == type)
                  .Select(t => t.GetProperty("base_lr").ValueKind).Distinct().Should().HaveCount(2, $"{type} runs on one group and on two");
        }

        ScheduleTraces.Section("momentum_runs").EnumerateArray().Select(t => t.GetProperty("rule").GetString()).ToHashSet()
            .Should().BeEquivalentTo(["SGD_momentum", "Adam", "RMSprop"]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Learning_rates_and_cycled_momentum_equal_torch(string section, int index, string type)
    {
        var trace = ScheduleTraces.Section(section)[index];
        var optimizer = MoreScheduleTraces.Rule(
            trace.TryGetProperty("rule", out var rule) ? rule.GetString()! : "SGD", trace.GetProperty("base_lr"), out _);
        var schedule = MoreScheduleTraces.Build(optimizer, trace);
        var lrs = trace.GetProperty("lrs").EnumerateArray().Select(MoreScheduleTraces.PerTarget).ToArray();
        var momentums = trace.TryGetProperty("momentums", out var m) ? m.EnumerateArray().Select(MoreScheduleTraces.PerTarget).ToArray() : null;

        for (int epoch = 0; epoch < lrs.Length; epoch++)
        {
            if (epoch > 0)
            {
                optimizer.Step();
                schedule.Step();
            }

            schedule.Epoch.Should().Be(epoch);
            Compare(MoreScheduleTraces.Rates(optimizer), lrs[epoch], $"{section} #{index} {type} learning rate at epoch {epoch}");
            schedule.CurrentLearningRates.Should().Equal(MoreScheduleTraces.Rates(optimizer));
            if (momentums is not null)
            {
                Compare(MoreScheduleTraces.Momentums(optimizer), momentums[epoch], $"{section} #{index} {type} momentum at epoch {epoch}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(SteppedCases))]
    public void The_rule_steps_with_the_cycled_momentum_as_torch(int index, string type, string rule)
    {
        var trace = ScheduleTraces.Section("momentum_runs")[index];
        var optimizer = MoreScheduleTraces.Rule(rule, trace.GetProperty("base_lr"), out var parameters);
        var schedule = MoreScheduleTraces.Build(optimizer, trace);
        var grads = trace.GetProperty("grads").EnumerateArray().ToArray();
        var expected = trace.GetProperty("params").EnumerateArray().ToArray();
        var lrs = trace.GetProperty("lrs").EnumerateArray().Select(MoreScheduleTraces.PerTarget).ToArray();
        var momentums = trace.GetProperty("momentums").EnumerateArray().Select(MoreScheduleTraces.PerTarget).ToArray();
        Compare(MoreScheduleTraces.Momentums(optimizer), momentums[0], $"{type} on {rule}: momentum after construction");

        for (int step = 0; step < grads.Length; step++)
        {
            var g = grads[step].EnumerateArray().ToArray();
            for (int p = 0; p < parameters.Length; p++)
            {
                ScheduleTraces.Doubles(g[p]).CopyTo(parameters[p].Gradient.AsArray()!, 0);
            }

            optimizer.Step();
            schedule.Step();
            var want = expected[step].EnumerateArray().ToArray();
            for (int p = 0; p < parameters.Length; p++)
            {
                Compare(parameters[p].Value.ToArray(), ScheduleTraces.Doubles(want[p]), $"{type} on {rule}: parameter {p} after step {step + 1}");
            }

            // One step past the cycle torch's linear anneal goes below zero; OneCycleLR documents the clamp at 0.
            double[] wantRates = lrs[step + 1].Select(r => type == "OneCycleLR" ? Math.Max(0, r) : r).ToArray();
            Compare(MoreScheduleTraces.Rates(optimizer), wantRates, $"{type} on {rule}: learning rate after step {step + 1}");
            Compare(MoreScheduleTraces.Momentums(optimizer), momentums[step + 1], $"{type} on {rule}: momentum after step {step + 1}");
        }

        if (rule == "RMSprop")
        {
            ((Optimizer<double>)(optimizer is IGroupedOptimizer grouped ? grouped.Groups[0] : optimizer)).StateNames
                .Should().Contain("momentum_buffer", "RMSProp keeps a momentum buffer once cycling is on, as torch");
        }
    }

    private static void Compare(double[] actual, double[] expected, string what)
    {
        actual.Should().HaveCount(expected.Length, what);
        for (int i = 0; i < expected.Length; i++)
        {
            ScheduleTraces.Close(actual[i], expected[i]).Should().BeTrue($"{what}[{i}]: torch {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
