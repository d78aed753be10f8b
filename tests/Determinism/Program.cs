using System.Numerics;
using System.Runtime.InteropServices;
using Optimizers.Determinism;

// Prints one line per item: "name sha256-of-every-final-bit". tests/Determinism/run.sh runs this on net8.0 and net10.0
// and compares the lines; it also checks that every "parallel2/…" line equals its "optimizer/…" line. Every optimizer
// and network item is run in double and in float; the float items carry "float32/" after their kind
// ("optimizer/float32/Adam(amsgrad)").
// The runtime is reported on standard error so that standard output is the same on both frameworks.
Console.Error.WriteLine($"determinism: {RuntimeInformation.FrameworkDescription}, Vector<double>.Count = {Vector<double>.Count}");

OptimizerItems<double>("optimizer/", degree: 1);
OptimizerItems<float>("optimizer/float32/", degree: 1);
OptimizerItems<double>("parallel2/", degree: 2);
OptimizerItems<float>("parallel2/float32/", degree: 2);
Print(NetworkWorkload<double>.Run(prefix: ""));
Print(NetworkWorkload<float>.Run(prefix: "float32/"));
Print(ScheduleWorkload.Run());

static void OptimizerItems<T>(string prefix, int degree)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    foreach (var (name, create, learningRate) in OptimizerWorkload<T>.Configurations)
    {
        Console.WriteLine($"{prefix}{name} {OptimizerWorkload<T>.Run(create, learningRate, degree)}");
    }
}

static void Print(IEnumerable<(string Name, string Hash)> items)
{
    foreach (var (name, hash) in items)
    {
        Console.WriteLine($"{name} {hash}");
    }
}
