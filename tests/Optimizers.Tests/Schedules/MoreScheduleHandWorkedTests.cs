using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;
using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>
/// The first epochs of ConstantLR, LambdaLR, MultiplicativeLR, ChainedScheduler and CyclicLR, and momentum cycling,
/// worked out by hand (the arithmetic is beside each number); the refusals and checkpoints of momentum cycling.
/// </summary>
public class MoreScheduleHandWorkedTests
{
    private const double Tol = 1e-15;

    private static double[] Trace(ILearningRateSchedule schedule, IOptimizer optimizer, int steps, Func<double>? read = null)
    {
        read ??= () => optimizer.LearningRate;
        var values = new List<double> { read() };
        for (int i = 0; i < steps; i++)
        {
            schedule.Step();
            values.Add(read());
        }

        return values.ToArray();
    }

    private static Parameter[] Weights() => [new Parameter("w", Vector<double>.Build.DenseOfArray([1.0, -2.0]))];

    [Fact]
    public void ConstantLR_scales_until_total_iters()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new ConstantLR(optimizer, factor: 0.5, totalIters: 2);
        // t=0: 1·0.5 = 0.5;  t=1: 0.5 (t ≠ 2);  t=2: 0.5·(1/0.5) = 1;  t=3: 1
        Trace(schedule, optimizer, 3).Should().Equal(0.5, 0.5, 1, 1);
        schedule.BaseLearningRate.Should().Be(1);
    }

    [Fact]
    public void LambdaLR_multiplies_the_base_by_the_function_of_the_epoch()
    {
        var optimizer = ScheduleTraces.Optimizer(0.5);
        var schedule = new LambdaLR(optimizer, t => 1.0 / (t + 1));
        // t=0: 0.5·1 = 0.5;  t=1: 0.5·1/2 = 0.25;  t=2: 0.5·1/3 = 0.1666…;  t=3: 0.5·1/4 = 0.125
        var lr = Trace(schedule, optimizer, 3);
        lr[0].Should().Be(0.5);
        lr[1].Should().Be(0.25);
        lr[2].Should().BeApproximately(1.0 / 6, Tol);
        lr[3].Should().Be(0.125);
    }

    [Fact]
    public void LambdaLR_takes_one_function_per_group()
    {
        var optimizer = ScheduleTraces.GroupedOptimizer([1.0, 0.1]);
        var schedule = new LambdaLR(optimizer, [t => Math.Pow(0.5, t), t => t + 1.0]);
        // group 0: 1·0.5⁰ = 1, 1·0.5¹ = 0.5;  group 1: 0.1·1 = 0.1, 0.1·2 = 0.2
        schedule.CurrentLearningRates.Should().Equal(1, 0.1);
        schedule.Step();
        schedule.CurrentLearningRates.Should().Equal(0.5, 0.2);
        var act = () => new LambdaLR(optimizer, [t => 1.0]);
        act.Should().Throw<ArgumentException>().WithParameterName("lrLambdas").WithMessage("*2 target(s)*1 function(s)*");
    }

    [Fact]
    public void MultiplicativeLR_multiplies_the_current_rate_from_epoch_1()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new MultiplicativeLR(optimizer, t => t == 2 ? 2.0 : 0.5);
        // t=0: 1 (unchanged);  t=1: 1·0.5 = 0.5;  t=2: 0.5·2 = 1;  t=3: 1·0.5 = 0.5
        Trace(schedule, optimizer, 3).Should().Equal(1, 0.5, 1, 0.5);
    }

    [Fact]
    public void A_lambda_that_gives_a_negative_rate_throws_and_changes_nothing()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new LambdaLR(optimizer, t => 1 - t);
        var act = () => schedule.Step();   // t=1: 1·0 = 0 is fine
        act.Should().NotThrow();
        act.Should().Throw<ArgumentOutOfRangeException>();   // t=2: 1·(−1)
        optimizer.LearningRate.Should().Be(0);
        schedule.Epoch.Should().Be(1);
    }

    [Fact]
    public void ChainedScheduler_steps_every_schedule_in_order()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var constant = new ConstantLR(optimizer, factor: 0.5, totalIters: 2);   // sets 1·0.5 = 0.5
        var exponential = new ExponentialLR(optimizer, 0.5);                    // keeps 0.5, η₀ = 1 shared
        var chain = new ChainedScheduler([constant, exponential]);
        // t=1: ConstantLR keeps 0.5, ExponentialLR 0.5·0.5 = 0.25
        // t=2: ConstantLR 0.25·(1/0.5) = 0.5, ExponentialLR 0.5·0.5 = 0.25
        // t=3: ConstantLR keeps 0.25, ExponentialLR 0.125
        Trace(chain, optimizer, 3).Should().Equal(0.5, 0.25, 0.25, 0.125);
        chain.Epoch.Should().Be(3);
        chain.CurrentLearningRate.Should().Be(0.125);
        constant.Epoch.Should().Be(3);
        exponential.BaseLearningRate.Should().Be(1);
    }

    [Fact]
    public void ChainedScheduler_refuses_bad_lists()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var other = ScheduleTraces.Optimizer(1.0);
        var a = new ExponentialLR(optimizer, 0.9);
        ((Action)(() => _ = new ChainedScheduler([]))).Should().Throw<ArgumentException>().WithParameterName("schedules");
        ((Action)(() => _ = new ChainedScheduler([a, a]))).Should().Throw<ArgumentException>().WithMessage("*more than once*");
        ((Action)(() => _ = new ChainedScheduler([a, new StepLR(other, 2)]))).Should().Throw<ArgumentException>().WithMessage("*same one*");
        ((Action)(() => _ = new ChainedScheduler(null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void CyclicLR_triangle_and_its_scalings()
    {
        // S = 2 + 2 = 4, r = 0.5:  t=1: cycle ⌊1.25⌋ = 1, x = 0.25 ≤ r → s = 0.5;  t=2: x = 0.5 → s = 1;
        // t=3: x = 0.75 → s = (0.75 − 1)/(0.5 − 1) = 0.5;  t=4: cycle 2, x = 0 → s = 0;  t=6: x = 0.5 → s = 1
        var optimizer = ScheduleTraces.Optimizer(123);   // ignored: set to η_base
        var triangular = new CyclicLR(optimizer, 0.1, 1.0, stepSizeUp: 2, cycleMomentum: false);
        var lr = Trace(triangular, optimizer, 6);
        lr[0].Should().Be(0.1);
        lr[1].Should().BeApproximately(0.55, Tol);   // 0.1 + 0.9·0.5
        lr[2].Should().Be(1.0);                       // 0.1 + 0.9·1
        lr[3].Should().BeApproximately(0.55, Tol);
        lr[4].Should().Be(0.1);
        lr[6].Should().Be(1.0);

        var optimizer2 = ScheduleTraces.Optimizer(1);
        var halving = new CyclicLR(optimizer2, 0.1, 1.0, stepSizeUp: 2, mode: CyclicMode.Triangular2, cycleMomentum: false);
        Trace(halving, optimizer2, 6)[6].Should().BeApproximately(0.55, Tol);   // cycle 2: 0.1 + 0.9·1·1/2

        var optimizer3 = ScheduleTraces.Optimizer(1);
        var exp = new CyclicLR(optimizer3, 0.1, 1.0, stepSizeUp: 2, mode: CyclicMode.ExpRange, gamma: 0.5, cycleMomentum: false);
        var e = Trace(exp, optimizer3, 2);
        e[1].Should().BeApproximately(0.325, Tol);   // 0.1 + 0.9·0.5·0.5¹
        e[2].Should().BeApproximately(0.325, Tol);   // 0.1 + 0.9·1·0.5²
        exp.ScaleMode.Should().Be(CycleScale.Iterations, "exp_range scales by the step, as torch");

        var optimizer4 = ScheduleTraces.Optimizer(1);
        var custom = new CyclicLR(optimizer4, 0.1, 1.0, stepSizeUp: 1, stepSizeDown: 3, scaleFunction: c => 1 / c, cycleMomentum: false);
        // S = 4, r = 0.25:  t=1: x = 0.25 → s = 1, cycle 1 → 1;  t=5: cycle 2 → 0.1 + 0.9·1·1/2 = 0.55
        var c = Trace(custom, optimizer4, 5);
        c[1].Should().Be(1.0);
        c[2].Should().BeApproximately(0.1 + 0.9 * (2.0 / 3), Tol);   // x = 0.5 → s = (0.5 − 1)/(0.25 − 1) = 2/3
        c[5].Should().BeApproximately(0.55, Tol);
    }

    [Fact]
    public void SWALR_anneals_to_the_swa_rate_and_holds_it()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new SWALR(optimizer, swaLearningRate: 0.1, annealEpochs: 2, annealStrategy: AnnealStrategy.Linear);
        // t=0: α(0) = 0 → 1;  t=1: α(0) = 0 → η_prev = 1, α(1/2) = 0.5 → 0.1·0.5 + 1·0.5 = 0.55
        // t=2: α(tₑ₋₁) = α(1/2) = 0.5 → η_prev = (0.55 − 0.5·0.1)/(1 − 0.5) = 1, α(1) = 1 → 0.1·1 + 1·0 = 0.1
        // t=3: α(tₑ₋₁) = 1 → η_prev = η_swa = 0.1, α = 1 → 0.1
        var lr = Trace(schedule, optimizer, 3);
        lr[0].Should().Be(1);
        lr[1].Should().BeApproximately(0.55, Tol);
        lr[2].Should().BeApproximately(0.1, Tol);
        lr[3].Should().Be(0.1);
    }

    [Fact]
    public void CyclicLR_cycles_momentum_inversely()
    {
        var optimizer = new Momentum(Weights(), 0.3, momentum: 0.5);
        var schedule = new CyclicLR(optimizer, 0.1, 1.0, stepSizeUp: 2);   // base 0.8, max 0.9
        // μ = 0.9 − 0.1·s:  s = 0, 0.5, 1, 0.5, 0 → 0.9, 0.85, 0.8, 0.85, 0.9
        var m = Trace(schedule, optimizer, 4, () => optimizer.MomentumFactor);
        m[0].Should().Be(0.9, "building the schedule sets μ_max, as torch");
        m[1].Should().BeApproximately(0.85, Tol);
        m[2].Should().BeApproximately(0.8, Tol);
        m[3].Should().BeApproximately(0.85, Tol);
        m[4].Should().Be(0.9);
    }

    [Fact]
    public void OneCycleLR_cycles_beta1_of_Adam_inversely()
    {
        var optimizer = new Adam(Weights(), 0.001, beta1: 0.5);
        var schedule = new OneCycleLR(optimizer, maxLearningRate: 1, totalSteps: 10, pctStart: 0.2,
                                      annealStrategy: AnnealStrategy.Linear, divFactor: 4, finalDivFactor: 10);
        // phase 1 ends at 0.2·10 − 1 = 1: β₁ 0.95 → 0.85;  phase 2 from 1 to 9: 0.85 → 0.95
        var b = Trace(schedule, optimizer, 9, () => optimizer.Beta1);
        b[0].Should().Be(0.95);                          // (0.85 − 0.95)·0 + 0.95
        b[1].Should().BeApproximately(0.85, Tol);        // pct 1
        b[5].Should().BeApproximately(0.9, Tol);         // pct 4/8: (0.95 − 0.85)·0.5 + 0.85
        b[9].Should().BeApproximately(0.95, Tol);
    }

    public static TheoryData<string> RulesWithoutMomentum() => ["GradientDescent", "AdaGrad", "AdaDelta"];

    [Theory]
    [MemberData(nameof(RulesWithoutMomentum))]
    public void Cycling_a_rule_without_momentum_or_beta1_says_how_to_avoid_it_and_changes_nothing(string rule)
    {
        Optimizer<double> optimizer = rule switch
        {
            "GradientDescent" => new GradientDescent(Weights(), 0.1),
            "AdaGrad" => new AdaGrad(Weights(), 0.1),
            _ => new AdaDelta(Weights(), 0.1),
        };
        ((Action)(() => _ = new OneCycleLR(optimizer, 1, 10))).Should().Throw<ArgumentException>()
            .WithParameterName("cycleMomentum").WithMessage($"*{rule}*cycleMomentum: false*Momentum*");
        ((Action)(() => _ = new CyclicLR(optimizer, 0.01, 0.1))).Should().Throw<ArgumentException>()
            .WithParameterName("cycleMomentum");
        optimizer.LearningRate.Should().Be(0.1, "CyclicLR checks before it sets the base learning rate");
        _ = new OneCycleLR(optimizer, 1, 10, cycleMomentum: false);
    }

    [Fact]
    public void Cycling_over_groups_needs_every_group_to_have_momentum()
    {
        var groups = new ParameterGroups([new Momentum(Weights(), 0.1), new Momentum([new Parameter("b", [1.0])], 0.1)]);
        _ = new CyclicLR(groups, 0.01, 0.1, stepSizeUp: 2);
        groups.Groups.Cast<Momentum>().Select(m => m.MomentumFactor).Should().Equal(0.9, 0.9);
    }

    [Fact]
    public void Momentum_and_beta1_setters_validate_like_the_learning_rate()
    {
        var adam = new Adam(Weights(), 0.01);
        ((Action)(() => adam.Beta1 = 1.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Beta1");
        ((Action)(() => adam.Beta1 = double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
        adam.Beta1.Should().Be(0.9);
        var nesterov = new Momentum(Weights(), 0.01, momentum: 0.9, nesterov: true);
        ((Action)(() => nesterov.MomentumFactor = 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MomentumFactor");
        ((Action)(() => nesterov.MomentumFactor = -0.1)).Should().Throw<ArgumentOutOfRangeException>();
        nesterov.MomentumFactor.Should().Be(0.9);
        nesterov.MomentumFactor = 0.5;
        nesterov.MomentumFactor.Should().Be(0.5);
    }

    [Fact]
    public void A_changed_beta1_steps_as_a_fresh_optimizer_built_with_it()
    {
        // The per-step scalars depend on β₁: after a change they are formed again.
        var a = new Adam(Weights(), 0.01, beta1: 0.9);
        var b = new Adam(Weights(), 0.01, beta1: 0.8);
        a.Beta1 = 0.8;
        foreach (var o in new[] { a, b })
        {
            o.Parameters[0].Gradient.SetValues([0.5, -1.0]);
            o.Step();
        }

        a.Parameters[0].Value.Should().Equal(b.Parameters[0].Value);
    }

    [Fact]
    public void Checkpoints_save_and_restore_the_cycled_value_as_a_setting()
    {
        var optimizer = new Adam(Weights(), 0.01);
        var schedule = new CyclicLR(optimizer, 0.001, 0.01, stepSizeUp: 4);
        optimizer.Step();
        schedule.Step();
        optimizer.Beta1.Should().BeApproximately(0.875, Tol);   // 0.9 − 0.1·0.25
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, optimizer.Parameters);

        var fresh = new Adam(Weights(), 0.01);
        stream.Position = 0;
        Checkpoint.Load(stream, fresh, fresh.Parameters);
        fresh.Beta1.Should().Be(optimizer.Beta1, "the live β₁ is a setting, restored");

        var uncycled = new Adam(Weights(), 0.01);
        using var plain = new MemoryStream();
        Checkpoint.Save(plain, uncycled, uncycled.Parameters);
        plain.Position = 0;
        Checkpoint.Load(plain, fresh, fresh.Parameters);
        fresh.Beta1.Should().Be(0.9, "a checkpoint without the setting puts the constructor's β₁ back");

        var other = new Adam(Weights(), 0.01, beta1: 0.8);
        stream.Position = 0;
        ((Action)(() => Checkpoint.Load(stream, other, other.Parameters))).Should().Throw<CheckpointException>(
            "the constructor's β₁ is still a compared hyperparameter");
    }
}
