using System.Numerics;
using Optimizers.Checkpoints;
using Optimizers.Tests.TestSupport;
using Xunit.Abstractions;
using static Optimizers.Tests.Family.HandWorked;

namespace Optimizers.Tests.ScheduleFree;

/// <summary>
/// Schedule-free SGD and AdamW: steps worked by hand (every number below is exact in binary unless said otherwise),
/// the modes and their switches, the round trip, checkpoints and groups.
/// </summary>
public sealed class ScheduleFreeTests(ITestOutputHelper output)
{
    [Fact]
    public void Sgd_two_steps_by_hand()
    {
        var p = Param("p", 1.0, -2.0);
        var sgd = new ScheduleFreeSgd([p], learningRate: 0.5, momentum: 0.5);

        // Step 1: z₀ = y₀ = (1, −2). γ = 0.5, γmax = 0.5, w = 1⁰·0.5² = 0.25, W = 0.25, c = 1.
        //   y₁ = lerp(y₀, z₀, 1) + 0.5·(0.5·(1 − 1) − 1)·g = z₀ − 0.5·g = (1 − 0.25, −2 − 0.5) = (0.75, −2.5);  z₁ = z₀ − 0.5·g = y₁.
        Feed(p, 0.5, 1.0);
        sgd.Step();
        ShouldBeClose(p.Value.AsArray(), 0.75, -2.5);
        ShouldBeClose(sgd.GetState("z", 0), 0.75, -2.5);
        sgd.WeightSum.Should().Be(0.25);
        sgd.MaxLearningRate.Should().Be(0.5);

        // Step 2: w = 0.25, W = 0.5, c = 0.5.  lerp(y₁, z₁, 0.5) = z₁ = (0.75, −2.5) (y₁ = z₁).
        //   a = 0.5·(0.5·(1 − 0.5) − 1) = −0.375:  y₂ = (0.75 − 0.375·1, −2.5 + 0.375·0.5) = (0.375, −2.3125)
        //   z₂ = z₁ − 0.5·g = (0.75 − 0.5, −2.5 + 0.25) = (0.25, −2.25)
        Feed(p, 1.0, -0.5);
        sgd.Step();
        ShouldBeClose(p.Value.AsArray(), 0.375, -2.3125);
        ShouldBeClose(sgd.GetState("z", 0), 0.25, -2.25);

        // Eval: x = lerp(y₂, z₂, 1 − 1/0.5 = −1) = 2·y₂ − z₂ = (0.5, −2.375); the paper's x₂ = ½·x₁ + ½·z₂ with x₁ = z₁ gives the same.
        sgd.Eval();
        sgd.IsTraining.Should().BeFalse();
        ShouldBeClose(p.Value.AsArray(), 0.5, -2.375);

        // Train: y = lerp(x, z₂, 0.5) = z₂ − (z₂ − x)·0.5 = (0.25 + 0.125, −2.25 − 0.0625) = (0.375, −2.3125) = y₂.
        sgd.Train();
        ShouldBeClose(p.Value.AsArray(), 0.375, -2.3125);
    }

    [Fact]
    public void Sgd_with_warmup_and_weight_decay_two_steps_by_hand()
    {
        var p = Param("p", 1.0, -2.0);
        var sgd = new ScheduleFreeSgd([p], learningRate: 0.5, momentum: 0.5, weightDecay: 0.5, warmupSteps: 2, weightLrPower: 0);

        // Step 1: γ = 0.5·(1/2) = 0.25, w = 1·0.25⁰ = 1, W = 1, c = 1.  u = g + 0.5·y₀ = (0.5 + 0.5, 1 − 1) = (1, 0).
        //   y₁ = z₀ − 0.25·u = (0.75, −2) = z₁.
        Feed(p, 0.5, 1.0);
        sgd.Step();
        ShouldBeClose(p.Value.AsArray(), 0.75, -2.0);

        // Step 2: γ = 0.5·(2/2) = 0.5, w = 1, W = 2, c = 0.5.  u = (1 + 0.375, −0.5 − 1) = (1.375, −1.5).
        //   a = 0.5·(0.5·0.5 − 1) = −0.375:  y₂ = (0.75 − 0.515625, −2 + 0.5625) = (0.234375, −1.4375)
        //   z₂ = (0.75 − 0.6875, −2 + 0.75) = (0.0625, −1.25)
        Feed(p, 1.0, -0.5);
        sgd.Step();
        ShouldBeClose(p.Value.AsArray(), 0.234375, -1.4375);
        ShouldBeClose(sgd.GetState("z", 0), 0.0625, -1.25);
        sgd.WeightSum.Should().Be(2);
        sgd.MaxLearningRate.Should().Be(0.5);

        // x = 2·y₂ − z₂ = (0.40625, −1.625) = ½·x₁ + ½·z₂ with x₁ = (0.75, −2).
        sgd.Eval();
        ShouldBeClose(p.Value.AsArray(), 0.40625, -1.625);
    }

    [Fact]
    public void AdamW_two_steps_by_hand()
    {
        var p = Param("p", 1.0, -2.0);
        var adam = new ScheduleFreeAdamW([p], learningRate: 0.5, beta1: 0.5, beta2: 0.75, epsilon: 0, weightDecay: 0.5);

        // Step 1: b₂ = 1 − 0.75 = 0.25.  v = 0.25·g² = (0.0625, 0.25);  √(v/b₂) = (0.5, 1);  g/d = (1, −1).
        //   u = g/d + 0.5·y₀ = (1.5, −2).  γ = 0.5, c = 1:  y₁ = z₀ − 0.5·u = (0.25, −1) = z₁.
        Feed(p, 0.5, -1.0);
        adam.Step();
        ShouldBeClose(p.Value.AsArray(), 0.25, -1.0);
        ShouldBeClose(adam.GetState("exp_avg_sq", 0), 0.0625, 0.25);

        // Step 2: b₂ = 1 − 0.5625 = 0.4375 = 7/16.  v = 0.75·v + 0.25·g² = (3/64 + 25/64, 3/16 + 1/16) = (7/16, 7/16);
        //   √(v/b₂) = 1, so g/d = g = (1.25, 1);  u = (1.25 + 0.125, 1 − 0.5) = (1.375, 0.5).
        //   w = 0.25, W = 0.5, c = 0.5, a = 0.5·(0.5·0.5 − 1) = −0.375:
        //   y₂ = z₁ − 0.375·u = (0.25 − 0.515625, −1 − 0.1875) = (−0.265625, −1.1875);  z₂ = z₁ − 0.5·u = (−0.4375, −1.25)
        Feed(p, 1.25, 1.0);
        adam.Step();
        ShouldBeClose(adam.GetState("exp_avg_sq", 0), 0.4375, 0.4375);
        ShouldBeClose(p.Value.AsArray(), -0.265625, -1.1875);
        ShouldBeClose(adam.GetState("z", 0), -0.4375, -1.25);

        // x = lerp(y₂, z₂, −1) = 2·y₂ − z₂ = (−0.09375, −1.125) = ½·x₁ + ½·z₂ with x₁ = (0.25, −1).
        adam.Eval();
        ShouldBeClose(p.Value.AsArray(), -0.09375, -1.125);
    }

    [Fact]
    public void A_new_optimizer_trains_and_switches_move_nothing_before_the_first_step()
    {
        var p = Param("p", 1.0, -2.0);
        var adam = new ScheduleFreeAdamW([p]);
        adam.IsTraining.Should().BeTrue();
        adam.MaxLearningRate.Should().Be(-1);
        adam.WeightSum.Should().Be(0);
        adam.Eval();
        adam.IsTraining.Should().BeFalse();
        p.Value.AsArray().Should().Equal(1.0, -2.0);
        adam.Train();
        adam.Train();
        p.Value.AsArray().Should().Equal(1.0, -2.0);

        // z is the parameter as it is at the first step (set after construction here), as the reference clones it then.
        p.Value[0] = 3.0;
        Feed(p, 0, 0);
        adam.Step();
        adam.GetState("z", 0).ToArray().Should().Equal(3.0, -2.0);
        p.Value.AsArray().Should().Equal(3.0, -2.0);
    }

    [Fact]
    public void Step_in_eval_mode_throws_and_changes_nothing()
    {
        foreach (var policy in Enum.GetValues<NonFiniteGradientPolicy>())
        {
            var p = Param("p", 1.0, -2.0);
            var sgd = new ScheduleFreeSgd([p], learningRate: 0.1) { NonFiniteGradients = policy };
            Feed(p, 0.5, 1.0);
            sgd.Step();
            sgd.Eval();
            Feed(p, double.NaN, 1.0);
            var snapshot = Snapshot.Of(sgd);
            (double sum, double max) = (sgd.WeightSum, sgd.MaxLearningRate);
            sgd.Invoking(s => s.Step()).Should().Throw<InvalidOperationException>().WithMessage("*evaluation mode*Train()*");
            sgd.Invoking(s => s.TryStep()).Should().Throw<InvalidOperationException>();
            snapshot.ShouldBeUnchanged();
            sgd.SkippedStepCount.Should().Be(0);
            (sgd.WeightSum, sgd.MaxLearningRate).Should().Be((sum, max));
            sgd.IsTraining.Should().BeFalse();
        }
    }

    [Fact]
    public void ParameterGroups_with_a_group_in_eval_mode_throw_and_change_nothing()
    {
        var a = Param("a", 1.0, -2.0);
        var b = Param("b", 0.5);
        var first = new ScheduleFreeAdamW([a]);
        var second = new ScheduleFreeAdamW([b], learningRate: 0.01);
        var groups = new ParameterGroups([first, second]);
        Feed(a, 0.5, 1.0);
        Feed(b, 0.25);
        groups.Step();
        second.Eval();
        var snapshots = new[] { Snapshot.Of(first), Snapshot.Of(second) };
        groups.Invoking(g => g.Step()).Should().Throw<InvalidOperationException>();
        foreach (var s in snapshots)
        {
            s.ShouldBeUnchanged();
        }

        second.Train();
        groups.Step();
        first.StepCount.Should().Be(2);
        second.StepCount.Should().Be(2);
    }

    [Fact]
    public void Bad_hyperparameters_throw_naming_the_parameter()
    {
        var p = Param("p", 1.0);
        foreach (double beta in new[] { 0.0, 1.0, -0.1, double.NaN })
        {
            FluentActions.Invoking(() => new ScheduleFreeSgd([p], momentum: beta)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("momentum");
            FluentActions.Invoking(() => new ScheduleFreeAdamW([p], beta1: beta)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("beta1");
        }

        FluentActions.Invoking(() => new ScheduleFreeAdamW([p], beta2: 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("beta2");
        FluentActions.Invoking(() => new ScheduleFreeAdamW([p], epsilon: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("epsilon");
        FluentActions.Invoking(() => new ScheduleFreeSgd([p], weightDecay: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weightDecay");
        FluentActions.Invoking(() => new ScheduleFreeSgd([p], warmupSteps: -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("warmupSteps");
        FluentActions.Invoking(() => new ScheduleFreeSgd([p], r: double.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("r");
        FluentActions.Invoking(() => new ScheduleFreeAdamW([p], weightLrPower: -2)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weightLrPower");
    }

    /// <summary>The figure the documentation quotes (ScheduleFreeOptimizer's remarks): Eval() then Train() returns y within 3 ulps of max(|y|, |z|).</summary>
    [Fact]
    public void Eval_then_Train_returns_y_within_three_ulps()
    {
        double worst64 = RoundTripUlps<double>();
        double worst32 = RoundTripUlps<float>();
        output.WriteLine($"round trip, worst in ulps of max(|y|, |z|): float64 {worst64}, float32 {worst32}");
        worst64.Should().BeLessThanOrEqualTo(3);
        worst32.Should().BeLessThanOrEqualTo(3);
        (worst64 + worst32).Should().BeGreaterThan(0, "the round trip is not exact in general (else the documentation should say so)");
    }

    private static double RoundTripUlps<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int n = 250_000;
        var random = new Random(7);
        double worst = 0;
        foreach (double beta in new[] { 0.9, 0.5, 0.95, 0.99 })
        {
            var y = new T[n];
            var z = new T[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = T.CreateTruncating(random.NextDouble() * 2 - 1);
                z[i] = T.CreateTruncating(random.NextDouble() * 2 - 1);
            }

            var p = y.ToArray();
            ScheduleFreeKernel.Interpolate<T>(p, z, 1 - 1 / beta);
            ScheduleFreeKernel.Interpolate<T>(p, z, 1 - beta);
            for (int i = 0; i < n; i++)
            {
                T scale = T.Max(T.Abs(y[i]), T.Abs(z[i]));
                T ulp = T.BitIncrement(scale) - scale;
                worst = Math.Max(worst, double.CreateTruncating(T.Abs(p[i] - y[i]) / ulp));
            }
        }

        return worst;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Checkpoint_records_the_mode_weight_sum_and_lr_max_and_resumes_bit_for_bit(bool saveInEval)
    {
        (ScheduleFreeAdamW Optimizer, Parameter P) Make()
        {
            var p = new Parameter("p", [1.0, -2.0, 0.5]);
            return (new ScheduleFreeAdamW([p], learningRate: 0.01, warmupSteps: 3, r: 1), p);
        }

        double[] Grad(int t) => [Math.Sin(t), Math.Cos(t), 0.1 * t];

        var (a, pa) = Make();
        for (int t = 0; t < 5; t++)
        {
            pa.Gradient.SetValues(Grad(t));
            a.Step();
        }

        if (saveInEval)
        {
            a.Eval();
        }

        using var stream = new MemoryStream();
        Checkpoint.Save(stream, a, [pa]);

        var (b, pb) = Make();
        stream.Position = 0;
        Checkpoint.Load(stream, b, [pb]);
        b.IsTraining.Should().Be(!saveInEval);
        b.WeightSum.Should().Be(a.WeightSum);
        b.MaxLearningRate.Should().Be(a.MaxLearningRate);
        b.StepCount.Should().Be(5);
        pb.Value.AsArray().Should().Equal(pa.Value.AsArray());

        foreach (var (o, p) in new[] { (a, pa), (b, pb) })
        {
            o.Train();
            for (int t = 5; t < 9; t++)
            {
                p.Gradient.SetValues(Grad(t));
                o.Step();
            }

            o.Eval();
        }

        Bits.Of<double>(pb.Value.AsArray()).Should().Equal(Bits.Of<double>(pa.Value.AsArray()));
        Bits.Of<double>(b.GetState("z", 0)).Should().Equal(Bits.Of<double>(a.GetState("z", 0)));
    }
}
