using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>The first epochs of every schedule, worked out by hand (the arithmetic is beside each number).</summary>
public class ScheduleHandWorkedTests
{
    private const double Tol = 1e-15;

    /// <summary>The learning rate at epochs 0 … steps (epoch 0 is the value set by the constructor).</summary>
    private static double[] Trace(ILearningRateSchedule schedule, IOptimizer optimizer, int steps)
    {
        var lrs = new List<double> { optimizer.LearningRate };
        for (int i = 0; i < steps; i++)
        {
            schedule.Step();
            lrs.Add(optimizer.LearningRate);
        }

        return lrs.ToArray();
    }

    [Fact]
    public void StepLR_halves_every_second_epoch()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new StepLR(optimizer, stepSize: 2, gamma: 0.5);
        schedule.BaseLearningRate.Should().Be(1.0);
        // t=0: 1;  t=1: 1 (1 mod 2 ≠ 0);  t=2: 1·0.5 = 0.5;  t=3: 0.5;  t=4: 0.5·0.5 = 0.25
        Trace(schedule, optimizer, 4).Should().Equal(1, 1, 0.5, 0.5, 0.25);
        schedule.Epoch.Should().Be(4);
    }

    [Fact]
    public void MultiStepLR_counts_a_repeated_milestone_twice()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new MultiStepLR(optimizer, [2, 2, 3], gamma: 0.5);
        // t=0,1: 1;  t=2: 1·0.5² = 0.25 (milestone 2 listed twice);  t=3: 0.25·0.5 = 0.125;  t=4: 0.125
        Trace(schedule, optimizer, 4).Should().Equal(1, 1, 0.25, 0.125, 0.125);
    }

    [Fact]
    public void ExponentialLR_multiplies_every_epoch()
    {
        var optimizer = ScheduleTraces.Optimizer(2.0);
        // 2;  2·0.5 = 1;  1·0.5 = 0.5;  0.5·0.5 = 0.25
        Trace(new ExponentialLR(optimizer, 0.5), optimizer, 3).Should().Equal(2, 1, 0.5, 0.25);
    }

    [Fact]
    public void CosineAnnealingLR_falls_over_T_max_then_climbs_back()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        double[] lr = Trace(new CosineAnnealingLR(optimizer, tMax: 2), optimizer, 4);
        lr[0].Should().Be(1);
        // t=1: (1 + cos(π/2)) / (1 + cos 0) · (1 − 0) + 0 = 1/2
        lr[1].Should().BeApproximately(0.5, Tol);
        // t=2: (1 + cos π) / (1 + cos(π/2)) · 0.5 = 0
        lr[2].Should().Be(0);
        // t=3: (3 − 1 − 2) mod 4 = 0 → 0 + (1 − 0)·(1 − cos(π/2))/2 = 1/2
        lr[3].Should().BeApproximately(0.5, Tol);
        // t=4: (1 + cos 2π) / (1 + cos(3π/2)) · 0.5 = 2 · 0.5 = 1
        lr[4].Should().BeApproximately(1, Tol);
    }

    [Fact]
    public void CosineAnnealingLR_recursive_form_tracks_the_closed_form()
    {
        var optimizer = ScheduleTraces.Optimizer(0.1);
        double[] lr = Trace(new CosineAnnealingLR(optimizer, tMax: 20, etaMin: 0.01), optimizer, 60);
        for (int t = 0; t < lr.Length; t++)
        {
            double closed = 0.01 + (0.1 - 0.01) * (1 + Math.Cos(Math.PI * t / 20)) / 2;
            lr[t].Should().BeApproximately(closed, 1e-15, $"epoch {t}");
        }
    }

    [Fact]
    public void CosineAnnealingWarmRestarts_doubles_its_period()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new CosineAnnealingWarmRestarts(optimizer, t0: 2, tMult: 2);
        double[] lr = Trace(schedule, optimizer, 6);
        lr[0].Should().Be(1);                                              // T_cur 0, T_i 2: (1 + cos 0)/2
        lr[1].Should().BeApproximately(0.5, Tol);                          // T_cur 1/2: (1 + cos(π/2))/2
        lr[2].Should().Be(1);                                              // restart: T_cur 0, T_i 4
        lr[3].Should().BeApproximately((1 + Math.Sqrt(0.5)) / 2, Tol);     // 1/4: (1 + cos(π/4))/2 ≈ 0.8536
        lr[4].Should().BeApproximately(0.5, Tol);                          // 2/4: (1 + cos(π/2))/2
        lr[5].Should().BeApproximately((1 - Math.Sqrt(0.5)) / 2, Tol);     // 3/4: (1 + cos(3π/4))/2 ≈ 0.1464
        lr[6].Should().Be(1);                                              // restart: T_cur 0, T_i 8
        schedule.TI.Should().Be(8);
        schedule.TCur.Should().Be(0);
    }

    [Fact]
    public void LinearLR_warms_up_from_start_factor_to_end_factor()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        // t=0: 1·0.25
        // t=1: 0.25·(1 + 0.75/(3·0.25 + 0·0.75)) = 0.25·2 = 0.5
        // t=2: 0.5·(1 + 0.75/(0.75 + 1·0.75)) = 0.5·1.5 = 0.75
        // t=3: 0.75·(1 + 0.75/(0.75 + 2·0.75)) = 0.75·(4/3) = 1
        // t=4: past N: unchanged
        double[] lr = Trace(new LinearLR(optimizer, startFactor: 0.25, endFactor: 1, totalIters: 3), optimizer, 4);
        lr.Should().Equal(0.25, 0.5, 0.75, 1, 1);
    }

    [Fact]
    public void PolynomialLR_decays_to_zero_at_total_iters()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        double[] lr = Trace(new PolynomialLR(optimizer, totalIters: 4, power: 2), optimizer, 5);
        // t=1: 1·((1 − 1/4)/(1 − 0))² = 0.5625;  t=2: 0.5625·(0.5/0.75)² = 0.25
        // t=3: 0.25·(0.25/0.5)² = 0.0625;  t=4: 0.0625·(0/0.25)² = 0;  t=5: 0 (past N)
        lr.Should().Equal(1, 0.5625, 0.25, 0.0625, 0, 0);
    }

    [Fact]
    public void OneCycleLR_linear_two_phases()
    {
        var optimizer = ScheduleTraces.Optimizer(123);   // ignored: η₀ = η_max / d
        var schedule = new OneCycleLR(optimizer, maxLearningRate: 1, totalSteps: 10, pctStart: 0.2,
                                      annealStrategy: AnnealStrategy.Linear, divFactor: 4, finalDivFactor: 10, cycleMomentum: false);
        schedule.BaseLearningRate.Should().Be(0.25);   // 1 / 4
        schedule.MinLearningRate.Should().Be(0.025);   // 0.25 / 10
        double[] lr = Trace(schedule, optimizer, 10);
        // phase 1 ends at 0.2·10 − 1 = 1:  t=0: 0.25;  t=1: (1 − 0.25)·1 + 0.25 = 1
        lr[0].Should().Be(0.25);
        lr[1].Should().Be(1);
        // phase 2 from 1 to 9:  t=2: pct 1/8 → (0.025 − 1)·0.125 + 1 = 0.878125;  t=5: pct 1/2 → 0.5125
        lr[2].Should().BeApproximately(0.878125, Tol);
        lr[5].Should().BeApproximately(0.5125, Tol);
        lr[9].Should().BeApproximately(0.025, Tol);
        // t=10: pct 9/8 → −0.975·1.125 + 1 = −0.096875 in torch; clamped at 0 here
        lr[10].Should().Be(0);

        var act = () => schedule.Step();
        act.Should().Throw<InvalidOperationException>().WithMessage("*10 steps*");
        schedule.Epoch.Should().Be(10);
        optimizer.LearningRate.Should().Be(0);
    }

    [Fact]
    public void OneCycleLR_cosine_three_phases()
    {
        var optimizer = ScheduleTraces.Optimizer(0.5);
        var schedule = new OneCycleLR(optimizer, maxLearningRate: 1, totalSteps: 10, pctStart: 0.3,
                                      divFactor: 4, finalDivFactor: 10, threePhase: true, cycleMomentum: false);
        double[] lr = Trace(schedule, optimizer, 9);
        // phases end at 0.3·10 − 1 = 2, 2·0.3·10 − 2 = 4, 9
        lr[0].Should().Be(0.25);                                   // 1 + (0.25 − 1)/2·(cos 0 + 1)
        lr[1].Should().BeApproximately(0.625, Tol);                // pct 1/2: 1 + (−0.75)/2·(cos(π/2) + 1)
        lr[2].Should().Be(1);                                      // pct 1: 1 + (−0.375)·(cos π + 1)
        lr[3].Should().BeApproximately(0.625, Tol);                // back down: pct 1/2 of 1 → 0.25
        lr[4].Should().BeApproximately(0.25, Tol);
        lr[9].Should().BeApproximately(0.025, Tol);                // end of phase 3: η_min
    }

    [Fact]
    public void SequentialLR_warm_up_then_exponential()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var warmUp = new LinearLR(optimizer, startFactor: 0.5, endFactor: 1, totalIters: 2);
        var decay = new ExponentialLR(optimizer, gamma: 0.5);   // constructed at η = 0.5, but shares η₀ = 1
        var schedule = new SequentialLR(optimizer, [warmUp, decay], [2]);
        decay.BaseLearningRate.Should().Be(1);
        decay.Epoch.Should().Be(-1);   // not started yet
        // t=0: 1·0.5;  t=1: 0.5·(1 + 0.5/(2·0.5)) = 0.75
        // t=2 (milestone): ExponentialLR restarts, closed form 1·0.5⁰ = 1;  t=3: 0.5;  t=4: 0.25
        Trace(schedule, optimizer, 4).Should().Equal(0.5, 0.75, 1, 0.5, 0.25);
        schedule.ActiveIndex.Should().Be(1);
        decay.Epoch.Should().Be(2);
    }

    [Fact]
    public void SequentialLR_takes_the_base_from_the_schedule_built_first_even_when_it_runs_second()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var warmUp = new LinearLR(optimizer, startFactor: 0.5, endFactor: 1, totalIters: 2);   // built first, at η = 1; sets 0.5
        var decay = new ExponentialLR(optimizer, gamma: 0.5);                                  // built second, at η = 0.5
        var schedule = new SequentialLR(optimizer, [decay, warmUp], [2]);                        // runs first
        schedule.BaseLearningRate.Should().Be(1, "η₀ is the learning rate before the first-built schedule changed it");
        decay.BaseLearningRate.Should().Be(1);
        // t=0: ExponentialLR restarts from η₀ = 1;  t=1: 0.5
        // t=2 (milestone): LinearLR restarts, closed form 1·0.5 = 0.5;  t=3: 0.5·(1 + 0.5/(2·0.5)) = 0.75;
        // t=4: 0.75·(1 + 0.5/(2·0.5 + 0.5)) = 1.  (With η₀ from the schedule listed first, 0.5, every value would halve.)
        Trace(schedule, optimizer, 4).Should().Equal(1, 0.5, 0.5, 0.75, 1);
    }

    [Fact]
    public void Recursive_forms_carry_a_manual_change_forward_as_in_torch()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new ExponentialLR(optimizer, 0.5);
        schedule.Step();                 // 0.5
        optimizer.LearningRate = 4;      // changed by hand
        schedule.CurrentLearningRate.Should().Be(0.5);
        schedule.Step();                 // 4·0.5
        optimizer.LearningRate.Should().Be(2);
    }

    [Fact]
    public void ReduceLROnPlateau_patience_threshold_and_cooldown()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new ReduceLROnPlateau(optimizer, PlateauMode.Min, factor: 0.5, patience: 1, threshold: 0.1,
                                             thresholdMode: ThresholdMode.Absolute, cooldown: 1);
        // metric   better than best − 0.1?   bad   cooldown   η
        // 1.00     yes (best +∞)             0     0          1
        // 0.95     no (needs < 0.9)          1     0          1
        // 0.95     no                        2 > 1 → reduce   0.5, cooldown 1, bad 0
        // 0.95     no, in cooldown           0     0          0.5
        // 0.95     no                        1     0          0.5
        // NaN      never better              2 > 1 → reduce   0.25
        // 0.50     yes                       0     1          0.25
        double[] metrics = [1.0, 0.95, 0.95, 0.95, 0.95, double.NaN, 0.5];
        double[] expected = [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25];
        for (int i = 0; i < metrics.Length; i++)
        {
            schedule.Step(metrics[i]);
            optimizer.LearningRate.Should().Be(expected[i], $"after metric {i}");
        }

        schedule.Best.Should().Be(0.5);
        schedule.Epoch.Should().Be(7);
    }

    [Fact]
    public void ReduceLROnPlateau_respects_min_learning_rate_and_eps()
    {
        var optimizer = ScheduleTraces.Optimizer(1.0);
        var schedule = new ReduceLROnPlateau(optimizer, PlateauMode.Max, factor: 0.1, patience: 0, minLearningRate: 0.05, eps: 0.01);
        schedule.Step(1).Should().BeFalse();    // first metric: improvement
        schedule.Step(1).Should().BeTrue();     // bad 1 > 0: max(1·0.1, 0.05) = 0.1
        optimizer.LearningRate.Should().Be(0.1);
        schedule.Step(1).Should().BeTrue();     // max(0.01, 0.05) = 0.05; 0.1 − 0.05 > 0.01
        optimizer.LearningRate.Should().Be(0.05);
        schedule.Step(1).Should().BeFalse();    // max(0.005, 0.05) = 0.05: 0.05 − 0.05 = 0 ≤ eps, unchanged
        optimizer.LearningRate.Should().Be(0.05);
    }
}
