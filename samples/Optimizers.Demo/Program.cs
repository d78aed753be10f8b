using System.Diagnostics;
using System.Globalization;
using Optimizers;
using Optimizers.Datasets;
using Optimizers.Networks;

// Trains the same network on the moons data with gradient descent and with momentum, and compares them.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Epochs = 200;
const double LearningRate = 0.1;
const double TargetLoss = 0.25;

var data = ToyProblems.Moons(count: 400, noise: 0.15, seed: 1);
var runs = new (string Name, Func<IEnumerable<Parameter>, IOptimizer> Create)[]
{
    ("GradientDescent", p => new GradientDescent(p, LearningRate)),
    ("Momentum", p => new Momentum(p, LearningRate, momentum: 0.9)),
};

Console.WriteLine($"Moons: {data.Count} points, network 2-16-16-2 (tanh), full batch, α = {LearningRate}, {Epochs} epochs.");
Console.WriteLine($"{"epoch",5} | {"GD loss",9} {"GD acc",7} | {"Mom loss",9} {"Mom acc",7}");
var results = new List<(string Name, double Loss, double Accuracy, int? EpochsToTarget, TimeSpan Time)>();
var history = new (double Loss, double Accuracy)[runs.Length, Epochs];
for (int r = 0; r < runs.Length; r++)
{
    var network = Network.Mlp([2, 16, 16, 2], Activation.Tanh, seed: 7);
    var optimizer = runs[r].Create(network.Parameters);
    int? reached = null;
    var clock = Stopwatch.StartNew();
    for (int epoch = 0; epoch < Epochs; epoch++)
    {
        optimizer.ZeroGrad();
        double loss = network.Backward(data.Features, data.Labels);
        optimizer.Step();
        history[r, epoch] = (loss, network.Accuracy(data.Features, data.Labels));
        if (reached is null && loss <= TargetLoss)
        {
            reached = epoch + 1;
        }
    }

    results.Add((runs[r].Name, network.Loss(data.Features, data.Labels), network.Accuracy(data.Features, data.Labels), reached, clock.Elapsed));
}

for (int epoch = 0; epoch < Epochs; epoch++)
{
    Console.WriteLine($"{epoch + 1,5} | {history[0, epoch].Loss,9:F4} {history[0, epoch].Accuracy,7:P1} | {history[1, epoch].Loss,9:F4} {history[1, epoch].Accuracy,7:P1}");
}

Console.WriteLine();
Console.WriteLine($"{"optimizer",-16} {"final loss",10} {"accuracy",9} {$"epochs to loss ≤ {TargetLoss}",22} {"time",8}");
foreach (var (name, loss, accuracy, reached, time) in results)
{
    Console.WriteLine($"{name,-16} {loss,10:F4} {accuracy,9:P1} {(reached?.ToString(CultureInfo.InvariantCulture) ?? "not reached"),22} {time.TotalMilliseconds,6:F0} ms");
}
