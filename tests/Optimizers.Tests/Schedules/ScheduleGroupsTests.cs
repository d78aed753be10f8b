using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>Schedules over parameter groups, worked out by hand: each group is a target with its own base learning rate.</summary>
public class ScheduleGroupsTests
{
    private static double[] Rates(ParameterGroups optimizer) => optimizer.Groups.Select(g => g.LearningRate).ToArray();

    [Fact]
    public void StepLR_decays_each_group_from_its_own_base()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([0.1, 0.01]);
        var schedule = new StepLR(optimizer, stepSize: 2, gamma: 0.5);
        schedule.BaseLearningRates.Should().Equal(0.1, 0.01);
        schedule.Step();
        Rates(optimizer).Should().Equal(0.1, 0.01);                 // t=1: unchanged
        schedule.Step();
        Rates(optimizer).Should().Equal(0.05, 0.005);               // t=2: 0.1·0.5, 0.01·0.5
        schedule.CurrentLearningRates.Should().Equal(0.05, 0.005);
        schedule.CurrentLearningRate.Should().Be(0.05);
    }

    [Fact]
    public void LinearLR_warms_up_every_group()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([1.0, 0.5]);
        var schedule = new LinearLR(optimizer, startFactor: 0.5, endFactor: 1, totalIters: 1);
        Rates(optimizer).Should().Equal(0.5, 0.25);                 // t=0: η₀·0.5 per group
        schedule.Step();
        Rates(optimizer).Should().Equal(1.0, 0.5);                  // t=1: ·(1 + 0.5/(1·0.5)) = ·2
    }

    [Fact]
    public void ReduceLROnPlateau_cuts_every_group_down_to_the_floor()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([1.0, 0.1]);
        var schedule = new ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0, minLearningRate: 0.08);
        schedule.Step(1.0).Should().BeFalse();                      // first metric: an improvement
        schedule.Step(1.0).Should().BeTrue();                       // bad epoch 1 > patience 0
        Rates(optimizer).Should().Equal(0.5, 0.08);                 // 1·0.5;  max(0.1·0.5, 0.08) = 0.08
        schedule.Step(1.0).Should().BeTrue();
        Rates(optimizer).Should().Equal(0.25, 0.08);                // 0.5·0.5;  0.08 − max(0.04, 0.08) = 0 ≤ ε: unchanged
        schedule.CurrentLearningRates.Should().Equal(0.25, 0.08);
        schedule.MinLearningRates.Should().Equal(0.08, 0.08);
    }

    [Fact]
    public void SequentialLR_resets_each_group_to_its_own_base_and_chains_per_group()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([0.4, 0.2]);
        var warmup = new LinearLR(optimizer, startFactor: 0.5, endFactor: 1, totalIters: 2);
        var decay = new ExponentialLR(optimizer, 0.5);
        var schedule = new SequentialLR(optimizer, [warmup, decay], [2]);
        schedule.BaseLearningRates.Should().Equal(0.4, 0.2);
        Rates(optimizer).Should().Equal(0.2, 0.1);                  // t=0: η₀·0.5
        schedule.Step();
        Rates(optimizer).Should().Equal(0.30000000000000004, 0.15000000000000002);   // ·(1 + 0.5/(2·0.5)) = ·1.5
        schedule.Step();
        Rates(optimizer).Should().Equal(0.4, 0.2);                  // milestone: ExponentialLR's closed form at 0, η₀·0.5⁰
        schedule.Step();
        Rates(optimizer).Should().Equal(0.2, 0.1);                  // ·0.5
    }

    [Fact]
    public void OneCycleLR_runs_the_same_cycle_on_every_group()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([0.3, 0.7]);   // ignored, as in torch
        var schedule = new OneCycleLR(optimizer, maxLearningRate: 1, totalSteps: 10, pctStart: 0.2,
                                      annealStrategy: AnnealStrategy.Linear, divFactor: 4, finalDivFactor: 10, cycleMomentum: false);
        schedule.BaseLearningRates.Should().Equal(0.25, 0.25);
        schedule.MaxLearningRates.Should().Equal(1, 1);
        Rates(optimizer).Should().Equal(0.25, 0.25);
        schedule.Step();
        Rates(optimizer).Should().Equal(1, 1);
    }

    [Fact]
    public void A_bad_value_for_any_group_changes_no_group()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([1.0, 1e308]);
        var schedule = new ExponentialLR(optimizer, 10);
        var step = () => schedule.Step();
        step.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*target 1*");
        Rates(optimizer).Should().Equal(1.0, 1e308);
        schedule.Epoch.Should().Be(0);
        schedule.CurrentLearningRates.Should().Equal(1.0, 1e308);
    }
}
