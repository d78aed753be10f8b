using System.Text.Json;
using Optimizers.Checkpoints;
using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>
/// Schedules built one after another on the same optimizer share one base learning rate per group, torch's
/// <c>initial_lr</c>: the first records it, later ones reuse it, <see cref="OneCycleLR"/> replaces it and
/// <see cref="ReduceLROnPlateau"/> leaves it alone. Replayed against torch (the "stacked" traces of
/// schedule_traces.json: every schedule stepped each epoch, as torch's ChainedScheduler does) and worked by hand.
/// </summary>
public sealed class SharedInitialLearningRateTests
{
    public static TheoryData<int> StackedCases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < ScheduleTraces.Section("stacked").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void The_fixture_stacks_each_kind_of_first_schedule()
    {
        var firsts = ScheduleTraces.Section("stacked").EnumerateArray()
            .Select(t => t.GetProperty("schedules")[0].GetProperty("type").GetString()).ToHashSet();
        firsts.Should().Contain(["LinearLR", "OneCycleLR", "ReduceLROnPlateau"],
                                "a recursive first schedule, the one that replaces initial_lr, and the one that ignores it");
        ScheduleTraces.Section("stacked").EnumerateArray().Should().Contain(t => t.GetProperty("base_lr").ValueKind == JsonValueKind.Array,
                                                                            "one trace runs over two parameter groups");
    }

    [Theory]
    [MemberData(nameof(StackedCases))]
    public void Stacked_schedules_take_the_base_learning_rates_and_the_learning_rates_torch_takes(int index)
    {
        var trace = ScheduleTraces.Section("stacked")[index];
        var baseLr = trace.GetProperty("base_lr");
        IOptimizer optimizer = baseLr.ValueKind == JsonValueKind.Array
            ? ScheduleTraces.GroupedOptimizer(ScheduleTraces.Doubles(baseLr))
            : ScheduleTraces.Optimizer(baseLr.GetDouble());
        var stepped = new List<LearningRateSchedule>();
        foreach (var entry in trace.GetProperty("schedules").EnumerateArray())
        {
            string type = entry.GetProperty("type").GetString()!;
            if (type == "ReduceLROnPlateau")
            {
                var plateau = ScheduleTraces.Plateau(optimizer, entry.GetProperty("args"));
                foreach (double metric in ScheduleTraces.Doubles(entry.GetProperty("metrics")))
                {
                    optimizer.Step();
                    plateau.Step(metric);
                }
            }
            else
            {
                var schedule = ScheduleTraces.Build(optimizer, type, entry.GetProperty("args"));
                schedule.BaseLearningRates.Should().Equal(ScheduleTraces.Doubles(entry.GetProperty("base_lrs")),
                                                          $"{type} takes the base torch takes (trace {index})");
                stepped.Add(schedule);
            }

            ExpectRates(optimizer, entry.GetProperty("lrs_after_construction"), $"after constructing {type} (trace {index})");
        }

        var lrs = trace.GetProperty("lrs").EnumerateArray().ToArray();
        ExpectRates(optimizer, lrs[0], $"epoch 0 (trace {index})");
        for (int epoch = 1; epoch < lrs.Length; epoch++)
        {
            optimizer.Step();
            foreach (var schedule in stepped)
            {
                schedule.Step();
            }

            ExpectRates(optimizer, lrs[epoch], $"epoch {epoch} (trace {index})");
        }
    }

    [Fact]
    public void A_second_schedule_starts_from_the_rate_before_the_first_one_not_from_the_scheduled_rate()
    {
        // The case: on 0.1, LinearLR(startFactor: 0.5) sets 0.05; CosineAnnealingWarmRestarts built next has
        // η₀ = 0.1 and sets η_min + (η₀ − η_min)·(1 + cos 0)/2 = 0.1 (torch: 0.1; taking the current rate would give 0.05).
        var optimizer = ScheduleTraces.Optimizer(0.1);
        var warmup = new LinearLR(optimizer, startFactor: 0.5);
        optimizer.LearningRate.Should().Be(0.05);
        optimizer.InitialLearningRate.Should().Be(0.1, "the first schedule records the rate it found");

        var restarts = new CosineAnnealingWarmRestarts(optimizer, t0: 10);
        restarts.BaseLearningRate.Should().Be(0.1);
        optimizer.LearningRate.Should().Be(0.1);

        // Epoch 1, both stepped as ChainedScheduler does: LinearLR multiplies 0.1 by 1 + 0.5/(5·0.5) = 1.2, then the
        // cosine (a closed form) sets 0.1·(1 + cos(π/10))/2 whatever the rate was.
        optimizer.Step();
        warmup.Step();
        optimizer.LearningRate.Should().BeApproximately(0.12, 1e-17);
        restarts.Step();
        optimizer.LearningRate.Should().Be(0.1 * (1 + Math.Cos(Math.PI * 1 / 10)) / 2);
    }

    [Fact]
    public void OneCycleLR_replaces_the_shared_rate_and_ReduceLROnPlateau_neither_sets_nor_reads_it()
    {
        var optimizer = ScheduleTraces.Optimizer(0.5);
        var plateau = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0);
        optimizer.InitialLearningRate.Should().BeNull("ReduceLROnPlateau has no base learning rate");
        plateau.Step(1);
        plateau.Step(2);
        optimizer.LearningRate.Should().Be(0.25);

        var cycle = new OneCycleLR(optimizer, maxLearningRate: 1.0, totalSteps: 10, divFactor: 25, cycleMomentum: false);
        optimizer.InitialLearningRate.Should().Be(1.0 / 25, "OneCycleLR sets initial_lr = max_lr / div_factor, as torch");
        cycle.BaseLearningRate.Should().Be(0.04);
        new ExponentialLR(optimizer, 0.9).BaseLearningRate.Should().Be(0.04, "a later schedule takes the replaced rate");
    }

    [Fact]
    public void Each_parameter_group_keeps_its_own_shared_rate()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([0.1, 0.01]);
        _ = new LinearLR(optimizer, startFactor: 0.25);
        optimizer.Groups.Select(g => g.LearningRate).Should().Equal(0.025, 0.0025);
        optimizer.Groups.Select(g => g.InitialLearningRate).Should().Equal(0.1, 0.01);
        new StepLR(optimizer, stepSize: 2).BaseLearningRates.Should().Equal(0.1, 0.01);
    }

    [Fact]
    public void A_checkpoint_of_the_optimizer_carries_the_shared_rate_to_schedules_built_after_loading()
    {
        var optimizer = ScheduleTraces.Optimizer(0.1);
        _ = new LinearLR(optimizer, startFactor: 0.5);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer);

        // A fresh optimizer built at another rate, no schedule yet: loading restores lr = 0.05 and initial_lr = 0.1,
        // so a schedule built now starts from 0.1, as it would have on the saved optimizer (torch: load_state_dict
        // brings the param group's initial_lr back).
        var fresh = ScheduleTraces.Optimizer(0.7);
        stream.Position = 0;
        Checkpoint.Load(stream, fresh);
        fresh.LearningRate.Should().Be(0.05);
        fresh.InitialLearningRate.Should().Be(0.1);
        new CosineAnnealingWarmRestarts(fresh, t0: 10).BaseLearningRate.Should().Be(0.1);
    }

    [Fact]
    public void A_version_2_checkpoint_without_a_shared_rate_unsets_it_as_torchs_load_state_dict_does()
    {
        var saved = ScheduleTraces.Optimizer(0.1);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, saved);

        var target = ScheduleTraces.Optimizer(0.3);
        _ = new StepLR(target, stepSize: 5);
        target.InitialLearningRate.Should().Be(0.3);
        stream.Position = 0;
        Checkpoint.Load(stream, target);
        target.InitialLearningRate.Should().BeNull("no schedule had been built on the saved optimizer");
        target.LearningRate.Should().Be(0.1);
        new StepLR(target, stepSize: 5).BaseLearningRate.Should().Be(0.1);
    }

    private static void ExpectRates(IOptimizer optimizer, JsonElement expected, string when)
    {
        double[] want = expected.ValueKind == JsonValueKind.Array ? ScheduleTraces.Doubles(expected) : [expected.GetDouble()];
        var targets = optimizer is IGroupedOptimizer grouped ? grouped.Groups : [optimizer];
        for (int g = 0; g < want.Length; g++)
        {
            ScheduleTraces.Close(targets[g].LearningRate, want[g]).Should()
                .BeTrue($"group {g} {when}: torch {want[g]:R}, got {targets[g].LearningRate:R}");
        }
    }
}
