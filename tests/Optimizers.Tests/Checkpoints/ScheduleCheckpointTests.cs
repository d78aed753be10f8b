using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Optimizers.Checkpoints;
using Optimizers.Schedules;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// The "schedule" section: for every schedule, save optimizer, parameters and schedule after k steps, load them into
/// fresh objects, continue, and get bit for bit the run that never stopped; and a schedule section that does not fit
/// or is damaged fails with <see cref="CheckpointException"/> and changes nothing.
/// </summary>
public sealed class ScheduleCheckpointTests
{
    private const int Steps = 12;

    /// <summary>Every schedule type, each built so that its own counters move within <see cref="Steps"/> steps.</summary>
    private static readonly Dictionary<string, Func<IOptimizer, ISchedule>> Schedules = new()
    {
        ["StepLR"] = o => new StepLR(o, stepSize: 3, gamma: 0.5),
        ["MultiStepLR"] = o => new MultiStepLR(o, [2, 5, 5, 8], gamma: 0.5),
        ["ExponentialLR"] = o => new ExponentialLR(o, 0.8),
        ["CosineAnnealingLR"] = o => new CosineAnnealingLR(o, tMax: 5, etaMin: 0.001),
        ["CosineAnnealingWarmRestarts"] = o => new CosineAnnealingWarmRestarts(o, t0: 2, tMult: 2, etaMin: 0.001),
        ["LinearLR"] = o => new LinearLR(o, startFactor: 0.2, endFactor: 1, totalIters: 6),
        ["PolynomialLR"] = o => new PolynomialLR(o, totalIters: 8, power: 1.5),
        ["OneCycleLR"] = o => new OneCycleLR(o, maxLearningRate: 0.05, totalSteps: Steps),
        ["SequentialLR"] = o => new SequentialLR(
            o,
            [new LinearLR(o, startFactor: 0.25, endFactor: 1, totalIters: 3), new CosineAnnealingWarmRestarts(o, t0: 2, tMult: 2), new ExponentialLR(o, 0.9)],
            [3, 8]),
        ["ReduceLROnPlateau"] = o => new ReduceLROnPlateau(o, factor: 0.5, patience: 1, cooldown: 1, minLearningRate: 0.002),
        ["ConstantLR"] = o => new ConstantLR(o, factor: 0.5, totalIters: 5),
        ["LambdaLR"] = o => new LambdaLR(o, t => Math.Pow(0.9, t)),
        ["MultiplicativeLR"] = o => new MultiplicativeLR(o, t => t % 2 == 0 ? 0.9 : 1.05),
        ["CyclicLR"] = o => new CyclicLR(o, baseLearningRate: 0.01, maxLearningRate: 0.1, stepSizeUp: 3, stepSizeDown: 2,
                                         mode: CyclicMode.Triangular2),
        ["ChainedScheduler"] = o => new ChainedScheduler(
            [new ConstantLR(o, factor: 0.5, totalIters: 3), new ExponentialLR(o, 0.9), new MultiplicativeLR(o, _ => 0.98)]),
        ["ChainedScheduler of a SequentialLR"] = o => new ChainedScheduler(
            [new SequentialLR(o, [new ConstantLR(o, 0.5, 2), new ExponentialLR(o, 0.9)], [4]), new MultiplicativeLR(o, _ => 0.97)]),
        ["SWALR"] = o => new SWALR(o, swaLearningRate: 0.01, annealEpochs: 5),
        ["OneCycleLR without momentum"] = o => new OneCycleLR(o, maxLearningRate: 0.05, totalSteps: Steps, cycleMomentum: false),
    };

    public static TheoryData<string, bool, string> Cases()
    {
        var data = new TheoryData<string, bool, string>();
        foreach (string name in Schedules.Keys)
        {
            foreach (string elementType in new[] { "float64", "float32" })
            {
                data.Add(name, false, elementType);
                data.Add(name, true, elementType);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resuming_optimizer_parameters_and_schedule_is_bit_identical_to_an_uninterrupted_run(string schedule, bool groups, string elementType)
    {
        if (elementType == "float32")
        {
            Resume<float>(schedule, groups);
        }
        else
        {
            Resume<double>(schedule, groups);
        }
    }

    private static void Resume<T>(string schedule, bool groups)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (uninterrupted, uninterruptedParameters, uninterruptedSchedule) = Build<T>(schedule, groups, seed: 7);
        Run(uninterrupted, uninterruptedParameters, uninterruptedSchedule, 1, Steps);
        var expected = Snapshot(uninterrupted, uninterruptedParameters, uninterruptedSchedule);

        foreach (int k in new[] { 0, 1, 4, 7, 11 })
        {
            var (first, firstParameters, firstSchedule) = Build<T>(schedule, groups, seed: 7);
            Run(first, firstParameters, firstSchedule, 1, k);
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, first, firstParameters, firstSchedule);

            var (resumed, resumedParameters, resumedSchedule) = Build<T>(schedule, groups, seed: 999);
            stream.Position = 0;
            Checkpoint.Load(stream, resumed, resumedParameters, resumedSchedule);
            Snapshot(resumed, resumedParameters, resumedSchedule).Where(l => !l.Contains(".gradient", StringComparison.Ordinal))
                .Should().Equal(Snapshot(first, firstParameters, firstSchedule).Where(l => !l.Contains(".gradient", StringComparison.Ordinal)),
                                $"loading after {k} steps restores every number");

            Run(resumed, resumedParameters, resumedSchedule, k + 1, Steps);
            Snapshot(resumed, resumedParameters, resumedSchedule).Should().Equal(expected, $"{schedule} in {typeof(T).Name} resumed after {k} steps");
        }

        uninterruptedSchedule.Epoch.Should().Be(Steps);
        IReadOnlyList<IOptimizer> targets = groups ? ((IGroupedOptimizer)uninterrupted).Groups : [uninterrupted];
        uninterruptedSchedule.CurrentLearningRates.Should().Equal(targets.Select(t => t.LearningRate), "the schedule drives every group");
    }

    [Fact]
    public void The_resume_test_moves_every_schedule_counter()
    {
        var (optimizer, parameters, plateau) = Build("ReduceLROnPlateau", groups: false, seed: 7);
        Run(optimizer, parameters, plateau, 1, Steps);
        ((ReduceLROnPlateau)plateau).CurrentLearningRate.Should().BeLessThan(0.05, "the metric plateaus, so the rate is cut");

        var (o2, p2, restarts) = Build("CosineAnnealingWarmRestarts", groups: false, seed: 7);
        Run(o2, p2, restarts, 1, 5);
        ((CosineAnnealingWarmRestarts)restarts).TI.Should().Be(4, "a restart happened before the checkpoints at k = 4 and 7");
    }

    public static TheoryData<string, string> MismatchCases() => new()
    {
        { "StepLR", "ExponentialLR" },
        { "ExponentialLR", "StepLR" },
        { "StepLR", "StepLR, other step" },
        { "MultiStepLR", "MultiStepLR, fewer milestones" },
        { "OneCycleLR", "OneCycleLR, other peak" },
        { "SequentialLR", "SequentialLR, other child" },
        { "SequentialLR", "SequentialLR, other milestone" },
        { "ReduceLROnPlateau", "ReduceLROnPlateau, max mode" },
        { "ReduceLROnPlateau", "CosineAnnealingLR" },
        { "StepLR", "StepLR over two groups" },
        { "CyclicLR", "CyclicLR, other mode" },
        { "ChainedScheduler", "ChainedScheduler, fewer schedules" },
        { "LambdaLR", "MultiplicativeLR" },
    };

    [Theory]
    [MemberData(nameof(MismatchCases))]
    public void A_schedule_of_another_type_or_configuration_fails_with_Mismatch_and_changes_nothing(string saved, string target)
    {
        var (optimizer, parameters, schedule) = Build(saved, groups: false, seed: 7);
        Run(optimizer, parameters, schedule, 1, 4);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters, schedule);

        var freshParameters = Parameters(seed: 999);
        IOptimizer fresh = target == "StepLR over two groups" ? TwoGroups(freshParameters) : new Momentum(freshParameters, 0.05, 0.9);
        ISchedule freshSchedule = target switch
        {
            "StepLR, other step" => new StepLR(fresh, stepSize: 4, gamma: 0.5),
            "MultiStepLR, fewer milestones" => new MultiStepLR(fresh, [2, 5, 8], gamma: 0.5),
            "OneCycleLR, other peak" => new OneCycleLR(fresh, maxLearningRate: 0.06, totalSteps: Steps),
            "CyclicLR, other mode" => new CyclicLR(fresh, 0.01, 0.1, stepSizeUp: 3, stepSizeDown: 2),
            "ChainedScheduler, fewer schedules" => new ChainedScheduler([new ConstantLR(fresh, 0.5, 3), new ExponentialLR(fresh, 0.9)]),
            "SequentialLR, other child" => new SequentialLR(
                fresh, [new LinearLR(fresh, 0.25, 1, 3), new CosineAnnealingLR(fresh, 2), new ExponentialLR(fresh, 0.9)], [3, 8]),
            "SequentialLR, other milestone" => new SequentialLR(
                fresh, [new LinearLR(fresh, 0.25, 1, 3), new CosineAnnealingWarmRestarts(fresh, 2, 2), new ExponentialLR(fresh, 0.9)], [3, 9]),
            "ReduceLROnPlateau, max mode" => new ReduceLROnPlateau(fresh, PlateauMode.Max, factor: 0.5, patience: 1, cooldown: 1, minLearningRate: 0.002),
            "StepLR over two groups" => new StepLR(fresh, stepSize: 3, gamma: 0.5),
            _ => Schedules[target](fresh),
        };

        // The optimizer section alone would fit (except over two groups); the schedule's mismatch must stop everything.
        ExpectFailure(stream.ToArray(), fresh, freshParameters, freshSchedule, CheckpointError.Mismatch);
    }

    [Fact]
    public void A_checkpoint_without_a_schedule_fails_with_MissingSection_when_one_is_asked_for()
    {
        var (optimizer, parameters, schedule) = Build("StepLR", groups: false, seed: 7);
        Run(optimizer, parameters, schedule, 1, 2);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters);

        var (fresh, freshParameters, freshSchedule) = Build("StepLR", groups: false, seed: 999);
        ExpectFailure(stream.ToArray(), fresh, freshParameters, freshSchedule, CheckpointError.MissingSection);

        // ... and a checkpoint with one still loads without it: loading restores what it is given (documented on
        // Checkpoint). Restoring only the weights for inference, or the optimizer to go on under a new schedule, are
        // what a full checkpoint is also for; refusing them would force a second file per use.
        using var withSchedule = new MemoryStream();
        Checkpoint.Save(withSchedule, optimizer, parameters, schedule);
        withSchedule.Position = 0;
        Checkpoint.Load(withSchedule, fresh, freshParameters);
        freshSchedule.Epoch.Should().Be(0, "the schedule was not asked for");
        fresh.LearningRate.Should().Be(optimizer.LearningRate);

        var weightsOnly = Parameters(seed: 5);
        withSchedule.Position = 0;
        Checkpoint.Load(withSchedule, parameters: weightsOnly);
        StateSnapshot.Values(weightsOnly).Should().Equal(StateSnapshot.Values(parameters));
    }

    [Fact]
    public void A_schedule_alone_can_be_saved_and_loaded()
    {
        var (optimizer, parameters, schedule) = Build("CosineAnnealingWarmRestarts", groups: true, seed: 7);
        Run(optimizer, parameters, schedule, 1, 5);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, schedule: schedule);

        var (fresh, _, freshSchedule) = Build("CosineAnnealingWarmRestarts", groups: true, seed: 999);
        double[] freshRates = ((ParameterGroups<double>)fresh).Groups.Select(g => g.LearningRate).ToArray();
        stream.Position = 0;
        Checkpoint.Load(stream, schedule: freshSchedule);
        ScheduleLines(freshSchedule).Should().Equal(ScheduleLines(schedule));
        ((ParameterGroups<double>)fresh).Groups.Select(g => g.LearningRate).Should().Equal(freshRates, "the optimizer's rates are its own section's");
    }

    [Fact]
    public void Every_bit_flip_in_the_schedule_section_is_detected_and_changes_nothing()
    {
        var (optimizer, parameters, schedule) = Build("SequentialLR", groups: true, seed: 7);
        Run(optimizer, parameters, schedule, 1, 5);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters, schedule);
        byte[] bytes = stream.ToArray();
        int start = IndexOf(bytes, "schedule"u8.ToArray());
        start.Should().BePositive();

        var (fresh, freshParameters, freshSchedule) = Build("SequentialLR", groups: true, seed: 999);
        for (int i = start; i < bytes.Length - 32; i += 7)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= (byte)(1 << (i % 8));
            ExpectFailure(damaged, fresh, freshParameters, freshSchedule, CheckpointError.Corrupted);
        }

        ExpectFailure(bytes[..(bytes.Length - 40)], fresh, freshParameters, freshSchedule, CheckpointError.Truncated);
    }

    [Fact]
    public void Hand_made_schedule_content_with_a_valid_checksum_fails_with_Malformed_and_changes_nothing()
    {
        var (optimizer, parameters, schedule) = Build("CosineAnnealingWarmRestarts", groups: false, seed: 7);
        Run(optimizer, parameters, schedule, 1, 5);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters, schedule);
        byte[] bytes = stream.ToArray();
        var (fresh, freshParameters, freshSchedule) = Build("CosineAnnealingWarmRestarts", groups: false, seed: 999);

        // T_cur (3 after five steps with T₀ = 2, T_mult = 2, in the period T_i = 4) set to 4 = T_i: impossible.
        byte[] tCur = (byte[])bytes.Clone();
        int tCurValue = IndexOf(tCur, Name("T_cur")) + Name("T_cur").Length;
        BinaryPrimitives.ReadDoubleLittleEndian(tCur.AsSpan(tCurValue)).Should().Be(3);
        BinaryPrimitives.WriteDoubleLittleEndian(tCur.AsSpan(tCurValue), 4);
        ExpectFailure(Rehash(tCur), fresh, freshParameters, freshSchedule, CheckpointError.Malformed);

        // A fractional T_i.
        byte[] tI = (byte[])bytes.Clone();
        BinaryPrimitives.WriteDoubleLittleEndian(tI.AsSpan(IndexOf(tI, Name("T_i")) + Name("T_i").Length), 4.5);
        ExpectFailure(Rehash(tI), fresh, freshParameters, freshSchedule, CheckpointError.Malformed);

        // A negative current learning rate: the last 8 bytes before the variables' count and the name "T_cur".
        byte[] rate = (byte[])bytes.Clone();
        BinaryPrimitives.WriteDoubleLittleEndian(rate.AsSpan(IndexOf(rate, Name("T_cur")) - 4 - 8), -0.1);
        ExpectFailure(Rehash(rate), fresh, freshParameters, freshSchedule, CheckpointError.Malformed);

        // An epoch at int.MaxValue, whose next step could not be counted (like a step count at long.MaxValue); one
        // below it loads, and the schedule steps once more.
        int epochAt = IndexOf(bytes, Name("eta_min")) + Name("eta_min").Length + 8;
        BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(epochAt)).Should().Be(5);
        byte[] lastEpoch = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(lastEpoch.AsSpan(epochAt), int.MaxValue);
        var (epochOptimizer, epochParameters, epochSchedule) = Build("CosineAnnealingWarmRestarts", groups: false, seed: 999);
        var before = Snapshot(epochOptimizer, epochParameters, epochSchedule);
        var load = () => Checkpoint.Load(new MemoryStream(Rehash(lastEpoch)), epochOptimizer, epochParameters, epochSchedule);
        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Malformed)
            .WithMessage("CosineAnnealingWarmRestarts is at epoch 2147483647, the largest int32; no further epoch could be counted.*");
        Snapshot(epochOptimizer, epochParameters, epochSchedule).Should().Equal(before);
        BinaryPrimitives.WriteInt32LittleEndian(lastEpoch.AsSpan(epochAt), int.MaxValue - 1);
        Checkpoint.Load(new MemoryStream(Rehash(lastEpoch)), epochOptimizer, epochParameters, epochSchedule);
        ((ILearningRateSchedule)epochSchedule).Step();
        epochSchedule.Epoch.Should().Be(int.MaxValue);

        // At the end of a period whose successor (T_i·T_mult with T_mult = 2) int32 cannot hold: the next step could
        // not restart. One epoch earlier it loads, and steps.
        int tIAt = IndexOf(bytes, Name("T_i")) + Name("T_i").Length;
        foreach (var (tCurValueNow, loads) in new[] { ((double)(1 << 30) + 4, false), ((double)(1 << 30) + 3, true) })
        {
            byte[] hugePeriod = (byte[])bytes.Clone();
            BinaryPrimitives.WriteDoubleLittleEndian(hugePeriod.AsSpan(tIAt), (1 << 30) + 5);
            BinaryPrimitives.WriteDoubleLittleEndian(hugePeriod.AsSpan(tCurValue), tCurValueNow);
            if (loads)
            {
                var (o, p, restarts) = Build("CosineAnnealingWarmRestarts", groups: false, seed: 999);
                Checkpoint.Load(new MemoryStream(Rehash(hugePeriod)), o, p, restarts);
                ((ILearningRateSchedule)restarts).Step();
                ((CosineAnnealingWarmRestarts)restarts).TCur.Should().Be((1 << 30) + 4);
            }
            else
            {
                ExpectFailure(Rehash(hugePeriod), fresh, freshParameters, freshSchedule, CheckpointError.Malformed);
            }
        }

        // A renamed variable.
        byte[] renamed = (byte[])bytes.Clone();
        renamed[IndexOf(renamed, Name("T_cur")) + 4] = (byte)'X';
        ExpectFailure(Rehash(renamed), fresh, freshParameters, freshSchedule, CheckpointError.Malformed);
    }

    [Fact]
    public void A_custom_schedule_cannot_be_checkpointed()
    {
        var optimizer = new Momentum(Parameters(seed: 1), 0.1);
        var save = () => Checkpoint.Save(new MemoryStream(), optimizer, schedule: new CustomSchedule());
        save.Should().Throw<ArgumentException>().WithParameterName("schedule");
        var load = () => Checkpoint.Load(new MemoryStream(), optimizer, schedule: new CustomSchedule());
        load.Should().Throw<ArgumentException>().WithParameterName("schedule");
    }

    private static (IOptimizer Optimizer, Parameter[] Parameters, ISchedule Schedule) Build(string schedule, bool groups, int seed)
    {
        var (optimizer, parameters, built) = Build<double>(schedule, groups, seed);
        return (optimizer, parameters.Select(p => (Parameter)p).ToArray(), built);
    }

    /// <summary>Momentum over "w" (9) and "b" (3), or <see cref="TwoGroups{T}"/>, of element type <typeparamref name="T"/>, with the schedule.</summary>
    private static (IOptimizer Optimizer, Parameter<T>[] Parameters, ISchedule Schedule) Build<T>(string schedule, bool groups, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameters = Parameters<T>(seed);
        IOptimizer optimizer = groups ? TwoGroups(parameters) : new Momentum<T>(parameters, 0.05, 0.9);
        return (optimizer, parameters, Schedules[schedule](optimizer));
    }

    /// <summary>Adam over "w" at 0.01 and over "b" at 0.003 (no weight decay on the bias).</summary>
    private static ParameterGroups<T> TwoGroups<T>(Parameter<T>[] parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(new Adam<T>([parameters[0]], 0.01), new Adam<T>([parameters[1]], 0.003));

    private static Parameter[] Parameters(int seed) => Parameters<double>(seed).Select(p => (Parameter)p).ToArray();

    private static Parameter<T>[] Parameters<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        return
        [
            Parameter<T>.Over("w", Enumerable.Range(0, 9).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray()),
            Parameter<T>.Over("b", Enumerable.Range(0, 3).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray()),
        ];
    }

    /// <summary>Steps <paramref name="from"/> … <paramref name="to"/>: gradient (formed in double, rounded to
    /// <typeparamref name="T"/>), optimizer step, schedule step.</summary>
    private static void Run<T>(IOptimizer optimizer, Parameter<T>[] parameters, ISchedule schedule, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int step = from; step <= to; step++)
        {
            optimizer.ZeroGrad();
            var random = new Random(1000 + step);
            foreach (var parameter in parameters)
            {
                for (int i = 0; i < parameter.Length; i++)
                {
                    double value = double.CreateTruncating(parameter.Value[i]);
                    parameter.Gradient[i] = T.CreateTruncating((1 + i / 4.0) * value + (random.NextDouble() - 0.5) * 0.1);
                }
            }

            optimizer.Step();
            switch (schedule)
            {
                case ReduceLROnPlateau plateau:
                    plateau.Step(1.0 / (1 + Math.Min(step, 3)));   // improves until step 3, then plateaus
                    break;
                case ILearningRateSchedule epochs:
                    epochs.Step();
                    break;
            }
        }
    }

    private static List<string> Snapshot<T>(IOptimizer optimizer, Parameter<T>[] parameters, ISchedule schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
        => [.. StateSnapshot.Of(optimizer, parameters), .. ScheduleLines(schedule)];

    /// <summary>The schedule's complete position, one line per number with its exact bits.</summary>
    private static List<string> ScheduleLines(ISchedule schedule)
    {
        var lines = new List<string>();
        Describe(((ICheckpointableSchedule)schedule).Capture(), "schedule", lines);
        lines.Add($"public epoch={schedule.Epoch} lrs={string.Join(",", schedule.CurrentLearningRates.Select(Bits))}");
        return lines;
    }

    private static void Describe(ScheduleState state, string prefix, List<string> lines)
    {
        lines.Add($"{prefix} {state.TypeName} epoch={state.Epoch}");
        lines.AddRange(state.Configuration.Select(c => $"{prefix} setting {c.Key}={Bits(c.Value)}"));
        lines.AddRange(state.BaseLearningRates.Select((x, g) => $"{prefix} base[{g}]={Bits(x)}"));
        lines.AddRange(state.CurrentLearningRates.Select((x, g) => $"{prefix} current[{g}]={Bits(x)}"));
        lines.AddRange(state.Variables.Select(v => $"{prefix} {v.Key}={Bits(v.Value)}"));
        for (int i = 0; i < state.Children.Length; i++)
        {
            Describe(state.Children[i], $"{prefix}.{i}", lines);
        }
    }

    private static void ExpectFailure(byte[] bytes, IOptimizer optimizer, Parameter[] parameters, ISchedule schedule, CheckpointError error)
    {
        var before = Snapshot(optimizer, parameters, schedule);
        var load = () => Checkpoint.Load(new MemoryStream(bytes), optimizer, parameters, schedule);
        load.Should().Throw<CheckpointException>().Which.Error.Should().Be(error);
        Snapshot(optimizer, parameters, schedule).Should().Equal(before);
    }

    private static byte[] Name(string name)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        byte[] prefixed = new byte[4 + utf8.Length];
        BinaryPrimitives.WriteInt32LittleEndian(prefixed, utf8.Length);
        utf8.CopyTo(prefixed, 4);
        return prefixed;
    }

    private static byte[] Rehash(byte[] bytes)
    {
        byte[] copy = (byte[])bytes.Clone();
        SHA256.HashData(copy.AsSpan(0, copy.Length - 32), copy.AsSpan(copy.Length - 32));
        return copy;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    private static string Bits(double x) =>
        BitConverter.DoubleToInt64Bits(x).ToString("X16", CultureInfo.InvariantCulture) + " (" + x.ToString("R", CultureInfo.InvariantCulture) + ")";

    private sealed class CustomSchedule : ILearningRateSchedule
    {
        public double CurrentLearningRate => 0.1;

        public IReadOnlyList<double> CurrentLearningRates => [0.1];

        public int Epoch => 0;

        public void Step()
        {
        }
    }
}
