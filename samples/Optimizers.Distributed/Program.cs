using System.Globalization;
using Optimizers;
using Optimizers.Datasets;
using Optimizers.Mpi;
using Optimizers.Networks;

// Data-parallel training of the digits classifier (64 → 32 → 10) with Adam, one process per MPI rank:
//   mpirun -np 2 dotnet samples/Optimizers.Distributed/bin/Release/net10.0/Optimizers.Distributed.dll [--sharded]
// Every rank shuffles with the same seed and takes its own rows of each global batch of 64; DataParallel averages the
// gradients (or ShardedOptimizer, with --sharded, also shards Adam's moments). Rank 0 also trains a single-process
// network on the same global batches and prints both loss curves: they agree within 1e-12 relative (the all-reduce adds
// the ranks' means in its own order, a few units in the last place per step), and the program fails if they do not.
var world = Communicator.World;
bool sharded = args.Contains("--sharded");
const int GlobalBatch = 64;
const int Epochs = 8;
const double LearningRate = 0.01;
const double Tolerance = 1e-12;

var (rawTrain, rawTest) = PublicData.Digits().Split(testFraction: 0.2, seed: 1);
var train = rawTrain.Standardized();
var test = rawTest.Standardized(rawTrain);

var network = Network.Mlp<double>([train.FeatureCount, 32, train.ClassCount], Activation.Tanh, seed: world.Rank + 1);
IOptimizer optimizer = sharded
    ? new ShardedOptimizer<double>(network.Parameters, ps => new Adam<double>(ps, LearningRate), ShardGranularity.Range, world)
    : new DataParallel<double>(new Adam<double>(network.Parameters, LearningRate), world);

// The reference: one process on the whole of each global batch, from rank 0's initial weights (seed 1).
var single = world.IsRoot ? Network.Mlp<double>([train.FeatureCount, 32, train.ClassCount], Activation.Tanh, seed: 1) : null;
var singleOptimizer = single is null ? null : new Adam<double>(single.Parameters, LearningRate);

var (start, count) = BatchSharding.LocalRows(GlobalBatch, world);
var random = new Random(42);
int batches = train.Count / GlobalBatch; // the remainder rows are left out, so that every batch splits evenly
double worst = 0;
if (world.IsRoot)
{
    Console.WriteLine($"{world.Size} process(es), {(sharded ? "ShardedOptimizer (ZeRO-1)" : "DataParallel")} over Adam, "
                      + $"global batch {GlobalBatch} ({count} rows per process), {batches} steps per epoch");
    Console.WriteLine("epoch  loss (distributed)  loss (one process)  relative difference");
}

for (int epoch = 1; epoch <= Epochs; epoch++)
{
    int[] order = BatchSharding.EpochOrder(train.Count, random);
    double sum = 0, singleSum = 0;
    for (int b = 0; b < batches; b++)
    {
        var globalRows = order.AsSpan(b * GlobalBatch, GlobalBatch);
        var mine = train.Subset(globalRows.Slice(start, count).ToArray());
        optimizer.ZeroGrad();
        double localLoss = network.Backward(mine.Features, mine.Labels);
        optimizer.Step();
        sum += world.Mean(localLoss); // equal shares: the mean of the ranks' mean losses is the batch's mean loss

        if (single is not null)
        {
            var all = train.Subset(globalRows.ToArray());
            singleOptimizer!.ZeroGrad();
            singleSum += single.Backward(all.Features, all.Labels);
            singleOptimizer.Step();
        }
    }

    if (world.IsRoot)
    {
        double loss = sum / batches, singleLoss = singleSum / batches;
        double difference = Math.Abs(loss - singleLoss) / Math.Abs(singleLoss);
        worst = Math.Max(worst, difference);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{epoch,5}  {loss,18:F12}  {singleLoss,18:F12}  {difference,19:E2}"));
    }
}

if (world.IsRoot)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"test accuracy {network.Accuracy(test.Features, test.Labels):P1} (one process: {single!.Accuracy(test.Features, test.Labels):P1}); "
        + $"largest relative loss difference {worst:E2} (tolerance {Tolerance:E0})"));
}

Communicator.Shutdown();
return worst <= Tolerance ? 0 : 1;
