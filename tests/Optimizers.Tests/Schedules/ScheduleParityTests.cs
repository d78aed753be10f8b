using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>Replays torch's learning-rate traces (schedule_traces.json) step by step.</summary>
public class ScheduleParityTests
{
    public static TheoryData<int, string> ScheduleCases()
    {
        var data = new TheoryData<int, string>();
        int i = 0;
        foreach (var trace in ScheduleTraces.Section("schedules").EnumerateArray())
        {
            data.Add(i++, trace.GetProperty("type").GetString()!);
        }

        return data;
    }

    public static TheoryData<int> PlateauCases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < ScheduleTraces.Section("plateau").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static TheoryData<int, string> GroupedCases()
    {
        var data = new TheoryData<int, string>();
        int i = 0;
        foreach (var trace in ScheduleTraces.Section("grouped").EnumerateArray())
        {
            data.Add(i++, trace.GetProperty("type").GetString()!);
        }

        return data;
    }

    [Fact]
    public void The_fixture_covers_every_schedule()
    {
        var types = ScheduleTraces.Section("schedules").EnumerateArray().Select(t => t.GetProperty("type").GetString()).ToHashSet();
        types.Should().BeEquivalentTo(
            ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
             "LinearLR", "PolynomialLR", "OneCycleLR", "SequentialLR"]);
        ScheduleTraces.Section("plateau").GetArrayLength().Should().BeGreaterThan(3);
        ScheduleTraces.Section("grouped").EnumerateArray().Select(t => t.GetProperty("type").GetString()).ToHashSet()
            .Should().BeEquivalentTo(types.Append("ReduceLROnPlateau"), "every schedule is replayed over two parameter groups too");
    }

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void Learning_rates_equal_torch(int index, string type)
    {
        var trace = ScheduleTraces.Section("schedules")[index];
        double[] expected = ScheduleTraces.Doubles(trace.GetProperty("lrs"));
        var optimizer = ScheduleTraces.Optimizer(trace.GetProperty("base_lr").GetDouble());
        var schedule = ScheduleTraces.Build(optimizer, trace);

        for (int epoch = 0; epoch < expected.Length; epoch++)
        {
            if (epoch > 0)
            {
                optimizer.Step();
                schedule.Step();
            }

            double want = expected[epoch];
            if (type == "OneCycleLR" && epoch == expected.Length - 1)
            {
                // One step past the cycle torch's linear anneal goes below zero; OneCycleLR documents the clamp at 0.
                want = Math.Max(0, want);
            }

            schedule.Epoch.Should().Be(epoch);
            ScheduleTraces.Close(optimizer.LearningRate, want).Should()
                .BeTrue($"{type} #{index} at epoch {epoch}: torch {want:R}, got {optimizer.LearningRate:R}");
            schedule.CurrentLearningRate.Should().Be(optimizer.LearningRate);
        }
    }

    [Theory]
    [MemberData(nameof(PlateauCases))]
    public void ReduceLROnPlateau_equals_torch(int index)
    {
        var trace = ScheduleTraces.Section("plateau")[index];
        var args = trace.GetProperty("args");
        double[] metrics = ScheduleTraces.Doubles(trace.GetProperty("metrics"));
        double[] expected = ScheduleTraces.Doubles(trace.GetProperty("lrs"));
        var optimizer = ScheduleTraces.Optimizer(trace.GetProperty("base_lr").GetDouble());
        var schedule = ScheduleTraces.Plateau(optimizer, args);

        optimizer.LearningRate.Should().Be(expected[0]);
        int reductions = 0;
        for (int i = 0; i < metrics.Length; i++)
        {
            optimizer.Step();
            reductions += schedule.Step(metrics[i]) ? 1 : 0;
            ScheduleTraces.Close(optimizer.LearningRate, expected[i + 1]).Should()
                .BeTrue($"plateau #{index} after metric {i}: torch {expected[i + 1]:R}, got {optimizer.LearningRate:R}");
        }

        schedule.Epoch.Should().Be(metrics.Length);
        reductions.Should().Be(expected.Zip(expected.Skip(1)).Count(p => p.First != p.Second));
    }

    [Theory]
    [MemberData(nameof(GroupedCases))]
    public void Every_group_follows_torch_from_its_own_base_learning_rate(int index, string type)
    {
        var trace = ScheduleTraces.Section("grouped")[index];
        double[][] expected = trace.GetProperty("lrs").EnumerateArray().Select(ScheduleTraces.Doubles).ToArray();
        var optimizer = ScheduleTraces.GroupedOptimizer(ScheduleTraces.Doubles(trace.GetProperty("base_lr")));
        ISchedule schedule;
        Action<int> step;
        if (type == "ReduceLROnPlateau")
        {
            var args = trace.GetProperty("args");
            double[] metrics = ScheduleTraces.Doubles(trace.GetProperty("metrics"));
            var plateau = ScheduleTraces.Plateau(optimizer, args);
            schedule = plateau;
            step = epoch => plateau.Step(metrics[epoch - 1]);
        }
        else
        {
            var epochSchedule = ScheduleTraces.Build(optimizer, trace);
            schedule = epochSchedule;
            step = _ => epochSchedule.Step();
        }

        for (int epoch = 0; epoch < expected.Length; epoch++)
        {
            if (epoch > 0)
            {
                optimizer.Step();
                step(epoch);
            }

            for (int g = 0; g < 2; g++)
            {
                double want = type == "OneCycleLR" && epoch == expected.Length - 1 ? Math.Max(0, expected[epoch][g]) : expected[epoch][g];
                double got = optimizer.Groups[g].LearningRate;
                ScheduleTraces.Close(got, want).Should()
                    .BeTrue($"{type} #{index} group {g} at epoch {epoch}: torch {want:R}, got {got:R}");
                schedule.CurrentLearningRates[g].Should().Be(got);
            }

            schedule.Epoch.Should().Be(epoch);
        }
    }
}
