using Optimizers.Tests.TestSupport;
using System.Numerics;
using Optimizers.Tests.Checkpoints;

namespace Optimizers.Tests.Groups;

public sealed class ParameterGroupsTests
{
    private static Parameter[] Parameters() => Trajectory.Parameters(seed: 5);

    [Fact]
    public void Groups_step_exactly_like_separate_optimizers_with_their_own_hyperparameters()
    {
        var grouped = Parameters();
        var optimizer = new ParameterGroups(
            new Momentum([grouped[0]], 0.05, weightDecay: 0.1),
            new Momentum([grouped[1]], 0.2, weightDecay: 0));
        var separate = Parameters();
        var weights = new Momentum([separate[0]], 0.05, weightDecay: 0.1);
        var biases = new Momentum([separate[1]], 0.2, weightDecay: 0);

        for (int step = 1; step <= 6; step++)
        {
            Trajectory.SetGradients(grouped, step == 5 ? 4 : step);
            Trajectory.SetGradients(separate, step == 5 ? 4 : step);
            optimizer.Step();
            weights.Step();
            biases.Step();
        }

        StateSnapshot.Values(grouped).Should().Equal(StateSnapshot.Values(separate));
        optimizer.StepCount.Should().Be(6);
        optimizer.Groups.Select(g => g.StepCount).Should().AllBeEquivalentTo(6L);
    }

    [Fact]
    public void Parameters_are_the_groups_parameters_in_order_and_ZeroGrad_clears_them_all()
    {
        var p = Parameters();
        var optimizer = new ParameterGroups(new Adam([p[1]]), new Adam([p[0]]));
        Trajectory.SetGradients(p, 1);

        optimizer.Parameters.Should().Equal(p[1], p[0]);
        ((IGroupedOptimizer)optimizer).Groups.Should().Equal(optimizer.Groups);
        optimizer.ZeroGrad();
        p.SelectMany(x => x.Gradient).Should().AllBeEquivalentTo(0.0);
    }

    [Fact]
    public void LearningRate_reads_group_0_and_setting_it_sets_every_group()
    {
        var p = Parameters();
        var optimizer = new ParameterGroups(new AdamW([p[0]], 0.01), new AdamW([p[1]], 0.03));

        optimizer.LearningRate.Should().Be(0.01);
        optimizer.Groups[1].LearningRate = 0.06;
        optimizer.Groups[1].LearningRate.Should().Be(0.06, "a schedule drives each group through Groups");

        optimizer.LearningRate = 0.5;
        optimizer.Groups.Select(g => g.LearningRate).Should().Equal(0.5, 0.5);

        var invalid = () => optimizer.LearningRate = double.NaN;
        invalid.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("LearningRate");
        optimizer.Groups.Select(g => g.LearningRate).Should().Equal(0.5, 0.5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_non_finite_gradient_in_any_group_throws_before_any_group_is_modified(int badGroup)
    {
        var p = Parameters();
        var optimizer = new ParameterGroups(new Momentum([p[0]], 0.1), new Momentum([p[1]], 0.1));
        Trajectory.SetGradients(p, 1);
        optimizer.Step();
        Trajectory.SetGradients(p, 2);
        p[badGroup].Gradient[p[badGroup].Length - 1] = double.PositiveInfinity;
        var before = StateSnapshot.Of(optimizer, p);

        var step = () => optimizer.Step();

        step.Should().Throw<NonFiniteGradientException>().Which.ParameterName.Should().Be(p[badGroup].Name);
        StateSnapshot.Of(optimizer, p).Should().Equal(before);
        optimizer.StepCount.Should().Be(1);
    }

    [Fact]
    public void Under_Skip_a_non_finite_gradient_in_the_last_group_skips_every_group()
    {
        var p = Parameters();
        var optimizer = new ParameterGroups(new Adam([p[0]]), new Adam([p[1]]))
        {
            NonFiniteGradients = NonFiniteGradientPolicy.Skip,
        };
        Trajectory.SetGradients(p, 1);
        optimizer.Step();
        Trajectory.SetGradients(p, 2);
        p[1].Gradient[0] = double.NaN;
        var before = StateSnapshot.Of(optimizer, p, includeSkippedCount: false);

        optimizer.TryStep().Should().BeFalse();
        optimizer.Step();

        StateSnapshot.Of(optimizer, p, includeSkippedCount: false).Should().Equal(before);
        optimizer.SkippedStepCount.Should().Be(2);
        optimizer.Groups.Select(g => (g.StepCount, g.SkippedStepCount)).Should().AllBeEquivalentTo((1L, 2L));

        Trajectory.SetGradients(p, 2);
        optimizer.TryStep().Should().BeTrue();
        optimizer.StepCount.Should().Be(2);
    }

    [Fact]
    public void The_groups_own_policy_is_not_used()
    {
        var p = Parameters();
        var first = new Momentum([p[0]], 0.1) { NonFiniteGradients = NonFiniteGradientPolicy.Skip };
        var optimizer = new ParameterGroups(first, new Momentum([p[1]], 0.1));
        p[0].Gradient[0] = double.NaN;

        var step = () => optimizer.Step();

        step.Should().Throw<NonFiniteGradientException>("the ParameterGroups' policy (Throw) decides");
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
        optimizer.Step();
        p[0].Value[0].Should().Be(double.NaN, "Propagate does not check");
    }

    [Fact]
    public void A_group_cannot_be_stepped_on_its_own()
    {
        var p = Parameters();
        var group = new Momentum([p[0]], 0.1);
        _ = new ParameterGroups(group, new Momentum([p[1]], 0.1));
        Trajectory.SetGradients(p, 1);
        var before = StateSnapshot.Of(group, p);

        var step = () => group.Step();

        step.Should().Throw<InvalidOperationException>().WithMessage("*ParameterGroups*");
        StateSnapshot.Of(group, p).Should().Equal(before);
    }

    public static TheoryData<string> InvalidGroupings() => new(
        "empty", "null group", "same optimizer twice", "parameter in two groups",
        "already grouped", "already stepped");

    [Theory]
    [MemberData(nameof(InvalidGroupings))]
    public void Invalid_groupings_throw_ArgumentException_naming_groups_and_change_nothing(string @case)
    {
        var p = Parameters();
        var a = new Momentum([p[0]], 0.1);
        var b = new Momentum([p[1]], 0.1);
        Optimizer<double>[] groups = @case switch
        {
            "empty" => [],
            "null group" => [a, null!],
            "same optimizer twice" => [a, a],
            "parameter in two groups" => [a, new Momentum([p[1], p[0]], 0.1)],
            "already grouped" => [a, b],
            _ => [a, b],
        };
        if (@case == "already grouped")
        {
            _ = new ParameterGroups(b);
        }

        if (@case == "already stepped")
        {
            b.Step();
        }

        var create = () => new ParameterGroups(groups);

        create.Should().Throw<ArgumentException>().WithParameterName("groups");
        a.Step();
        a.StepCount.Should().Be(1, "a failed construction does not claim the groups");
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Parameters_of_two_groups_over_one_array_are_rejected_naming_groups(string type)
    {
        if (type == "float32")
        {
            SharedStorageAcrossGroups<float>();
        }
        else
        {
            SharedStorageAcrossGroups<double>();
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void A_step_entered_while_a_step_runs_throws_and_the_running_step_completes(string type)
    {
        if (type == "float32")
        {
            Reentered<float>();
        }
        else
        {
            Reentered<double>();
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Step_allocates_nothing_on_one_thread(string type)
    {
        if (type == "float32")
        {
            AllocatesNothing<float>();
        }
        else
        {
            AllocatesNothing<double>();
        }
    }

    [Fact]
    public void A_null_list_throws_ArgumentNullException()
    {
        var create = () => new ParameterGroups((IEnumerable<Optimizer<double>>)null!);
        create.Should().Throw<ArgumentNullException>().WithParameterName("groups");
    }

    private static void SharedStorageAcrossGroups<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = EitherType.Param<T>("a", 1, 2);
        var b = EitherType.Param<T>("b", 3);
        var first = new Adam<T>([a, b]);
        var cases = new (Optimizer<T>[] Groups, string Message)[]
        {
            ([first, new Adam<T>([new Parameter<T>("alias", b.Value)])],
             "Parameter 'alias' (group 1, index 0) holds its values in the array that holds the values of parameter 'b' (group 0, index 1)*"),
            ([new Adam<T>([new Parameter<T>("alias", a.Value.AsArray())]), first],
             "Parameter 'a' (group 1, index 0) holds its values in the array that holds the values of parameter 'alias' (group 0, index 0)*"),
            ([first, new Adam<T>([EitherType.Param<T>("c", 0), new Parameter<T>("alias", a.Gradient)])],
             "Parameter 'alias' (group 1, index 1) holds its values in the array that holds the gradient of parameter 'a' (group 0, index 0)*"),
        };
        string before = EitherType.Bits(a) + EitherType.Bits(b);

        foreach (var (groups, message) in cases)
        {
            FluentActions.Invoking(() => new ParameterGroups<T>(groups)).Should().ThrowExactly<ArgumentException>()
                         .WithParameterName("groups").WithMessage(message);
        }

        (EitherType.Bits(a) + EitherType.Bits(b)).Should().Be(before);
        first.Step();
        first.StepCount.Should().Be(1, "a failed construction does not claim the groups");
    }

    private static void Reentered<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = new[] { EitherType.Param<T>("a", 1), EitherType.Param<T>("b", 2) };
        var inner = new HookedRule<T>([p[1]]);
        var optimizer = new ParameterGroups<T>(new HookedRule<T>([p[0]]), inner);
        var rejected = new List<Exception>();
        inner.During = () =>
        {
            inner.During = null;   // once: if a nested step were let in, it must not nest again
            foreach (var call in new Action[] { optimizer.Step, () => optimizer.TryStep() })
            {
                try
                {
                    call();
                }
                catch (InvalidOperationException e)
                {
                    rejected.Add(e);
                }
            }
        };

        optimizer.Step();

        rejected.Should().HaveCount(2);
        rejected[0].Message.Should().Contain("ParameterGroups").And.Contain("another step of it is running");
        optimizer.StepCount.Should().Be(1);
        p.Select(x => x.Value[0]).Should().Equal(T.CreateTruncating(1 - 0.5 / 8), T.CreateTruncating(2 - 0.5 / 8));
        optimizer.TryStep().Should().BeTrue("the guard is released when the step ends");
    }

    private static void AllocatesNothing<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = new[] { EitherType.Param<T>("a", 1, 2, 3), EitherType.Param<T>("b", 4, 5) };
        var optimizer = new ParameterGroups<T>(new Adam<T>([p[0]]), new Adam<T>([p[1]], weightDecay: 0.1));
        for (int s = 0; s < 50; s++)
        {
            optimizer.Step();
        }

        SteadyAllocation.Smallest(
            () =>
            {
                optimizer.Step();
                optimizer.TryStep();
            },
            calls: 500).Should().Be(0);
    }
}
