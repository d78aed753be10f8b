using System.Buffers.Binary;
using System.Globalization;
using Optimizers.Checkpoints;
using Optimizers.Schedules;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// Checkpoints of format version 1, written by the library before the element type became generic (commit 5e7ce43;
/// Version1/make_version1_checkpoints.sh), still load bit for bit, and the run continues exactly as the old code ran
/// it: each file comes with the old code's own record of the state at the save and six or seven steps later.
/// </summary>
public sealed class Version1CheckpointTests
{
    public static TheoryData<string> Files() => new("momentum-sequential", "adam-groups-plateau");

    [Theory]
    [MemberData(nameof(Files))]
    public void A_version_1_checkpoint_loads_bit_for_bit_and_the_run_goes_on_as_the_old_code_ran_it(string name)
    {
        byte[] bytes = File.ReadAllBytes(PathOf(name + ".v1.ckpt"));
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)).Should().Be(1, "the file is a version-1 checkpoint");
        string[] expected = File.ReadAllLines(PathOf(name + ".expected.txt"));
        var (k, n) = Header(expected[0]);

        var (optimizer, parameters, schedule) = Build(plateau: name.Contains("plateau", StringComparison.Ordinal));
        Checkpoint.Load(new MemoryStream(bytes), optimizer, parameters, schedule);
        Dump(optimizer, parameters, schedule).Should().Equal(Lines(expected, "at k: "), "the loaded state is the state the old code saved");

        Run(optimizer, parameters, schedule, k + 1, n);
        Dump(optimizer, parameters, schedule).Should().Equal(Lines(expected, "at n: "), $"steps {k + 1} to {n} continue the old run bit for bit");
    }

    [Fact]
    public void A_version_1_checkpoint_names_its_rule_and_schedule_without_the_namespace_in_a_mismatch()
    {
        byte[] bytes = File.ReadAllBytes(PathOf("momentum-sequential.v1.ckpt"));
        var parameters = Trajectory.FreshParameters();
        var load = () => Checkpoint.Load(new MemoryStream(bytes), new GradientDescent(parameters, 0.05));
        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch)
            .WithMessage("*holds the state of Momentum; this optimizer is GradientDescent*");

        var momentum = new Momentum(parameters, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01);
        var loadSchedule = () => Checkpoint.Load(new MemoryStream(bytes), schedule: new StepLR(momentum, 3));
        loadSchedule.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch)
            .WithMessage("*position of a SequentialLR; this schedule is a StepLR*");
    }

    [Fact]
    public void A_version_1_checkpoint_holds_float64_state_which_loads_into_float32_only_by_conversion()
    {
        byte[] bytes = File.ReadAllBytes(PathOf("momentum-sequential.v1.ckpt"));
        var parameters = Trajectory.Parameters<float>(seed: 1);
        var momentum = new Momentum<float>(parameters, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01);
        var before = StateSnapshot.Of(momentum, parameters);

        var load = () => Checkpoint.Load(new MemoryStream(bytes), momentum, parameters);
        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch)
            .WithMessage("*float64 state of Momentum; this optimizer is Momentum over float32 parameters*");
        StateSnapshot.Of(momentum, parameters).Should().Equal(before);

        Checkpoint.Load(new MemoryStream(bytes), ElementConversion.RoundToNearest, momentum, parameters);
        momentum.StepCount.Should().Be(4);
        string[] expected = File.ReadAllLines(PathOf("momentum-sequential.expected.txt"));
        string saved = Lines(expected, "at k: ").Single(l => l.StartsWith("b=", StringComparison.Ordinal))[2..];
        parameters[1].Value.Should().Equal(saved.Split(',').Select(h => (float)BitConverter.Int64BitsToDouble(long.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));
    }

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Checkpoints", "Version1", file);

    private static (int K, int N) Header(string line)
    {
        // "# k = 5, n = 12"
        var numbers = line.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Where(t => int.TryParse(t, out _)).Select(int.Parse).ToArray();
        return (numbers[0], numbers[1]);
    }

    private static List<string> Lines(string[] expected, string prefix)
        => expected.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..]).ToList();

    // Build, Run and Dump repeat the generator's (make_version1_checkpoints.sh) with today's API.
    private static (IOptimizer Optimizer, Parameter[] Parameters, ISchedule Schedule) Build(bool plateau)
    {
        var random = new Random(7);
        Parameter[] parameters =
        [
            new Parameter("w", Enumerable.Range(0, 13).Select(_ => random.NextDouble() * 2 - 1).ToArray()),
            new Parameter("b", Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 2 - 1).ToArray()),
        ];
        if (plateau)
        {
            var groups = new ParameterGroups(
                new Adam([parameters[0]], 0.01, amsgrad: true, weightDecay: 0.01),
                new Adam([parameters[1]], 0.003));
            return (groups, parameters, new ReduceLROnPlateau(groups, factor: 0.5, patience: 1, cooldown: 1, minLearningRate: 0.0005));
        }

        var momentum = new Momentum(parameters, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01)
        {
            NonFiniteGradients = NonFiniteGradientPolicy.Skip,
        };
        var sequential = new SequentialLR(
            momentum,
            [new LinearLR(momentum, startFactor: 0.25, endFactor: 1, totalIters: 3), new CosineAnnealingWarmRestarts(momentum, t0: 2, tMult: 2, etaMin: 0.001)],
            [3]);
        return (momentum, parameters, sequential);
    }

    private static void Run(IOptimizer optimizer, Parameter[] parameters, ISchedule schedule, int from, int to)
    {
        for (int step = from; step <= to; step++)
        {
            optimizer.ZeroGrad();
            var random = new Random(1000 + step);
            foreach (var parameter in parameters)
            {
                for (int i = 0; i < parameter.Length; i++)
                {
                    parameter.Gradient[i] = (1 + i / 4.0) * parameter.Value[i] + (random.NextDouble() - 0.5) * Math.Pow(10, step % 3 - 1);
                }
            }

            if (step == 4 && schedule is SequentialLR)
            {
                parameters[1].Gradient[1] = double.NaN;
            }

            optimizer.Step();
            if (schedule is ReduceLROnPlateau plateau)
            {
                plateau.Step(1.0 / (1 + Math.Min(step, 3)));
            }
            else
            {
                ((ILearningRateSchedule)schedule).Step();
            }
        }
    }

    private static List<string> Dump(IOptimizer optimizer, Parameter[] parameters, ISchedule schedule)
    {
        var lines = new List<string>();
        var groups = optimizer is ParameterGroups g ? g.Groups : [(Optimizer<double>)optimizer];
        for (int i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            lines.Add($"group {i} lr={Bits(group.LearningRate)} t={group.StepCount} skipped={group.SkippedStepCount}");
            foreach (string state in group.StateNames)
            {
                for (int p = 0; p < group.Parameters.Count; p++)
                {
                    double[] values = group.VectorStates.TryGetValue(state, out var vectors) ? vectors[p] : [group.GetScalarState(state, p)];
                    lines.Add($"group {i} {state}[{p}]={string.Join(",", values.Select(Bits))}");
                }
            }
        }

        lines.AddRange(parameters.Select(p => $"{p.Name}={string.Join(",", p.Value.Select(Bits))}"));
        lines.Add($"schedule epoch={schedule.Epoch} lrs={string.Join(",", schedule.CurrentLearningRates.Select(Bits))}");
        switch (schedule)
        {
            case SequentialLR sequential:
                var restarts = (CosineAnnealingWarmRestarts)sequential.Schedules[1];
                lines.Add($"schedule active={sequential.ActiveIndex} T_cur={restarts.TCur} T_i={restarts.TI}");
                break;
            case ReduceLROnPlateau plateau:
                lines.Add($"schedule best={Bits(plateau.Best)} bad={plateau.BadEpochs} cooldown={plateau.CooldownCounter}");
                break;
        }

        return lines;
    }

    private static string Bits(double x) => BitConverter.DoubleToInt64Bits(x).ToString("X16", CultureInfo.InvariantCulture);
}
