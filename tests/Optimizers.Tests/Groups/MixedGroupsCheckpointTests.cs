using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;
using Optimizers.Schedules;
using Optimizers.Tests.Checkpoints;

namespace Optimizers.Tests.Groups;

/// <summary>
/// One checkpoint for groups of different rules: it records each group's rule, resumes bit for bit, and refuses a
/// live optimizer whose groups are other rules or in another order, changing nothing. Both element types.
/// </summary>
public abstract class MixedGroupsCheckpointTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A 2-D weight "w" (4 × 3), a bias "b" (4) and a vector "c" (13).</summary>
    private static Parameter<T>[] Model(int seed)
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

    private static void Run(IOptimizer optimizer, ISchedule? schedule, Parameter<T>[] parameters, int from, int to)
    {
        for (int step = from; step <= to; step++)
        {
            foreach (var parameter in parameters)
            {
                var gradient = parameter.GradientArray;
                var theta = parameter.ValueSpan;
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] = T.CreateTruncating(Math.Cos(step + i + parameter.Name[0]) + (double.CreateTruncating(theta[i]) / 4));
                }
            }

            optimizer.Step();
            (schedule as ILearningRateSchedule)?.Step();
        }
    }

    private static List<string> Snapshot(ParameterGroups<T> optimizer)
    {
        var lines = StateSnapshot.Of(optimizer, optimizer.Parameters);
        lines.AddRange(optimizer.Groups.SelectMany((g, i) => g.Settings.Select(s => $"group {i} {s.Name}={s.Get()?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}")));
        return lines;
    }

    /// <summary>Momentum for the weight, AdamW for the bias, RMSProp for the vector, under OneCycleLR cycling each one's momentum or β₁.</summary>
    private static (ParameterGroups<T> Optimizer, ISchedule Schedule) Cycled(Parameter<T>[] p)
    {
        var optimizer = new ParameterGroups<T>(new Momentum<T>([p[0]], 0.05, nesterov: true), new AdamW<T>([p[1]], 0.01),
                                               new RMSProp<T>([p[2]], 0.01, centered: true));
        return (optimizer, new OneCycleLR(optimizer, 0.1, totalSteps: 12));
    }

    /// <summary>Schedule-free AdamW for the weight beside Adam and Lamb, under a cosine schedule.</summary>
    private static (ParameterGroups<T> Optimizer, ISchedule Schedule) ScheduleFree(Parameter<T>[] p)
    {
        var optimizer = new ParameterGroups<T>(new ScheduleFreeAdamW<T>([p[0]], 0.02, warmupSteps: 2), new Adam<T>([p[1]], 0.01, amsgrad: true),
                                               new Lamb<T>([p[2]], 0.01));
        return (optimizer, new CosineAnnealingLR(optimizer, tMax: 10));
    }

    [Theory]
    [InlineData("cycled")]
    [InlineData("schedule-free, saved in Eval mode")]
    public void A_mixed_run_resumes_bit_for_bit(string @case)
    {
        var build = @case == "cycled" ? (Func<Parameter<T>[], (ParameterGroups<T>, ISchedule)>)Cycled : ScheduleFree;
        var original = Model(seed: 1);
        var (optimizer, schedule) = build(original);
        Run(optimizer, schedule, original, 1, 4);
        if (@case != "cycled")
        {
            optimizer.Eval();
        }

        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, original, schedule);
        if (@case != "cycled")
        {
            optimizer.Train();
        }

        Run(optimizer, schedule, original, 5, 8);

        var resumed = Model(seed: 99);
        var (again, againSchedule) = build(resumed);
        stream.Position = 0;
        Checkpoint.Load(stream, again, resumed, againSchedule);
        if (@case != "cycled")
        {
            again.Groups[0].Should().BeOfType<ScheduleFreeAdamW<T>>().Which.IsTraining.Should().BeFalse("the mode is restored");
            again.Train();
        }

        Run(again, againSchedule, resumed, 5, 8);

        Snapshot(again).Should().Equal(Snapshot(optimizer));
    }

    public static TheoryData<string> Mismatches() => new(
        "rule order swapped", "a rule changed", "groups swapped with their parameters", "one rule for all", "one group fewer");

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void Groups_of_other_rules_or_order_are_a_Mismatch_naming_the_group_and_change_nothing(string @case)
    {
        var original = Model(seed: 1);
        var saved = new ParameterGroups<T>(new Momentum<T>([original[0]], 0.05), new AdamW<T>([original[1], original[2]], 0.01));
        Run(saved, null, original, 1, 3);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, saved, original);

        var p = Model(seed: 7);
        var (live, message) = @case switch
        {
            "rule order swapped" => (new ParameterGroups<T>(new AdamW<T>([p[0]], 0.01), new Momentum<T>([p[1], p[2]], 0.05)),
                                     "group 0: the checkpoint holds the state of Momentum; this optimizer is AdamW."),
            "a rule changed" => (new ParameterGroups<T>(new Momentum<T>([p[0]], 0.05), new Adam<T>([p[1], p[2]], 0.01)),
                                 "group 1: the checkpoint holds the state of AdamW; this optimizer is Adam."),
            "groups swapped with their parameters" => (new ParameterGroups<T>(new AdamW<T>([p[1], p[2]], 0.01), new Momentum<T>([p[0]], 0.05)),
                                                       "group 0: the checkpoint holds the state of Momentum; this optimizer is AdamW."),
            "one rule for all" => (new ParameterGroups<T>(new Momentum<T>([p[0]], 0.05), new Momentum<T>([p[1], p[2]], 0.05)),
                                   "group 1: the checkpoint holds the state of AdamW; this optimizer is Momentum."),
            _ => (new ParameterGroups<T>(new Momentum<T>([p[0], p[1], p[2]], 0.05)),
                  "The checkpoint holds 2 parameter groups; this optimizer has 1."),
        };
        Run(live, null, p, 1, 1);
        var before = Snapshot(live);

        stream.Position = 0;
        var load = () => Checkpoint.Load(stream, live, p);

        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch).WithMessage(message + " Nothing was changed.");
        Snapshot(live).Should().Equal(before);
    }

    [Fact]
    public void A_rule_name_edited_in_the_file_is_a_Mismatch_naming_its_group()
    {
        var original = Model(seed: 1);
        var saved = new ParameterGroups<T>(new Momentum<T>([original[0]], 0.05), new AdamW<T>([original[1], original[2]], 0.01));
        Run(saved, null, original, 1, 2);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, saved, original);
        byte[] bytes = stream.ToArray();
        byte[] name = [5, 0, 0, 0, .. Encoding.UTF8.GetBytes("AdamW")];
        int at = bytes.AsSpan().IndexOf(name);
        at.Should().BePositive();
        bytes[at + 4 + 4] = (byte)'w';   // "Adamw": a rule of no name the library knows, checksum made valid again
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));

        var p = Model(seed: 7);
        var live = new ParameterGroups<T>(new Momentum<T>([p[0]], 0.05), new AdamW<T>([p[1], p[2]], 0.01));
        var before = Snapshot(live);
        var load = () => Checkpoint.Load(new MemoryStream(bytes), live, p);

        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch)
            .WithMessage("group 1: the checkpoint holds the state of Adamw; this optimizer is AdamW. Nothing was changed.");
        Snapshot(live).Should().Equal(before);
    }

    [Fact]
    public void Another_element_type_names_every_groups_rule()
    {
        var original = Model(seed: 1);
        var saved = new ParameterGroups<T>(new Momentum<T>([original[0]], 0.05), new AdamW<T>([original[1], original[2]], 0.01));
        Run(saved, null, original, 1, 2);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, saved, original);

        if (typeof(T) == typeof(double))
        {
            var p = MixedGroupsCheckpointTests<float>.Model(seed: 7);
            var live = new ParameterGroups<float>(new Momentum<float>([p[0]], 0.05), new AdamW<float>([p[1], p[2]], 0.01));
            stream.Position = 0;
            FluentActions.Invoking(() => Checkpoint.Load(stream, live, p)).Should().Throw<CheckpointException>()
                .WithMessage("*float64 state of groups of Momentum, AdamW; this optimizer is groups of Momentum, AdamW over float32 parameters*");
        }
        else
        {
            var p = MixedGroupsCheckpointTests<double>.Model(seed: 7);
            var live = new ParameterGroups<double>(new Momentum<double>([p[0]], 0.05), new AdamW<double>([p[1], p[2]], 0.01));
            stream.Position = 0;
            FluentActions.Invoking(() => Checkpoint.Load(stream, live, p)).Should().Throw<CheckpointException>()
                .WithMessage("*float32 state of groups of Momentum, AdamW; this optimizer is groups of Momentum, AdamW over float64 parameters*");
        }
    }
}

public sealed class MixedGroupsCheckpointTests_Double : MixedGroupsCheckpointTests<double>;

public sealed class MixedGroupsCheckpointTests_Single : MixedGroupsCheckpointTests<float>;
