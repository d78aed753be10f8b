using Optimizers.Tests.Checkpoints;

namespace Optimizers.Tests.Core;

/// <summary>Throw (default), Skip and Propagate, for rules with and without state.</summary>
public sealed class NonFiniteGradientPolicyTests
{
    private static readonly Dictionary<string, Func<Parameter[], Optimizer<double>>> s_rules = new()
    {
        ["GradientDescent"] = p => new GradientDescent(p, 0.1),
        ["Momentum"] = p => new Momentum(p, 0.1, nesterov: true),
        ["Adam"] = p => new Adam(p, 0.1),
        ["NAdam"] = p => new NAdam(p, 0.1),
    };

    public static TheoryData<string, double, int> Cases()
    {
        var data = new TheoryData<string, double, int>();
        foreach (var rule in s_rules.Keys)
        {
            data.Add(rule, double.NaN, 0);
            data.Add(rule, double.PositiveInfinity, 12); // in the SIMD remainder of a 13-element vector
            data.Add(rule, double.NegativeInfinity, 5);
        }

        return data;
    }

    [Fact]
    public void The_default_is_Throw()
    {
        s_rules.Values.Select(create => create(Parameters()).NonFiniteGradients)
            .Should().AllBeEquivalentTo(NonFiniteGradientPolicy.Throw);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Throw_throws_and_modifies_nothing(string rule, double bad, int index)
    {
        var (optimizer, p) = SteppedOnce(rule);
        p[0].Gradient[index] = bad;
        var before = StateSnapshot.Of(optimizer, p);

        var step = () => optimizer.Step();

        step.Should().Throw<NonFiniteGradientException>().Which.Should().Match<NonFiniteGradientException>(
            e => e.ParameterName == "w" && e.Index == index && e.Value.Equals(bad));
        FluentActions.Invoking(() => optimizer.TryStep()).Should().Throw<NonFiniteGradientException>("the policy decides, not the method");
        StateSnapshot.Of(optimizer, p).Should().Equal(before);
        optimizer.SkippedStepCount.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Skip_skips_the_whole_step_counts_it_and_the_next_step_is_as_if_it_never_happened(string rule, double bad, int index)
    {
        var (optimizer, p) = SteppedOnce(rule);
        var (reference, q) = SteppedOnce(rule);
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
        p[0].Gradient[index] = bad;
        var before = StateSnapshot.Of(optimizer, p, includeSkippedCount: false);

        optimizer.TryStep().Should().BeFalse();
        optimizer.Step();

        StateSnapshot.Of(optimizer, p, includeSkippedCount: false).Should().Equal(before);
        optimizer.StepCount.Should().Be(1);
        optimizer.SkippedStepCount.Should().Be(2);

        Trajectory.SetGradients(p, 2);
        Trajectory.SetGradients(q, 2);
        optimizer.TryStep().Should().BeTrue();
        reference.Step();
        StateSnapshot.Values(p).Should().Equal(StateSnapshot.Values(q), "a skipped step does not advance t");
        optimizer.StepCount.Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Propagate_does_not_check_and_the_value_flows_into_the_parameter(string rule, double bad, int index)
    {
        var (optimizer, p) = SteppedOnce(rule);
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
        p[0].Gradient[index] = bad;

        optimizer.TryStep().Should().BeTrue();

        double.IsFinite(p[0].Value[index]).Should().BeFalse();
        optimizer.StepCount.Should().Be(2);
        optimizer.SkippedStepCount.Should().Be(0);
    }

    [Fact]
    public void An_undefined_policy_is_rejected_and_the_setting_is_kept()
    {
        var optimizer = new Momentum(Parameters(), 0.1) { NonFiniteGradients = NonFiniteGradientPolicy.Skip };

        var set = () => optimizer.NonFiniteGradients = (NonFiniteGradientPolicy)3;

        set.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("NonFiniteGradients");
        optimizer.NonFiniteGradients.Should().Be(NonFiniteGradientPolicy.Skip);
    }

    private static Parameter[] Parameters() => Trajectory.Parameters(seed: 11);

    private static (Optimizer<double> Optimizer, Parameter[] Parameters) SteppedOnce(string rule)
    {
        var p = Parameters();
        var optimizer = s_rules[rule](p);
        Trajectory.SetGradients(p, 1);
        optimizer.Step();
        Trajectory.SetGradients(p, 2);
        return (optimizer, p);
    }
}
