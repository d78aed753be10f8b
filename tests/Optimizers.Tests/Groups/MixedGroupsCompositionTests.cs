using Optimizers.Tests.TestSupport;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Schedules;
using Optimizers.Tests.Checkpoints;

namespace Optimizers.Tests.Groups;

/// <summary>
/// Groups of different rules under what is built on top of an optimizer: schedules (each group's learning rate from
/// its own base, momentum or β₁ cycled per group), wrappers, and the schedule-free rules' Train/Eval. Each is compared
/// with the same thing done to each rule alone, bit for bit. Both element types.
/// </summary>
public abstract class MixedGroupsCompositionTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A 2-D weight "w" (4 × 3), a bias "b" (4) and a vector "c" (13).</summary>
    private static Parameter<T>[] Model(int seed = 3)
    {
        var random = new Random(seed);
        T Next() => T.CreateTruncating((random.NextDouble() * 2) - 1);
        return
        [
            new Parameter<T>("w", Matrix<T>.Build.Dense(4, 3, (_, _) => Next())),
            new Parameter<T>("b", Enumerable.Range(0, 4).Select(_ => Next()).ToArray()),
            new Parameter<T>("c", Enumerable.Range(0, 13).Select(_ => Next()).ToArray()),
        ];
    }

    private static void SetGradients(IEnumerable<Parameter<T>> parameters, int step)
    {
        foreach (var parameter in parameters)
        {
            var theta = parameter.ValueSpan;
            var gradient = parameter.GradientArray;
            for (int i = 0; i < gradient.Length; i++)
            {
                gradient[i] = T.CreateTruncating((Math.Sin((0.9 * step) + (0.4 * i) + parameter.Name[0]) / 2) + (double.CreateTruncating(theta[i]) / 10));
            }
        }
    }

    /// <summary>Momentum (Nesterov) for w, AdamW for b, RMSProp for c: three rules, each with a momentum or β₁.</summary>
    private static Optimizer<T>[] ThreeRules(Parameter<T>[] p) =>
    [
        new Momentum<T>([p[0]], 0.05, nesterov: true),
        new AdamW<T>([p[1]], 0.01),
        new RMSProp<T>([p[2]], 0.01, momentum: 0.5),
    ];

    private static double Cycled(Optimizer<T> rule) => rule switch
    {
        Momentum<T> m => m.MomentumFactor,
        AdamW<T> a => a.Beta1,
        RMSProp<T> r => r.MomentumFactor,
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    [Theory]
    [InlineData("OneCycleLR")]
    [InlineData("CyclicLR")]
    public void Cycling_over_mixed_groups_cycles_each_groups_momentum_or_beta1_as_on_the_rule_alone(string schedule)
    {
        ILearningRateSchedule Build(IOptimizer optimizer) => schedule == "OneCycleLR"
            ? new OneCycleLR(optimizer, 0.1, totalSteps: 9)
            : new CyclicLR(optimizer, 0.01, 0.1, stepSizeUp: 3, mode: CyclicMode.Triangular2);
        var grouped = Model();
        var groups = new ParameterGroups<T>(ThreeRules(grouped));
        var groupSchedule = Build(groups);
        var separate = Model();
        var alone = ThreeRules(separate);
        var aloneSchedules = alone.Select(Build).ToArray();

        double max = schedule == "OneCycleLR" ? 0.95 : 0.9;
        groups.Groups.Select(Cycled).Should().AllBeEquivalentTo(max, "building the schedule sets every group to maxMomentum, as torch");
        for (int step = 1; step <= 7; step++)
        {
            SetGradients(grouped, step);
            SetGradients(separate, step);
            groups.Step();
            groupSchedule.Step();
            foreach (var (rule, own) in alone.Zip(aloneSchedules))
            {
                rule.Step();
                own.Step();
            }

            groups.Groups.Select(Cycled).Should().Equal(alone.Select(Cycled), $"step {step}");
            groups.Groups.Select(g => g.LearningRate).Should().Equal(alone.Select(r => r.LearningRate), $"step {step}");
        }

        groups.Groups.Select(Cycled).Distinct().Should().HaveCount(1, "one schedule moves all three alike");
        StateSnapshot.Values(grouped).Should().Equal(StateSnapshot.Values(separate));
    }

    [Fact]
    public void Cycling_refuses_a_group_without_momentum_or_beta1_naming_it_and_changes_nothing()
    {
        var p = Model();
        var momentum = new Momentum<T>([p[0]], 0.05);
        var groups = new ParameterGroups<T>(momentum, new AdamW<T>([p[1]], 0.01), new AdaGrad<T>([p[2]], 0.1));

        FluentActions.Invoking(() => new OneCycleLR(groups, 0.1, totalSteps: 10)).Should().Throw<ArgumentException>()
            .WithParameterName("cycleMomentum")
            .WithMessage("OneCycleLR cycles momentum*parameter group 2 (AdaGrad) has neither a momentum nor a β₁*cycleMomentum: false*");
        FluentActions.Invoking(() => new CyclicLR(groups, 0.01, 0.1)).Should().Throw<ArgumentException>()
            .WithMessage("*parameter group 2 (AdaGrad)*");
        momentum.MomentumFactor.Should().Be(0.9, "nothing was cycled");
        groups.Groups.Select(g => g.LearningRate).Should().Equal(0.05, 0.01, 0.1);

        var schedule = new OneCycleLR(groups, 0.1, totalSteps: 10, cycleMomentum: false);
        schedule.CurrentLearningRates.Should().HaveCount(3);
        momentum.MomentumFactor.Should().Be(0.9);
    }

    [Fact]
    public void Each_mixed_group_keeps_its_own_base_rate_shared_by_later_schedules()
    {
        var p = Model();
        var groups = new ParameterGroups<T>(new Momentum<T>([p[0]], 0.1), new AdamW<T>([p[1]], 0.01), new ScheduleFreeSgd<T>([p[2]], 1.0));
        var step = new StepLR(groups, stepSize: 2, gamma: 0.5);
        step.BaseLearningRates.Should().Equal(0.1, 0.01, 1.0);
        step.Step();
        step.Step();
        groups.Groups.Select(g => g.LearningRate).Should().Equal(0.05, 0.005, 0.5);   // t=2: each base · 0.5

        var exponential = new ExponentialLR(groups, gamma: 0.5);
        exponential.BaseLearningRates.Should().Equal([0.1, 0.01, 1.0], "torch's initial_lr, per group, recorded by the first schedule");

        var plateau = new ReduceLROnPlateau(groups, factor: 0.5, patience: 0);
        plateau.Step(1.0);
        plateau.Step(1.0).Should().BeTrue();
        groups.Groups.Select(g => g.LearningRate).Should().Equal(0.025, 0.0025, 0.25);   // ExponentialLR kept t=0's rate (torch's chainable form); halved
    }

    public static TheoryData<string> Wrappers() => new("Lookahead", "GradientAccumulation", "Lookahead(GradientAccumulation)");

    [Theory]
    [MemberData(nameof(Wrappers))]
    public void A_wrapper_over_mixed_groups_equals_the_wrapper_over_each_rule_alone(string wrapper)
    {
        OptimizerWrapper<T> Wrap(IOptimizer<T> inner) => wrapper switch
        {
            "Lookahead" => new Lookahead<T>(inner, k: 3, alpha: 0.5),
            "GradientAccumulation" => new GradientAccumulation<T>(inner, every: 2),
            _ => new Lookahead<T>(new GradientAccumulation<T>(inner, every: 2), k: 2),
        };
        var grouped = Model();
        var separate = Model();
        var outer = Wrap(new ParameterGroups<T>(ThreeRules(grouped)));
        var alone = ThreeRules(separate).Select(r => Wrap(r)).ToArray();

        for (int step = 1; step <= 11; step++)
        {
            SetGradients(grouped, step);
            SetGradients(separate, step);
            bool updated = outer.TryStep();
            alone.Select(a => a.TryStep()).ToArray().Should().AllBeEquivalentTo(updated);
        }

        StateSnapshot.Values(grouped).Should().Equal(StateSnapshot.Values(separate));
        outer.StepCount.Should().Be(alone[0].StepCount);
        var state = outer.StateVectors.SelectMany(s => s).Select(StateSnapshot.Bits);
        state.Should().Equal(alone.SelectMany(a => a.StateVectors).SelectMany(s => s).Select(StateSnapshot.Bits));
    }

    [Fact]
    public void Train_and_Eval_switch_every_schedule_free_group_as_each_alone_and_leave_the_others()
    {
        var grouped = Model();
        var separate = Model();
        Optimizer<T>[] Rules(Parameter<T>[] p) =>
            [new ScheduleFreeAdamW<T>([p[0]], 0.02), new Adam<T>([p[1]], 0.01), new ScheduleFreeSgd<T>([p[2]], 0.5)];
        var groups = new ParameterGroups<T>(Rules(grouped));
        var alone = Rules(separate);
        for (int step = 1; step <= 3; step++)
        {
            SetGradients(grouped, step);
            SetGradients(separate, step);
            groups.Step();
            foreach (var rule in alone)
            {
                rule.Step();
            }
        }

        var adamBefore = StateSnapshot.Values([grouped[1]]);
        groups.Eval();
        ((ScheduleFreeAdamW<T>)alone[0]).Eval();
        ((ScheduleFreeSgd<T>)alone[2]).Eval();

        StateSnapshot.Values(grouped).Should().Equal(StateSnapshot.Values(separate), "each schedule-free group is at its x");
        StateSnapshot.Values([grouped[1]]).Should().Equal(adamBefore, "Adam has no modes");
        groups.Groups.OfType<ScheduleFreeOptimizer<T>>().Should().OnlyContain(g => !g.IsTraining);

        groups.Train();
        ((ScheduleFreeAdamW<T>)alone[0]).Train();
        ((ScheduleFreeSgd<T>)alone[2]).Train();
        StateSnapshot.Values(grouped).Should().Equal(StateSnapshot.Values(separate));
        groups.Groups.OfType<ScheduleFreeOptimizer<T>>().Should().OnlyContain(g => g.IsTraining);
    }

    [Theory]
    [InlineData("ParameterGroups")]
    [InlineData("Lookahead")]
    [InlineData("GradientAccumulation")]
    public void A_step_with_a_schedule_free_group_in_Eval_mode_is_refused_naming_the_group_before_anything_changes(string outer)
    {
        var p = Model();
        var scheduleFree = new ScheduleFreeSgd<T>([p[2]], 0.5);
        var groups = new ParameterGroups<T>(new Momentum<T>([p[0]], 0.05), new Adam<T>([p[1]], 0.01), scheduleFree)
        {
            NonFiniteGradients = NonFiniteGradientPolicy.Skip,
        };
        IOptimizer<T> optimizer = outer switch
        {
            "ParameterGroups" => groups,
            "Lookahead" => new Lookahead<T>(groups, k: 2),
            _ => new GradientAccumulation<T>(groups, every: 2),
        };
        SetGradients(p, 1);
        optimizer.Step();
        groups.Eval();
        SetGradients(p, 2);
        p[0].GradientArray[0] = T.NaN;   // would be a skipped step: the refusal comes first, so nothing is counted
        var before = StateSnapshot.Of(groups, p);
        var wrapperBefore = (optimizer as OptimizerWrapper<T>)?.StateVectors.SelectMany(s => s).Select(StateSnapshot.Bits).ToList();

        FluentActions.Invoking(optimizer.Step).Should().Throw<InvalidOperationException>()
            .WithMessage("Group 2 (ScheduleFreeSgd) of this ParameterGroups cannot step: This ScheduleFreeSgd is in evaluation mode*call Train()*changed nothing.");

        StateSnapshot.Of(groups, p).Should().Equal(before);
        if (optimizer is OptimizerWrapper<T> wrapper)
        {
            wrapper.StateVectors.SelectMany(s => s).Select(StateSnapshot.Bits).Should().Equal(wrapperBefore);
            (wrapper.StepCount, wrapper.SkippedStepCount, wrapper.Phase).Should().Be((outer == "Lookahead" ? 1L : 0L, 0L, 1L));
        }

        groups.Train();
        SetGradients(p, 2);
        optimizer.Step();
        scheduleFree.StepCount.Should().Be(outer == "GradientAccumulation" ? 1 : 2);
    }

    [Fact]
    public void A_wrapped_schedule_free_rule_in_Eval_mode_is_refused_before_the_wrappers_step()
    {
        var p = Model();
        var rule = new ScheduleFreeAdamW<T>(p, 0.02);
        var lookahead = new Lookahead<T>(rule, k: 2);
        SetGradients(p, 1);
        lookahead.Step();
        rule.Eval();
        SetGradients(p, 2);
        var before = StateSnapshot.Of(rule, p);

        FluentActions.Invoking(lookahead.Step).Should().Throw<InvalidOperationException>()
            .WithMessage("This ScheduleFreeAdamW is in evaluation mode*Train()*changed nothing.");
        StateSnapshot.Of(rule, p).Should().Equal(before);
        lookahead.StepCount.Should().Be(1);
    }

    [Fact]
    public void Train_and_Eval_without_a_schedule_free_group_are_refused_and_change_nothing()
    {
        var p = Model();
        var groups = new ParameterGroups<T>(new Momentum<T>([p[0]], 0.05), new AdamW<T>([p[1], p[2]], 0.01));
        SetGradients(p, 1);
        groups.Step();
        var before = StateSnapshot.Of(groups, p);

        FluentActions.Invoking(groups.Eval).Should().Throw<InvalidOperationException>()
            .WithMessage("Eval() switches the schedule-free groups*no group of this ParameterGroups is schedule-free (Momentum, AdamW)*");
        FluentActions.Invoking(groups.Train).Should().Throw<InvalidOperationException>().WithMessage("Train()*");
        StateSnapshot.Of(groups, p).Should().Equal(before);
    }

    [Theory]
    [InlineData("ParameterGroups")]
    [InlineData("Lookahead")]
    [InlineData("GradientAccumulation")]
    public void A_step_over_mixed_groups_allocates_nothing(string outer)
    {
        var p = Model();
        var groups = new ParameterGroups<T>(new Momentum<T>([p[0]], 0.05, nesterov: true), new AdamW<T>([p[1]], 0.01),
                                            new ScheduleFreeSgd<T>([p[2]], 0.5));
        IOptimizer<T> optimizer = outer switch
        {
            "ParameterGroups" => groups,
            "Lookahead" => new Lookahead<T>(groups, k: 3),
            _ => new GradientAccumulation<T>(groups, every: 2),
        };
        SetGradients(p, 1);
        for (int s = 0; s < 20; s++)
        {
            optimizer.Step();
        }

        SteadyAllocation.Smallest(optimizer.Step, calls: 300).Should().Be(0);
    }
}

public sealed class MixedGroupsCompositionTests_Double : MixedGroupsCompositionTests<double>;

public sealed class MixedGroupsCompositionTests_Single : MixedGroupsCompositionTests<float>;
