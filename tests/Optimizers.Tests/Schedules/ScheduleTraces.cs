using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>
/// Loads schedule_traces.json (written by generate_schedule_traces.py with PyTorch, copied next to the test
/// assembly by the csproj) and builds the C# schedule for each torch configuration in it.
/// </summary>
internal static class ScheduleTraces
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Schedules", "schedule_traces.json");
        return JsonDocument.Parse(File.ReadAllText(path));
    });

    public static JsonElement Section(string name) => Document.Value.RootElement.GetProperty(name);

    /// <summary>|actual − expected| ≤ 1e-12·max(|actual|, |expected|) (equal values, including zeros, pass).</summary>
    public static bool Close(double actual, double expected)
        => actual == expected || Math.Abs(actual - expected) <= 1e-12 * Math.Max(Math.Abs(actual), Math.Abs(expected));

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static GradientDescent Optimizer(double learningRate)
        => new([new Parameter("w", Vector<double>.Build.Dense(2))], learningRate);

    /// <summary>Two groups, "a" and "b", each a GradientDescent at its own learning rate (torch's two param groups).</summary>
    public static ParameterGroups GroupedOptimizer(double[] learningRates)
        => new(learningRates.Select((lr, g) => new GradientDescent([new Parameter($"w{g}", Vector<double>.Build.Dense(2))], lr)));

    /// <summary>The C# equivalent of one torch scheduler configuration (a SequentialLR child or a whole trace).</summary>
    public static LearningRateSchedule Build(IOptimizer optimizer, string type, JsonElement args) => type switch
    {
        "StepLR" => new StepLR(optimizer, args.GetProperty("step_size").GetInt32(), args.GetProperty("gamma").GetDouble()),
        "MultiStepLR" => new MultiStepLR(optimizer, args.GetProperty("milestones").EnumerateArray().Select(e => e.GetInt32()),
                                         args.GetProperty("gamma").GetDouble()),
        "ExponentialLR" => new ExponentialLR(optimizer, args.GetProperty("gamma").GetDouble()),
        "CosineAnnealingLR" => new CosineAnnealingLR(optimizer, args.GetProperty("T_max").GetInt32(),
                                                     args.GetProperty("eta_min").GetDouble()),
        "CosineAnnealingWarmRestarts" => new CosineAnnealingWarmRestarts(optimizer, args.GetProperty("T_0").GetInt32(),
                                                                         args.GetProperty("T_mult").GetInt32(),
                                                                         args.GetProperty("eta_min").GetDouble()),
        "LinearLR" => new LinearLR(optimizer, args.GetProperty("start_factor").GetDouble(),
                                   args.GetProperty("end_factor").GetDouble(), args.GetProperty("total_iters").GetInt32()),
        "PolynomialLR" => new PolynomialLR(optimizer, args.GetProperty("total_iters").GetInt32(), args.GetProperty("power").GetDouble()),
        "OneCycleLR" => new OneCycleLR(optimizer, args.GetProperty("max_lr").GetDouble(), args.GetProperty("total_steps").GetInt32(),
                                       args.GetProperty("pct_start").GetDouble(),
                                       args.GetProperty("anneal_strategy").GetString() == "cos" ? AnnealStrategy.Cos : AnnealStrategy.Linear,
                                       args.GetProperty("div_factor").GetDouble(), args.GetProperty("final_div_factor").GetDouble(),
                                       args.GetProperty("three_phase").GetBoolean(), cycleMomentum: false),
        _ => throw new ArgumentException($"Unknown schedule type '{type}' in the fixture.", nameof(type)),
    };

    /// <summary>The C# equivalent of torch's <c>ReduceLROnPlateau(optimizer, **args)</c>.</summary>
    public static ReduceLROnPlateau Plateau(IOptimizer optimizer, JsonElement args) => new(
        optimizer,
        args.GetProperty("mode").GetString() == "min" ? PlateauMode.Min : PlateauMode.Max,
        args.GetProperty("factor").GetDouble(),
        args.GetProperty("patience").GetInt32(),
        args.GetProperty("threshold").GetDouble(),
        args.GetProperty("threshold_mode").GetString() == "rel" ? ThresholdMode.Relative : ThresholdMode.Absolute,
        args.GetProperty("cooldown").GetInt32(),
        args.GetProperty("min_lr").GetDouble(),
        args.GetProperty("eps").GetDouble());

    /// <summary>Builds a whole trace's schedule, constructing SequentialLR children in the order torch did.</summary>
    public static ILearningRateSchedule Build(IOptimizer optimizer, JsonElement trace)
    {
        string type = trace.GetProperty("type").GetString()!;
        if (type != "SequentialLR")
        {
            return Build(optimizer, type, trace.GetProperty("args"));
        }

        var children = trace.GetProperty("children").EnumerateArray().ToArray();
        var built = new LearningRateSchedule[children.Length];
        foreach (var index in trace.GetProperty("construct_order").EnumerateArray().Select(e => e.GetInt32()))
        {
            built[index] = Build(optimizer, children[index].GetProperty("type").GetString()!, children[index].GetProperty("args"));
        }

        return new SequentialLR(optimizer, built, trace.GetProperty("milestones").EnumerateArray().Select(e => e.GetInt32()));
    }
}
