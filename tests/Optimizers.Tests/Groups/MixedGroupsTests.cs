using System.Globalization;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;
using Optimizers.Tests.Checkpoints;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Groups;

/// <summary>Theory data for <see cref="MixedGroupsTests{T}"/>: the rules paired and grouped.</summary>
public static class MixedGroupCases
{
    /// <summary>Every configuration of the catalog (plain and rich: every option of every rule) with the next one (the
    /// last with the first), so that each is a group beside another rule, once first and once second; and three groups
    /// of three rules.</summary>
    public static TheoryData<string[]> RuleSets()
    {
        var rules = AllOptimizers.Configurations.Keys.ToArray();
        var data = new TheoryData<string[]>();
        for (int i = 0; i < rules.Length; i++)
        {
            data.Add([rules[i], rules[(i + 1) % rules.Length]]);
        }

        data.Add(["Momentum", "AdamW", "ScheduleFreeSgd"]);
        data.Add(["Lamb", "RMSProp", "Rprop"]);
        return data;
    }
}

/// <summary>
/// <see cref="ParameterGroups{T}"/> over groups of different rules (the Muon recipe: one rule for the 2-D weights,
/// another for the rest): each group steps exactly as its rule alone would, under one guard, one step count, one
/// checkpoint and one schedule. Both element types.
/// </summary>
public abstract class MixedGroupsTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A 2-D weight "w" (4 × 3, tall), a bias "b" (4) and a vector "c" (13: covers a SIMD remainder).</summary>
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

    /// <summary>gᵢ = sin(0.7·step + 0.3·i + k) / 2 + θᵢ / 10, formed in double and rounded to T (k tells parameters apart).</summary>
    private static void SetGradients(IEnumerable<Parameter<T>> parameters, int step)
    {
        foreach (var parameter in parameters)
        {
            double k = parameter.Name[0];
            var theta = parameter.ValueSpan;
            var gradient = parameter.GradientArray;
            for (int i = 0; i < gradient.Length; i++)
            {
                gradient[i] = T.CreateTruncating((Math.Sin((0.7 * step) + (0.3 * i) + k) / 2) + (double.CreateTruncating(theta[i]) / 10));
            }
        }
    }

    /// <summary>The parameters split over <paramref name="groupCount"/> groups: w alone, then b and c (two groups), or one each (three).</summary>
    private static Parameter<T>[][] Split(Parameter<T>[] model, int groupCount)
        => groupCount == 2 ? [[model[0]], [model[1], model[2]]] : [[model[0]], [model[1]], [model[2]]];

    private static Optimizer<T> Rule(string rule, IReadOnlyList<Parameter<T>> parameters) => AllOptimizers<T>.Create(rule, parameters);

    /// <summary>Everything one rule holds, one line per number with its bits: counts, settings, state.</summary>
    private static List<string> Lines(Optimizer<T> optimizer)
    {
        var lines = new List<string> { $"{optimizer.RuleName} t={optimizer.StepCount} skipped={optimizer.SkippedStepCount}" };
        lines.AddRange(optimizer.Settings.Select(s => $"{s.Name}={s.Get()?.ToString("R", CultureInfo.InvariantCulture) ?? "unset"}"));
        foreach (var (name, buffers) in optimizer.VectorStates)
        {
            for (int p = 0; p < buffers.Length; p++)
            {
                lines.AddRange(buffers[p].Select((x, e) => $"{name}[{p}][{e}]={StateSnapshot.Bits(x)}"));
            }
        }

        foreach (var (name, values) in optimizer.ScalarStates)
        {
            lines.AddRange(values.Select((x, p) => $"{name}[{p}]={StateSnapshot.Bits(x)}"));
        }

        return lines;
    }

    /// <summary>Every group, every parameter's value and gradient: what "nothing changed" compares.</summary>
    private static List<string> Everything(ParameterGroups<T> groups, bool includeSkipped = true)
    {
        var lines = groups.Groups.SelectMany((g, i) => Lines(g).Select(line => $"group {i} {line}")).ToList();
        if (!includeSkipped)
        {
            lines = lines.Select(line => line.Contains(" skipped=", StringComparison.Ordinal) ? line[..line.IndexOf(" skipped=", StringComparison.Ordinal)] : line).ToList();
        }

        lines.AddRange(StateSnapshot.Of<T>(null, groups.Parameters));
        return lines;
    }

    [Theory]
    [MemberData(nameof(MixedGroupCases.RuleSets), MemberType = typeof(MixedGroupCases))]
    public void Each_group_steps_bit_for_bit_as_its_rule_alone(string[] rules)
    {
        var grouped = Model();
        var separate = Model();
        var groupParameters = Split(grouped, rules.Length);
        var aloneParameters = Split(separate, rules.Length);
        var optimizer = new ParameterGroups<T>(rules.Select((r, g) => Rule(r, groupParameters[g])));
        var alone = rules.Select((r, g) => Rule(r, aloneParameters[g])).ToArray();

        for (int step = 1; step <= 8; step++)
        {
            if (step == 4)
            {
                // A schedule's way: each group's learning rate on its own.
                optimizer.Groups[^1].LearningRate /= 2;
                alone[^1].LearningRate /= 2;
            }

            SetGradients(grouped, step);
            SetGradients(separate, step);
            optimizer.Step();
            foreach (var rule in alone)
            {
                rule.Step();
            }
        }

        StateSnapshot.Values(grouped).Should().Equal(StateSnapshot.Values(separate));
        for (int g = 0; g < rules.Length; g++)
        {
            Lines(optimizer.Groups[g]).Should().Equal(Lines(alone[g]), $"group {g} ({rules[g]}) holds what {rules[g]} alone holds");
        }

        optimizer.StepCount.Should().Be(8);
        optimizer.Groups.Select(g => g.RuleName).Should().Equal(rules.Select(r => r.Split('(')[0]));
    }

    [Fact]
    public void Parameters_and_state_are_read_per_group()
    {
        var p = Model();
        var momentum = new Momentum<T>([p[0]], 0.1);
        var adamW = new AdamW<T>([p[1], p[2]], 0.01);
        var optimizer = new ParameterGroups<T>(momentum, adamW);
        SetGradients(p, 1);
        optimizer.Step();

        optimizer.Parameters.Should().Equal(p[0], p[1], p[2]);
        optimizer.Groups[0].StateNames.Should().Equal("momentum_buffer");
        optimizer.Groups[1].StateNames.Should().Contain(["exp_avg", "exp_avg_sq"]);
        optimizer.Groups[1].GetState("exp_avg", 1).Length.Should().Be(13, "index 1 of group 1 is c, the group's own second parameter");
        optimizer.Groups[0].GetState("momentum_buffer", 0).ToArray().Should().Equal(p[0].Gradient.ToArray(), "the first buffer is the gradient");
        FluentActions.Invoking(() => optimizer.Groups[0].GetState("momentum_buffer", 1)).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("index").WithMessage("*0 to 0 for this Momentum*");
        FluentActions.Invoking(() => optimizer.Groups[0].GetState("exp_avg", 0)).Should().Throw<KeyNotFoundException>()
            .WithMessage("*Momentum*");
    }

    [Theory]
    [InlineData(0, "Throw")]
    [InlineData(1, "Throw")]
    [InlineData(2, "Throw")]
    [InlineData(0, "Skip")]
    [InlineData(1, "Skip")]
    [InlineData(2, "Skip")]
    public void A_bad_gradient_in_any_group_changes_nothing_in_any_group(int badGroup, string policy)
    {
        var p = Model();
        var optimizer = new ParameterGroups<T>(new Momentum<T>([p[0]], 0.1, nesterov: true), new AdamW<T>([p[1]], 0.01),
                                               new ScheduleFreeSgd<T>([p[2]], 0.5))
        {
            NonFiniteGradients = Enum.Parse<NonFiniteGradientPolicy>(policy),
        };
        for (int step = 1; step <= 2; step++)
        {
            SetGradients(p, step);
            optimizer.Step();
        }

        SetGradients(p, 3);
        p[badGroup].GradientArray[^1] = badGroup == 1 ? T.NaN : T.NegativeInfinity;
        var before = Everything(optimizer, includeSkipped: false);

        if (policy == "Throw")
        {
            FluentActions.Invoking(optimizer.Step).Should().Throw<NonFiniteGradientException>()
                .Which.ParameterName.Should().Be(p[badGroup].Name);
            optimizer.SkippedStepCount.Should().Be(0);
        }
        else
        {
            optimizer.TryStep().Should().BeFalse();
            optimizer.Groups.Select(g => g.SkippedStepCount).Should().AllBeEquivalentTo(1L, "one skip, counted by every group");
        }

        Everything(optimizer, includeSkipped: false).Should().Equal(before);
        optimizer.StepCount.Should().Be(2);
        optimizer.Groups.Select(g => g.StepCount).Should().AllBeEquivalentTo(2L);
    }

    [Fact]
    public void Parallel_groups_are_bit_for_bit_the_one_thread_result()
    {
        var serial = Model();
        var parallel = Model();
        var one = new ParameterGroups<T>(new Momentum<T>([serial[0]], 0.1, nesterov: true), new AdamW<T>([serial[1], serial[2]], 0.01));
        var many = new ParameterGroups<T>(new Momentum<T>([parallel[0]], 0.1, nesterov: true), new AdamW<T>([parallel[1], parallel[2]], 0.01));
        foreach (var group in many.Groups)
        {
            group.MaxDegreeOfParallelism = 3;
            group.MinimumPartLength = 2;
        }

        many.Groups.Should().OnlyContain(g => g.Partition.Parts > 1, "every group is split into parts");
        for (int step = 1; step <= 5; step++)
        {
            SetGradients(serial, step);
            SetGradients(parallel, step);
            one.Step();
            many.Step();
        }

        Everything(many).Should().Equal(Everything(one));
    }
}

public sealed class MixedGroupsTests_Double : MixedGroupsTests<double>;

public sealed class MixedGroupsTests_Single : MixedGroupsTests<float>;
