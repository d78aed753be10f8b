using System.Numerics;
using Optimizers.Checkpoints;
using Optimizers.Schedules;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Mpi.Tests.Cases;

/// <summary>
/// Every multi-process check, runnable on any number of processes (1, 2 and 4 in CI) and in a world of one under
/// <c>dotnet test</c>. Each case is called by every process with the same communicator, in the same order.
/// </summary>
internal static class DistributedCases
{
    private const int Steps = 6;

    /// <summary>The cases by name, in the order every process runs them.</summary>
    public static IReadOnlyList<(string Name, Action<Communicator> Run)> All { get; } = Build();

    /// <summary>The largest scaled difference from the single-process run seen per element type (printed by the runner).</summary>
    public static Dictionary<string, double> LargestDeviation { get; } = [];

    /// <summary>
    /// Data parallel against one process on the full batch: max |θ_dp − θ_single| / max(1, |θ_single|) after six steps.
    /// The two differ only in the order of the gradient sums (mean of the ranks' means vs the mean of all rows): measured
    /// at most 3.6e-16 in float64 and 1.3e-7 in float32 over every configuration on 2 and 4 processes (Open MPI 4.1.4),
    /// 0 on one; the tolerances leave a factor of about 15–30.
    /// </summary>
    public static double Tolerance<T>() => typeof(T) == typeof(double) ? 1e-14 : 2e-6;

    private static List<(string, Action<Communicator>)> Build()
    {
        var cases = new List<(string, Action<Communicator>)>();
        AddFor<double>(cases);
        AddFor<float>(cases);
        cases.Add(("BatchSharding.NotDivisible", BatchShardingRejectsIndivisible));
        cases.Add(("Plateau.SameMetricEverywhere", PlateauGetsTheSameMetric));
        return cases;
    }

    private static void AddFor<T>(List<(string, Action<Communicator>)> cases)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string type = typeof(T) == typeof(double) ? "float64" : "float32";
        foreach (var name in AllOptimizers<T>.Configurations.Keys)
        {
            cases.Add(($"DataParallel.MatchesFullBatch/{name}/{type}", c => DataParallelMatchesFullBatch<T>(c, name)));
            cases.Add(($"Sharded.EqualsDataParallel/{name}/{type}/Range", c => ShardedEqualsDataParallel<T>(c, name, ShardGranularity.Range)));
            cases.Add(($"Sharded.EqualsDataParallel/{name}/{type}/WholeParameter", c => ShardedEqualsDataParallel<T>(c, name, ShardGranularity.WholeParameter)));
            cases.Add(($"Sharded.PiecesOfThreeEqualWhole/{name}/{type}", _ => PiecesEqualWhole<T>(name, 3)));
            cases.Add(($"Resume.DataParallel/{name}/{type}", c => ResumeDataParallel<T>(c, name)));
            cases.Add(($"Resume.Sharded/{name}/{type}", c => ResumeSharded<T>(c, name)));
        }

        foreach (var name in AllOptimizers<T>.Grouped.Keys)
        {
            cases.Add(($"DataParallel.MatchesFullBatch/{name}/{type}", c => DataParallelMatchesFullBatch<T>(c, name)));
            cases.Add(($"Resume.DataParallel/{name}/{type}", c => ResumeDataParallel<T>(c, name)));
        }

        // The wrappers over a rule (and over each other) are optimizers like any other to the data-parallel wrapper.
        cases.Add(($"DataParallel.MatchesFullBatch/Lookahead(Adam)/{type}",
                   c => DataParallelMatchesFullBatch<T>(c, "Lookahead(Adam)", ps => new Lookahead<T>(new Adam<T>(ps), k: 3))));
        cases.Add(($"DataParallel.MatchesFullBatch/GradientAccumulation(Momentum, 2)/{type}",
                   c => DataParallelMatchesFullBatch<T>(c, "GradientAccumulation(Momentum, 2)",
                                                        ps => new GradientAccumulation<T>(new Momentum<T>(ps, 0.05), every: 2))));
        cases.Add(($"DataParallel.MatchesFullBatch/Lookahead(GradientAccumulation(AdamW, 2))/{type}",
                   c => DataParallelMatchesFullBatch<T>(c, "Lookahead(GradientAccumulation(AdamW, 2))",
                                                        ps => new Lookahead<T>(new GradientAccumulation<T>(new AdamW<T>(ps), every: 2), k: 2))));
        cases.Add(($"DataParallel.AllocatesNothingPerStep/{type}", c => AllocatesNothingPerStep<T>(c, sharded: false)));
        cases.Add(($"Sharded.AllocatesNothingPerStep/{type}", c => AllocatesNothingPerStep<T>(c, sharded: true)));
        cases.Add(($"DataParallel.BroadcastsRank0Values/{type}", BroadcastsRank0Values<T>));
        cases.Add(($"DataParallel.AveragesOncePerStep/{type}", AveragesOncePerStep<T>));
        cases.Add(($"DataParallel.RefusesEvalModeBeforeAveraging/{type}", RefusesEvalModeBeforeAveraging<T>));
        cases.Add(($"DataParallel.VerifyNamesFirstDifference/{type}", VerifyNamesFirstDifference<T>));
        foreach (var policy in new[] { NonFiniteGradientPolicy.Skip, NonFiniteGradientPolicy.Throw })
        {
            cases.Add(($"NonFinite.DataParallel/{policy}/{type}", c => NonFiniteOnOneRank<T>(c, policy, sharded: false)));
            cases.Add(($"NonFinite.Sharded/{policy}/{type}", c => NonFiniteOnOneRank<T>(c, policy, sharded: true)));
        }
    }

    private static IOptimizer<T> AsTyped<T>(IOptimizer optimizer)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (IOptimizer<T>)optimizer;

    private static void Train<T>(IOptimizer optimizer, IReadOnlyList<Parameter<T>> parameters, Communicator? communicator, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int batch = from; batch < to; batch++)
        {
            optimizer.ZeroGrad();
            if (communicator is null)
            {
                Problem<T>.Gradients(parameters, batch, 0, Problem<T>.GlobalBatch);
            }
            else
            {
                Problem<T>.LocalGradients(parameters, batch, communicator);
            }

            optimizer.Step();
        }
    }

    private static void DataParallelMatchesFullBatch<T>(Communicator communicator, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
        => DataParallelMatchesFullBatch<T>(communicator, name, ps => AllOptimizers<T>.CreateAny(name, ps));

    private static void DataParallelMatchesFullBatch<T>(Communicator communicator, string name, Func<Parameter<T>[], IOptimizer> create)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var single = Problem<T>.NewParameters();
        Train(create(single), single, null, 0, Steps);

        var mine = Problem<T>.NewParameters();
        var parallel = new DataParallel<T>(AsTyped<T>(create(mine)), communicator) { VerifyEvery = 1 };
        Train(parallel, mine, communicator, 0, Steps);

        double worst = 0;
        for (int p = 0; p < mine.Length; p++)
        {
            for (int k = 0; k < mine[p].Length; k++)
            {
                double expected = double.CreateTruncating(single[p].Value[k]);
                double actual = double.CreateTruncating(mine[p].Value[k]);
                worst = Math.Max(worst, Math.Abs(actual - expected) / Math.Max(1, Math.Abs(expected)));
            }
        }

        string key = typeof(T).Name;
        LargestDeviation[key] = Math.Max(LargestDeviation.GetValueOrDefault(key), worst);
        worst.Should().BeLessThanOrEqualTo(Tolerance<T>(), $"{name} on {communicator.Size} processes against one process on the full batch");
    }

    private static void ShardedEqualsDataParallel<T>(Communicator communicator, string name, ShardGranularity granularity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var configuration = AllOptimizers<T>.Configurations[name];
        var plain = Problem<T>.NewParameters();
        var rule = configuration.Create(plain);
        if (granularity == ShardGranularity.Range && rule is not ElementwiseOptimizer<T>)
        {
            // Whole-parameter rules: the Range case is an error, proven here; WholeParameter runs below.
            var act = () => new ShardedOptimizer<T>(Problem<T>.NewParameters(), configuration.Create, granularity, communicator);
            act.Should().Throw<ArgumentException>().WithMessage("*WholeParameter*");
            return;
        }

        var parallel = new DataParallel<T>(rule, communicator);
        Train(parallel, plain, communicator, 0, Steps);

        var mine = Problem<T>.NewParameters();
        var sharded = new ShardedOptimizer<T>(mine, configuration.Create, granularity, communicator);
        Train(sharded, mine, communicator, 0, Steps);
        sharded.VerifySameParameters();

        for (int p = 0; p < mine.Length; p++)
        {
            Bits(mine[p].Value.ToArray()).Should().Equal(Bits(plain[p].Value.ToArray()), $"{name}: parameter {mine[p].Name}, {granularity}");
        }

        // The shard's state is the unsharded state's slice, bit for bit.
        var layout = sharded.Layout;
        var pieces = layout.Pieces(communicator.Rank);
        sharded.Shard.StepCount.Should().Be(rule.StepCount);
        for (int i = 0; i < pieces.Count; i++)
        {
            var (p, start, length) = pieces[i];
            foreach (var state in rule.StateNames.Where(s => IsVector(rule, s)))
            {
                // A whole parameter's state is compared whole: it need not be as long as the parameter (Adafactor's
                // row and column statistics); a range's state is the slice of the parameter's elementwise state.
                var unsharded = rule.GetState(state, p);
                var expected = start == 0 && length == plain[p].Length ? unsharded : unsharded.Slice(start, length);
                Bits(sharded.Shard.GetState(state, i).ToArray())
                    .Should().Equal(Bits(expected.ToArray()), $"{name}: state {state} of piece {i}");
            }
        }

        long owned = pieces.Sum(piece => (long)piece.Length);
        owned.Should().Be(layout.Length(communicator.Rank));
        Enumerable.Range(0, communicator.Size).Sum(r => layout.Length(r)).Should().Be(layout.TotalLength);
    }

    /// <summary>On one process: a rule over the pieces of three shares gives the whole rule's bits (the premise of range sharding).</summary>
    private static void PiecesEqualWhole<T>(string name, int shares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var configuration = AllOptimizers<T>.Configurations[name];
        var whole = Problem<T>.NewParameters();
        var rule = configuration.Create(whole);
        if (rule is not ElementwiseOptimizer<T>)
        {
            return;
        }

        var layout = new ShardLayout(Problem<T>.Lengths, shares, ShardGranularity.Range);
        var pieceLists = Enumerable.Range(0, shares).Select(layout.Pieces).ToArray();
        var pieceParameters = pieceLists.Select(list => list.Select(x => new Parameter<T>($"{whole[x.Parameter].Name}[{x.Start}]", whole[x.Parameter].Value.ToArray()[x.Start..(x.Start + x.Length)])).ToArray()).ToArray();
        var pieceRules = pieceParameters.Select(ps => configuration.Create(ps)).ToArray();
        for (int batch = 0; batch < Steps; batch++)
        {
            rule.ZeroGrad();
            Problem<T>.Gradients(whole, batch, 0, Problem<T>.GlobalBatch);
            for (int r = 0; r < shares; r++)
            {
                for (int i = 0; i < pieceLists[r].Count; i++)
                {
                    var (p, start, length) = pieceLists[r][i];
                    whole[p].Gradient.SubVector(start, length).CopyTo(pieceParameters[r][i].Gradient);
                }

                pieceRules[r].Step();
            }

            rule.Step();
        }

        for (int r = 0; r < shares; r++)
        {
            for (int i = 0; i < pieceLists[r].Count; i++)
            {
                var (p, start, length) = pieceLists[r][i];
                Bits(pieceParameters[r][i].Value.ToArray()).Should().Equal(Bits(whole[p].Value.ToArray()[start..(start + length)]), $"{name}: share {r} piece {i}");
            }
        }
    }

    private static void ResumeDataParallel<T>(Communicator communicator, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string path = Path.Combine(Path.GetTempPath(), $"optimizers-mpi-{Environment.ProcessId}-dp.ckpt");
        var first = Problem<T>.NewParameters();
        var run = new DataParallel<T>(AsTyped<T>(AllOptimizers<T>.CreateAny(name, first)), communicator);
        var schedule = new StepLR(run.Inner, stepSize: 2, gamma: 0.5);
        Train(run, first, communicator, 0, 3);
        DistributedCheckpoint.Save(path, run, schedule);
        Train(run, first, communicator, 3, Steps);

        var second = Problem<T>.NewParameters(seed: 99);
        var resumed = new DataParallel<T>(AsTyped<T>(AllOptimizers<T>.CreateAny(name, second)), communicator);
        var resumedSchedule = new StepLR(resumed.Inner, stepSize: 2, gamma: 0.5);
        DistributedCheckpoint.Load(path, resumed, resumedSchedule);
        Train(resumed, second, communicator, 3, Steps);
        for (int p = 0; p < first.Length; p++)
        {
            Bits(second[p].Value.ToArray()).Should().Equal(Bits(first[p].Value.ToArray()), $"{name} resumed: parameter {first[p].Name}");
        }

        resumed.VerifySameParameters();
        if (communicator.IsRoot)
        {
            File.Delete(path);
        }
    }

    private static void ResumeSharded<T>(Communicator communicator, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var configuration = AllOptimizers<T>.Configurations[name];
        var granularity = configuration.Create(Problem<T>.NewParameters()) is ElementwiseOptimizer<T> ? ShardGranularity.Range : ShardGranularity.WholeParameter;
        string path = Path.Combine(Path.GetTempPath(), $"optimizers-mpi-{Environment.ProcessId}-zero.ckpt");
        var first = Problem<T>.NewParameters();
        var run = new ShardedOptimizer<T>(first, configuration.Create, granularity, communicator);
        var schedule = new ExponentialLR(run, gamma: 0.9);
        Train(run, first, communicator, 0, 3);
        schedule.Step();
        DistributedCheckpoint.Save(path, run, schedule);
        Train(run, first, communicator, 3, Steps);
        schedule.Step();

        var second = Problem<T>.NewParameters(seed: 99);
        var resumed = new ShardedOptimizer<T>(second, configuration.Create, granularity, communicator);
        var resumedSchedule = new ExponentialLR(resumed, gamma: 0.9);
        DistributedCheckpoint.Load(path, resumed, resumedSchedule);
        resumed.Shard.StepCount.Should().Be(3);
        Train(resumed, second, communicator, 3, Steps);
        resumedSchedule.Step();
        for (int p = 0; p < first.Length; p++)
        {
            Bits(second[p].Value.ToArray()).Should().Equal(Bits(first[p].Value.ToArray()), $"{name} resumed sharded: parameter {first[p].Name}");
        }

        resumed.LearningRate.Should().Be(run.LearningRate);

        // A file of another sharding is refused on every process, before anything changes.
        var other = new DataParallel<T>(configuration.Create(Problem<T>.NewParameters()), communicator);
        var refuse = () => DistributedCheckpoint.Load(path, other, null);
        refuse.Should().Throw<CheckpointException>().WithMessage("*ShardedOptimizer*DataParallel*");
        if (communicator.IsRoot)
        {
            File.Delete(path);
        }
    }

    private static void BroadcastsRank0Values<T>(Communicator communicator)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mine = Problem<T>.NewParameters(seed: 1000 + communicator.Rank);
        _ = new DataParallel<T>(new Adam<T>(mine), communicator);
        var rank0 = Problem<T>.NewParameters(seed: 1000);
        for (int p = 0; p < mine.Length; p++)
        {
            Bits(mine[p].Value.ToArray()).Should().Equal(Bits(rank0[p].Value.ToArray()));
        }

        var sharded = Problem<T>.NewParameters(seed: 2000 + communicator.Rank);
        _ = new ShardedOptimizer<T>(sharded, ps => new Adam<T>(ps), ShardGranularity.Range, communicator);
        var rank0Sharded = Problem<T>.NewParameters(seed: 2000);
        for (int p = 0; p < sharded.Length; p++)
        {
            Bits(sharded[p].Value.ToArray()).Should().Equal(Bits(rank0Sharded[p].Value.ToArray()));
        }
    }

    /// <summary>
    /// Mixed groups holding a schedule-free group in evaluation mode: the step is refused before the gradients are
    /// averaged, so the gradients, the parameters and the counts are as they were; after Train() it steps.
    /// </summary>
    private static void RefusesEvalModeBeforeAveraging<T>(Communicator communicator)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mine = Problem<T>.NewParameters();
        var groups = new ParameterGroups<T>(new ScheduleFreeAdamW<T>([mine[0]], 0.01), new Momentum<T>(mine.Skip(1), 0.1));
        var parallel = new DataParallel<T>(new Lookahead<T>(groups, k: 2), communicator);
        Train(parallel, mine, communicator, 0, 2);
        groups.Eval();
        parallel.ZeroGrad();
        Problem<T>.LocalGradients(mine, 2, communicator);
        var before = mine.Select(p => Bits(p.Value.ToArray()).Concat(Bits(p.Gradient.ToArray())).ToArray()).ToArray();

        var step = () => parallel.Step();

        step.Should().Throw<InvalidOperationException>().WithMessage("Group 0 (ScheduleFreeAdamW)*evaluation mode*Train()*");
        parallel.GradientsAveraged.Should().BeFalse("the refusal comes before the average");
        for (int p = 0; p < mine.Length; p++)
        {
            Bits(mine[p].Value.ToArray()).Concat(Bits(mine[p].Gradient.ToArray())).Should().Equal(before[p]);
        }

        groups.StepCount.Should().Be(2);
        groups.Train();
        parallel.Step();
        groups.StepCount.Should().Be(3);
    }

    private static void AveragesOncePerStep<T>(Communicator communicator)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var reference = Problem<T>.NewParameters();
        var plain = new DataParallel<T>(new Momentum<T>(reference, 0.1), communicator);
        Train(plain, reference, communicator, 0, 2);

        var mine = Problem<T>.NewParameters();
        var parallel = new DataParallel<T>(new Momentum<T>(mine, 0.1), communicator);
        for (int batch = 0; batch < 2; batch++)
        {
            parallel.ZeroGrad();
            parallel.GradientsAveraged.Should().BeFalse();
            Problem<T>.LocalGradients(mine, batch, communicator);
            parallel.AverageGradients();
            var averaged = mine.Select(p => p.Gradient.ToArray()).ToArray();
            parallel.AverageGradients();
            parallel.GradientsAveraged.Should().BeTrue();
            for (int p = 0; p < mine.Length; p++)
            {
                mine[p].Gradient.ToArray().Should().Equal(averaged[p], "a second AverageGradients changes nothing");
            }

            parallel.Step();
            parallel.GradientsAveraged.Should().BeFalse();
        }

        for (int p = 0; p < mine.Length; p++)
        {
            Bits(mine[p].Value.ToArray()).Should().Equal(Bits(reference[p].Value.ToArray()), "a step after AverageGradients does not average again");
        }
    }

    private static void VerifyNamesFirstDifference<T>(Communicator communicator)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mine = Problem<T>.NewParameters();
        var parallel = new DataParallel<T>(new Adam<T>(mine), communicator);
        Train(parallel, mine, communicator, 0, 2);
        parallel.VerifySameParameters();
        if (communicator.Size == 1)
        {
            return;
        }

        if (communicator.Rank == communicator.Size - 1)
        {
            mine[1].Value[17] += T.One;
        }

        var act = parallel.VerifySameParameters;
        act.Should().Throw<InvalidOperationException>().WithMessage("*parameter 'b'*element 17*");
    }

    /// <summary>
    /// After a warm-up (JIT, tiering), a step (the all-reduce of every gradient, the rule's step, and for the sharded
    /// optimizer the all-gather) allocates nothing: the buffers are made when the wrapper is built.
    /// </summary>
    private static void AllocatesNothingPerStep<T>(Communicator communicator, bool sharded)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mine = Problem<T>.NewParameters();
        IOptimizer<T> optimizer = sharded
            ? new ShardedOptimizer<T>(mine, ps => new Adam<T>(ps), ShardGranularity.Range, communicator)
            : new DataParallel<T>(new Adam<T>(mine), communicator);
        Train(optimizer, mine, communicator, 0, 40);
        long allocated = 0;
        for (int batch = 40; batch < 60; batch++)
        {
            optimizer.ZeroGrad();
            Problem<T>.LocalGradients(mine, batch, communicator);
            long before = GC.GetAllocatedBytesForCurrentThread();
            optimizer.Step();
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        allocated.Should().Be(0, $"{(sharded ? "the sharded optimizer" : "DataParallel")} allocates nothing per step on {communicator.Size} processes");
    }

    private static void NonFiniteOnOneRank<T>(Communicator communicator, NonFiniteGradientPolicy policy, bool sharded)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mine = Problem<T>.NewParameters();
        IOptimizer<T> optimizer = sharded
            ? new ShardedOptimizer<T>(mine, ps => new Adam<T>(ps) { NonFiniteGradients = policy }, ShardGranularity.Range, communicator)
            : new DataParallel<T>(new Adam<T>(mine) { NonFiniteGradients = policy }, communicator);
        Train(optimizer, mine, communicator, 0, 2);
        var before = mine.Select(p => Bits(p.Value.ToArray())).ToArray();

        optimizer.ZeroGrad();
        Problem<T>.LocalGradients(mine, 2, communicator);
        if (communicator.Rank == communicator.Size - 1)
        {
            mine[1].Gradient[40] = T.NaN;
        }

        var act = optimizer.Step;
        if (policy == NonFiniteGradientPolicy.Throw)
        {
            act.Should().Throw<NonFiniteGradientException>().Where(e => e.ParameterName == "b" && e.Index == 40);
        }
        else
        {
            act.Should().NotThrow();
        }

        for (int p = 0; p < mine.Length; p++)
        {
            Bits(mine[p].Value.ToArray()).Should().Equal(before[p], "a bad gradient on any process changes nothing anywhere");
        }

        var rule = sharded ? ((ShardedOptimizer<T>)optimizer).Shard : (Optimizer)((DataParallel<T>)optimizer).Inner;
        rule.StepCount.Should().Be(2);
        rule.SkippedStepCount.Should().Be(policy == NonFiniteGradientPolicy.Skip ? 1 : 0);

        // Training goes on alike everywhere after the bad batch.
        Train(optimizer, mine, communicator, 3, 4);
        if (optimizer is DataParallel<T> parallel)
        {
            parallel.VerifySameParameters();
        }
        else
        {
            ((ShardedOptimizer<T>)optimizer).VerifySameParameters();
        }
    }

    private static void BatchShardingRejectsIndivisible(Communicator communicator)
    {
        var act = () => BatchSharding.LocalRows(10, 1, 4);
        act.Should().Throw<ArgumentException>().WithParameterName("globalBatchSize").WithMessage("*not divisible*4*");
        BatchSharding.LocalRows(12, 3, 4).Should().Be((9, 3));
        var (start, count) = BatchSharding.LocalRows(8 * communicator.Size, communicator);
        (start, count).Should().Be((8 * communicator.Rank, 8));
        var order = BatchSharding.EpochOrder(10, new Random(3));
        var again = BatchSharding.EpochOrder(10, new Random(3));
        order.Should().Equal(again).And.BeEquivalentTo(Enumerable.Range(0, 10));
    }

    private static void PlateauGetsTheSameMetric(Communicator communicator)
    {
        var parameters = Problem<double>.NewParameters();
        var parallel = new DataParallel<double>(new GradientDescent<double>(parameters, 1.0), communicator);
        var schedule = new ReduceLROnPlateau(parallel, patience: 0, factor: 0.5);
        // Rank-dependent metrics: only their mean decides, so every process reduces at the same epochs.
        double[] means = [1.0, 0.5, 0.6, 0.4, 0.45];
        foreach (double mean in means)
        {
            double local = mean + (communicator.Rank - ((communicator.Size - 1) / 2.0)) * 0.25;
            schedule.Step(local, communicator);
        }

        schedule.LearningRate().Should().Be(0.25);
        Span<double> rate = [parallel.LearningRate];
        communicator.AllReduceMax(rate);
        rate[0].Should().Be(parallel.LearningRate);
    }

    private static double LearningRate(this ReduceLROnPlateau schedule) => schedule.CurrentLearningRate;

    private static bool IsVector<T>(Optimizer<T> rule, string state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            _ = rule.GetState(state, 0);
            return true;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }

    private static long[] Bits<T>(T[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(double)
            ? [.. values.Select(v => BitConverter.DoubleToInt64Bits(double.CreateTruncating(v)))]
            : [.. values.Select(v => (long)BitConverter.SingleToInt32Bits(float.CreateTruncating(v)))];
}
