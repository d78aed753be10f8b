using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>
/// Builds the C# side of the issue-15 sections of schedule_traces.json ("more_schedules", "sequential_more",
/// "momentum_runs", "beta1_cyclic"): the rule torch ran, the schedule, and the named functions the generator encodes.
/// </summary>
internal static class MoreScheduleTraces
{
    /// <summary>The generator's function families: pow a^t, inv 1/(1 + a·t), const a, alt a at even t and b at odd t.</summary>
    public static Func<int, double> Function(JsonElement spec)
    {
        string fn = spec.GetProperty("fn").GetString()!;
        double a = spec.GetProperty("a").GetDouble();
        double b = spec.TryGetProperty("b", out var bb) ? bb.GetDouble() : 0;
        return fn switch
        {
            "pow" => t => Math.Pow(a, t),
            "inv" => t => 1.0 / (1.0 + a * t),
            "const" => _ => a,
            "alt" => t => t % 2 == 0 ? a : b,
            _ => throw new ArgumentException($"Unknown function family '{fn}'.", nameof(spec)),
        };
    }

    /// <summary>The rule torch ran: one parameter [0.5, −1, 2]·(g + 1) per group g, each group at its base learning rate.</summary>
    public static IOptimizer Rule(string rule, JsonElement baseLearningRate, out Parameter[] parameters)
    {
        double[] rates = baseLearningRate.ValueKind == JsonValueKind.Array
            ? ScheduleTraces.Doubles(baseLearningRate)
            : [baseLearningRate.GetDouble()];
        var ps = rates.Select((_, g) => new Parameter($"w{g}", Vector<double>.Build.DenseOfArray([0.5 * (g + 1), -1.0 * (g + 1), 2.0 * (g + 1)]))).ToArray();
        parameters = ps;
        Optimizer<double> Make(int g) => rule switch
        {
            "SGD" => new GradientDescent([ps[g]], rates[g]),
            "SGD_momentum" => new Momentum([ps[g]], rates[g], momentum: 0.9),
            "Adam" => new Adam([ps[g]], rates[g]),
            "RMSprop" => new RMSProp([ps[g]], rates[g]),
            _ => throw new ArgumentException($"Unknown rule '{rule}'.", nameof(rule)),
        };
        return rates.Length == 1 ? Make(0) : new ParameterGroups(rates.Select((_, g) => Make(g)));
    }

    /// <summary>One schedule of the fixture (new types here, the others through <see cref="ScheduleTraces.Build(IOptimizer, string, JsonElement)"/>).</summary>
    public static ILearningRateSchedule Build(IOptimizer optimizer, string type, JsonElement args, JsonElement trace = default)
    {
        switch (type)
        {
            case "ConstantLR":
                return new ConstantLR(optimizer, args.GetProperty("factor").GetDouble(), args.GetProperty("total_iters").GetInt32());
            case "LambdaLR":
            {
                var spec = args.GetProperty("lr_lambda");
                return spec.ValueKind == JsonValueKind.Array
                    ? new LambdaLR(optimizer, spec.EnumerateArray().Select(Function).ToArray())
                    : new LambdaLR(optimizer, Function(spec));
            }

            case "MultiplicativeLR":
            {
                var spec = args.GetProperty("lr_lambda");
                return spec.ValueKind == JsonValueKind.Array
                    ? new MultiplicativeLR(optimizer, spec.EnumerateArray().Select(Function).ToArray())
                    : new MultiplicativeLR(optimizer, Function(spec));
            }

            case "CyclicLR":
            {
                var down = args.GetProperty("step_size_down");
                var scale = args.GetProperty("scale_fn");
                Func<double, double>? scaleFunction = null;
                if (scale.ValueKind != JsonValueKind.Null)
                {
                    var f = Function(scale);
                    scaleFunction = x => f((int)x);
                }

                return new CyclicLR(
                    optimizer, args.GetProperty("base_lr").GetDouble(), args.GetProperty("max_lr").GetDouble(),
                    args.GetProperty("step_size_up").GetInt32(),
                    down.ValueKind == JsonValueKind.Null ? null : down.GetInt32(),
                    args.GetProperty("mode").GetString() switch
                    {
                        "triangular" => CyclicMode.Triangular,
                        "triangular2" => CyclicMode.Triangular2,
                        _ => CyclicMode.ExpRange,
                    },
                    args.GetProperty("gamma").GetDouble(), scaleFunction,
                    args.GetProperty("scale_mode").GetString() == "cycle" ? CycleScale.Cycle : CycleScale.Iterations,
                    args.GetProperty("cycle_momentum").GetBoolean(), args.GetProperty("base_momentum").GetDouble(),
                    args.GetProperty("max_momentum").GetDouble());
            }

            case "OneCycleLR" when args.TryGetProperty("cycle_momentum", out var cycle):
                return new OneCycleLR(
                    optimizer, args.GetProperty("max_lr").GetDouble(), args.GetProperty("total_steps").GetInt32(),
                    args.GetProperty("pct_start").GetDouble(),
                    args.GetProperty("anneal_strategy").GetString() == "cos" ? AnnealStrategy.Cos : AnnealStrategy.Linear,
                    args.GetProperty("div_factor").GetDouble(), args.GetProperty("final_div_factor").GetDouble(),
                    args.GetProperty("three_phase").GetBoolean(), cycle.GetBoolean(),
                    args.GetProperty("base_momentum").GetDouble(), args.GetProperty("max_momentum").GetDouble());

            case "SWALR":
                return new SWALR(optimizer, args.GetProperty("swa_lr").GetDouble(), args.GetProperty("anneal_epochs").GetInt32(),
                                 args.GetProperty("anneal_strategy").GetString() == "cos" ? AnnealStrategy.Cos : AnnealStrategy.Linear);

            case "ChainedScheduler":
                return new ChainedScheduler(trace.GetProperty("children").EnumerateArray()
                    .Select(c => Build(optimizer, c.GetProperty("type").GetString()!, c.GetProperty("args")))
                    .ToArray());

            case "SequentialLR":
                return new SequentialLR(
                    optimizer,
                    trace.GetProperty("children").EnumerateArray()
                        .Select(c => (LearningRateSchedule)Build(optimizer, c.GetProperty("type").GetString()!, c.GetProperty("args")))
                        .ToArray(),
                    trace.GetProperty("milestones").EnumerateArray().Select(e => e.GetInt32()));

            default:
                return ScheduleTraces.Build(optimizer, type, args);
        }
    }

    /// <summary>Builds a whole trace's schedule.</summary>
    public static ILearningRateSchedule Build(IOptimizer optimizer, JsonElement trace)
        => Build(optimizer, trace.GetProperty("type").GetString()!,
                 trace.TryGetProperty("args", out var args) ? args : default, trace);

    /// <summary>The learning rate of every target (one for an optimizer without groups).</summary>
    public static double[] Rates(IOptimizer optimizer)
        => optimizer is IGroupedOptimizer grouped ? grouped.Groups.Select(g => g.LearningRate).ToArray() : [optimizer.LearningRate];

    /// <summary>The cycled momentum or β₁ of every target.</summary>
    public static double[] Momentums(IOptimizer optimizer)
        => (optimizer is IGroupedOptimizer grouped ? grouped.Groups.ToArray() : [optimizer]).Select(o => o switch
        {
            Momentum m => m.MomentumFactor,
            Adam a => a.Beta1,
            RMSProp r => r.MomentumFactor,
            _ => throw new ArgumentException($"{o.GetType().Name} has no cycled momentum.", nameof(optimizer)),
        }).ToArray();

    /// <summary>A fixture entry that is a number or a list of numbers, as an array.</summary>
    public static double[] PerTarget(JsonElement value)
        => value.ValueKind == JsonValueKind.Array ? ScheduleTraces.Doubles(value) : [value.GetDouble()];
}
