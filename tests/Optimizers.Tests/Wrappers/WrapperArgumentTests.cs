using Optimizers.Schedules;
using Optimizers.Tests.Family;

namespace Optimizers.Tests.Wrappers;

/// <summary>Bad arguments, ownership, the non-finite guard and schedules through the wrappers.</summary>
public sealed class WrapperArgumentTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Lookahead_rejects_k_below_one_and_leaves_the_inner_optimizer_free(int k)
    {
        var adam = new Adam([HandWorked.Param("w", 1.0)]);
        var act = () => new Lookahead(adam, k: k);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("k");
        adam.Step();   // still free: not claimed by the failed wrapper
        adam.StepCount.Should().Be(1);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Lookahead_rejects_alpha_outside_zero_one(double alpha)
    {
        var adam = new Adam([HandWorked.Param("w", 1.0)]);
        var act = () => new Lookahead(adam, alpha: alpha);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("alpha").WithMessage("*[0, 1]*");
        new Lookahead(adam, alpha: 1.0).Alpha.Should().Be(1.0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Accumulation_rejects_every_below_one(int every)
    {
        var adam = new Adam([HandWorked.Param("w", 1.0)]);
        var act = () => new GradientAccumulation(adam, every);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("every");
        new GradientAccumulation(adam, 1).Every.Should().Be(1);
    }

    [Fact]
    public void Null_inner_is_rejected()
    {
        ((Action)(() => new Lookahead(null!))).Should().Throw<ArgumentNullException>().WithParameterName("inner");
        ((Action)(() => new GradientAccumulation(null!, 2))).Should().Throw<ArgumentNullException>().WithParameterName("inner");
    }

    [Fact]
    public void Wrapping_the_same_optimizer_twice_is_rejected_and_the_first_wrapper_still_works()
    {
        var p = HandWorked.Param("w", 1.0);
        var adam = new Adam([p]);
        var first = new Lookahead(adam);
        ((Action)(() => new Lookahead(adam))).Should().Throw<ArgumentException>().WithParameterName("inner").WithMessage("*already belongs to a Lookahead*");
        ((Action)(() => new GradientAccumulation(adam, 2))).Should().Throw<ArgumentException>().WithParameterName("inner");
        ((Action)(() => new ParameterGroups(adam))).Should().Throw<ArgumentException>();

        var accumulation = new GradientAccumulation(new Momentum([HandWorked.Param("v", 1.0)], learningRate: 0.1), 2);
        new Lookahead(accumulation);
        ((Action)(() => new Lookahead(accumulation))).Should().Throw<ArgumentException>().WithMessage("*already belongs*");

        HandWorked.Feed(p, 1.0);
        first.Step();
        first.StepCount.Should().Be(1);
    }

    [Fact]
    public void A_group_of_parameter_groups_cannot_be_wrapped()
    {
        var group = new Adam([HandWorked.Param("w", 1.0)]);
        _ = new ParameterGroups(group);
        ((Action)(() => new Lookahead(group))).Should().Throw<ArgumentException>().WithMessage("*already belongs to a ParameterGroups*");
    }

    [Fact]
    public void An_optimizer_from_outside_the_library_is_rejected()
    {
        ((Action)(() => new Lookahead(new Foreign()))).Should().Throw<ArgumentException>().WithParameterName("inner").WithMessage("*Foreign*");
    }

    [Fact]
    public void Stepping_a_wrapped_optimizer_directly_throws_and_changes_nothing()
    {
        var p = HandWorked.Param("w", 1.0);
        var adam = new Adam([p]);
        var groups = new ParameterGroups(new Adam([HandWorked.Param("v", 1.0)]));
        var accumulation = new GradientAccumulation(new Adam([HandWorked.Param("u", 1.0)]), 2);
        _ = new Lookahead(adam);
        _ = new Lookahead(groups);
        _ = new Lookahead(accumulation);
        HandWorked.Feed(p, 1.0);

        ((Action)adam.Step).Should().Throw<InvalidOperationException>().WithMessage("*wrapped by a Lookahead*");
        ((Action)groups.Step).Should().Throw<InvalidOperationException>().WithMessage("*wrapped by a Lookahead*");
        ((Action)accumulation.Step).Should().Throw<InvalidOperationException>().WithMessage("*wrapped by a Lookahead*");
        p.Value[0].Should().Be(1.0);
        adam.StepCount.Should().Be(0);
    }

    [Theory]
    [InlineData(NonFiniteGradientPolicy.Throw)]
    [InlineData(NonFiniteGradientPolicy.Skip)]
    public void Lookahead_bad_gradient_changes_nothing(NonFiniteGradientPolicy policy)
    {
        var p = HandWorked.Param("w", 1.0, 2.0);
        var adam = new Adam([p]);
        var lookahead = new Lookahead(adam, k: 2) { NonFiniteGradients = policy };
        HandWorked.Feed(p, 0.5, 0.5);
        lookahead.Step();
        double[] before = HandWorked.Values(p);
        double[] slow = lookahead.GetSlowWeights(0).ToArray();

        HandWorked.Feed(p, 0.5, double.NaN);
        if (policy == NonFiniteGradientPolicy.Throw)
        {
            ((Action)lookahead.Step).Should().Throw<NonFiniteGradientException>().Which.Index.Should().Be(1);
        }
        else
        {
            lookahead.TryStep().Should().BeFalse();
            lookahead.SkippedStepCount.Should().Be(1);
            adam.SkippedStepCount.Should().Be(1);
        }

        HandWorked.Values(p).Should().Equal(before);
        lookahead.GetSlowWeights(0).ToArray().Should().Equal(slow);
        lookahead.StepCount.Should().Be(1);
        adam.StepCount.Should().Be(1);
    }

    [Theory]
    [InlineData(NonFiniteGradientPolicy.Throw, double.PositiveInfinity)]
    [InlineData(NonFiniteGradientPolicy.Skip, double.NaN)]
    [InlineData(NonFiniteGradientPolicy.Throw, 1.5e308)]   // finite, but the sum overflows
    [InlineData(NonFiniteGradientPolicy.Skip, 1.5e308)]
    public void Accumulation_bad_micro_batch_changes_nothing(NonFiniteGradientPolicy policy, double bad)
    {
        var p = HandWorked.Param("w", 1.0, 2.0);
        var inner = new GradientDescent([p], learningRate: 0.5);
        var accumulation = new GradientAccumulation(inner, every: 2) { NonFiniteGradients = policy };
        HandWorked.Feed(p, 1.0, 1.5e308);
        accumulation.TryStep().Should().BeFalse();

        HandWorked.Feed(p, 3.0, bad);
        if (policy == NonFiniteGradientPolicy.Throw)
        {
            ((Action)accumulation.Step).Should().Throw<NonFiniteGradientException>().Which.ParameterName.Should().Be("w");
        }
        else
        {
            accumulation.TryStep().Should().BeFalse();
            accumulation.SkippedStepCount.Should().Be(1);
        }

        accumulation.MicroBatches.Should().Be(1);
        inner.SkippedStepCount.Should().Be(0);
        HandWorked.Values(p).Should().Equal(1.0, 2.0);

        // The cycle completes with the next good micro-batch: mean ((1 + 3)/2, (1.5e308 − 1.5e308)/2) = (2, 0).
        HandWorked.Feed(p, 3.0, -1.5e308);
        accumulation.TryStep().Should().BeTrue();
        HandWorked.Values(p).Should().Equal(0.0, 2.0);
    }

    [Fact]
    public void Accumulation_under_propagate_checks_nothing()
    {
        var p = HandWorked.Param("w", 1.0);
        var accumulation = new GradientAccumulation(new GradientDescent([p], learningRate: 0.5), every: 2) { NonFiniteGradients = NonFiniteGradientPolicy.Propagate };
        HandWorked.Feed(p, double.NaN);
        accumulation.Step();
        HandWorked.Feed(p, 1.0);
        accumulation.TryStep().Should().BeTrue();
        double.IsNaN(p.Value[0]).Should().BeTrue();
    }

    [Fact]
    public void A_schedule_on_a_wrapper_drives_the_inner_learning_rate_and_counts_inner_steps()
    {
        var p = HandWorked.Param("w", 1.0);
        var adam = new Adam([p], learningRate: 0.1);
        var accumulation = new GradientAccumulation(adam, every: 3);
        var lookahead = new Lookahead(accumulation, k: 2);
        var schedule = new StepLR(lookahead, stepSize: 1, gamma: 0.5);
        for (int call = 1; call <= 6; call++)
        {
            HandWorked.Feed(p, 1.0);
            if (lookahead.TryStep())
            {
                schedule.Step();
            }
        }

        adam.StepCount.Should().Be(2);
        adam.LearningRate.Should().Be(0.025);
        lookahead.LearningRate.Should().Be(0.025);
        lookahead.LearningRate = 0.3;
        adam.LearningRate.Should().Be(0.3);
    }

    [Fact]
    public void Lookahead_over_groups_schedules_every_group()
    {
        var groups = new ParameterGroups(new Adam([HandWorked.Param("w", 1.0)], learningRate: 0.1), new Adam([HandWorked.Param("b", 1.0)], learningRate: 0.2));
        var lookahead = new Lookahead(groups);
        var schedule = new StepLR(lookahead, stepSize: 1, gamma: 0.5);
        lookahead.Step();
        schedule.Step();
        groups.Groups[0].LearningRate.Should().Be(0.05);
        groups.Groups[1].LearningRate.Should().Be(0.1);
    }

    [Fact]
    public void Slow_weights_index_is_checked()
    {
        var lookahead = new Lookahead(new Adam([HandWorked.Param("w", 1.0)]));
        ((Action)(() => lookahead.GetSlowWeights(1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("index");
    }

    private sealed class Foreign : IOptimizer<double>
    {
        public double LearningRate { get; set; }

        public IReadOnlyList<Parameter<double>> Parameters { get; } = [];

        public void Step()
        {
        }

        public void ZeroGrad()
        {
        }
    }
}
