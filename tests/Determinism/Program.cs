using System.Runtime.InteropServices;
using Optimizers.Determinism;

// Prints one line per item: "name sha256-of-every-final-bit". tests/Determinism/run.sh runs this on net8.0 and net10.0
// and compares the lines; it also checks that every "parallel2/…" line equals its "optimizer/…" line.
// The runtime is reported on standard error so that standard output is the same on both frameworks.
Console.Error.WriteLine($"determinism: {RuntimeInformation.FrameworkDescription}, Vector<double>.Count = {System.Numerics.Vector<double>.Count}");

foreach (var (name, create, learningRate) in OptimizerWorkload.Configurations)
{
    Console.WriteLine($"optimizer/{name} {OptimizerWorkload.Run(create, learningRate, degree: 1)}");
}

foreach (var (name, create, learningRate) in OptimizerWorkload.Configurations)
{
    Console.WriteLine($"parallel2/{name} {OptimizerWorkload.Run(create, learningRate, degree: 2)}");
}

foreach (var (name, hash) in NetworkWorkload.Run())
{
    Console.WriteLine($"{name} {hash}");
}

foreach (var (name, hash) in ScheduleWorkload.Run())
{
    Console.WriteLine($"{name} {hash}");
}
