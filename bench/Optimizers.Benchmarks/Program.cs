using System.Numerics;
using System.Reflection;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Optimizers.Benchmarks.Infrastructure;

// Usage (bench/README.md): dotnet run -c Release --project bench/Optimizers.Benchmarks -- --filter '*'
//   quick subset:  -- --filter '*Momentum*' --layouts 1e7,100x1000 --threads 1 --job short
//   smoke test:    -- --filter '*' --job dry
//   correctness:   -- --verify   (every implementation follows the library's trajectory; measures nothing)
//   paired ratios: -- --paired [rounds] --layouts 1e7,100x1000 [--cases Momentum,Adam] [--types float32]
args = Selection.Parse(args);
if (Selection.Verify)
{
    return Agreement.CheckAll() ? 0 : 1;
}

Console.WriteLine($"Vector<double>.Count = {Vector<double>.Count}, Vector<float>.Count = {Vector<float>.Count}, " +
                  $"Vector512 accelerated = {Vector512.IsHardwareAccelerated}, " +
                  $"processors = {Environment.ProcessorCount}");
if (Selection.PairedRounds > 0)
{
    PairedRun.Run(Selection.Cases, Selection.PairedRounds);
    return 0;
}

// BenchmarkDotNet builds a project of its own per job to run each benchmark in a separate process; that project does not
// import bench/Directory.Build.targets, so its copy of TorchSharp's native bridge is made loadable (see that file) by
// passing the same targets to its build as CustomAfterMicrosoftCommonTargets, on every job (a mutator job).
string weakenTargets = Path.Combine(typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                                        .Single(a => a.Key == "BenchDirectory").Value!, "Directory.Build.targets");
var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddJob(Job.Default.WithArguments([new MsBuildArgument($"/p:CustomAfterMicrosoftCommonTargets={weakenTargets}")]).AsMutator());
if (TorchProbe.Error is { } error)
{
    Console.WriteLine($"TorchSharp benchmarks skipped: libtorch did not load here: {error}");
    // NameFilter sees the method name alone ("TorchSharp"), not Namespace.Class.Method.
    config = config.AddFilter(new NameFilter(name => name != nameof(StepBenchmark<double>.TorchSharp)));
}
else
{
    Console.WriteLine("TorchSharp: libtorch loaded.");
}

// Cases without a TorchSharp counterpart (Lion, ADOPT, the schedule-free rules) have no TorchSharp benchmark.
config = config.AddFilter(new SimpleFilter(benchmark =>
    benchmark.Descriptor.WorkloadMethod.Name != nameof(StepBenchmark<double>.TorchSharp)
    || StepBenchmark<double>.HasTorchCounterpart(benchmark.Descriptor.Type)));

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
return 0;
