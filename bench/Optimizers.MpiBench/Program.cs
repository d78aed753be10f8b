using System.Diagnostics;
using System.Globalization;
using Optimizers;
using Optimizers.Mpi;

// mpirun -np 2 dotnet bench/Optimizers.MpiBench/bin/Release/net10.0/Optimizers.MpiBench.dll [--verify]
// For 1e5, 1e6 and 1e7 float64 parameters (one parameter vector): the median time of the gradient all-reduce
// (DataParallel.AverageGradients), of an all-gather of the parameters from equal contiguous shares (what a sharded step
// ends with), of a whole sharded step (average + Adam on 1/N + all-gather), of the Adam step alone
// on all parameters, and the optimizer state per process with and without sharding. --verify runs 1e3 and 1e4 once and
// checks that the sharded step equals the unsharded one bit for bit (no timing is meaningful then).
var world = Communicator.World;
bool verify = args.Contains("--verify");
int[] sizes = verify ? [1_000, 10_000] : [100_000, 1_000_000, 10_000_000];
int repetitions = verify ? 1 : 21;
bool ok = true;
if (world.IsRoot)
{
    Console.WriteLine($"{world.Size} process(es); median of {repetitions}; times in ms");
    Console.WriteLine("parameters  all-reduce  all-gather  sharded step  Adam step (all)  state/process unsharded  sharded");
}

foreach (int n in sizes)
{
    var random = new Random(1);
    double[] initial = [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5)];
    double[] gradient = [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5 + world.Rank)];

    var plain = new Parameter<double>("theta", (double[])initial.Clone());
    var parallel = new DataParallel<double>(new Adam<double>([plain]), world);
    var shardedParameter = new Parameter<double>("theta", (double[])initial.Clone());
    var sharded = new ShardedOptimizer<double>([shardedParameter], ps => new Adam<double>(ps), ShardGranularity.Range, world);
    var alone = new Parameter<double>("theta", (double[])initial.Clone());
    var adam = new Adam<double>([alone]);

    double allReduce = Median(repetitions, () =>
    {
        gradient.CopyTo(plain.Gradient.AsArray()!, 0);
        parallel.ZeroGrad();
        gradient.CopyTo(plain.Gradient.AsArray()!, 0);
        return Time(parallel.AverageGradients);
    });
    int[] counts = [.. Enumerable.Range(0, world.Size).Select(r => n / world.Size + (r < n % world.Size ? 1 : 0))];
    int[] displacements = [.. counts.Select((_, r) => counts.Take(r).Sum())];
    double[] gathered = new double[n];
    double allGather = Median(repetitions, () => Time(() => world.AllGather<double>(
        initial.AsSpan(displacements[world.Rank], counts[world.Rank]), gathered, counts, displacements)));
    double shardedStep = Median(repetitions, () =>
    {
        sharded.ZeroGrad();
        gradient.CopyTo(shardedParameter.Gradient.AsArray()!, 0);
        return Time(sharded.Step);
    });
    double step = Median(repetitions, () =>
    {
        gradient.CopyTo(alone.Gradient.AsArray()!, 0);
        return Time(adam.Step);
    });

    if (verify)
    {
        // The data-parallel wrapper's gradients are averaged: step it once and compare with the sharded optimizer's
        // first step, taken above on the same averaged gradients from the same start.
        parallel.Step();
        ok &= plain.Value.Enumerate().SequenceEqual(shardedParameter.Value.Enumerate());
    }

    long unshardedState = 2L * n;
    long shardedState = 2L * sharded.ShardParameters.Sum(p => (long)p.Length);
    if (world.IsRoot)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n,10}  {allReduce,10:F3}  {allGather,10:F3}  {shardedStep,12:F3}  {step,15:F3}  {unshardedState * 8 / 1e6,19:F1} MB  {shardedState * 8 / 1e6,7:F1} MB"));
    }
}

if (verify && world.IsRoot)
{
    Console.WriteLine(ok ? "verify: sharded step = unsharded step, bit for bit" : "verify: FAILED, the sharded step differs");
}

Communicator.Shutdown();
return ok ? 0 : 1;

static double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalMilliseconds;
}

static double Median(int repetitions, Func<double> measure)
{
    double[] times = [.. Enumerable.Range(0, repetitions).Select(_ => measure())];
    Array.Sort(times);
    return times[times.Length / 2];
}
