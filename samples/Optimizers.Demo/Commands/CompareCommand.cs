using System.Globalization;
using System.Numerics;
using Optimizers.Demo.Catalog;
using Optimizers.Demo.Formatting;
using Optimizers.Demo.Plotting;
using Optimizers.Demo.Training;
using Optimizers.Networks;
using Spectre.Console;

namespace Optimizers.Demo.Commands;

/// <summary>The settings of the comparison (the command run with no arguments).</summary>
/// <param name="Dataset">moons or spiral.</param>
/// <param name="Points">Number of generated samples.</param>
/// <param name="Epochs">Epochs per optimizer.</param>
/// <param name="Hidden">Hidden layer widths.</param>
/// <param name="Activation">Hidden activation.</param>
/// <param name="BatchSize">Rows per step; null for full batch.</param>
/// <param name="TargetLoss">The loss whose first crossing is counted.</param>
/// <param name="Seed">Seeds the data, the weights and the batch order (the same for every optimizer).</param>
/// <param name="Precision">The element type of the networks, the data and the optimizers.</param>
/// <param name="OutputFolder">Where the PNG files go.</param>
public sealed record CompareSettings(
    string Dataset, int Points, int Epochs, int[] Hidden, Activation Activation, int? BatchSize,
    double TargetLoss, int Seed, Precision Precision, string OutputFolder);

/// <summary>
/// Trains the same network (same data, seed and epochs) with every optimizer of the <see cref="OptimizerCatalog"/>,
/// shows a progress bar per optimizer (or, with the output redirected, one line per finished optimizer) and a final table, and writes the loss curves and the best optimizer's
/// decision boundary as PNG files.
/// </summary>
public static class CompareCommand
{
    /// <summary>The file name of the loss-curve chart.</summary>
    public const string LossFile = "loss-curves.png";

    /// <summary>The file name of the decision-boundary chart.</summary>
    public const string BoundaryFile = "decision-boundary.png";

    /// <summary>Runs the comparison in the element type <see cref="CompareSettings.Precision"/> names and returns the exit code (0).</summary>
    public static int Execute(CompareSettings settings, IAnsiConsole console)
        => settings.Precision == Precision.Single ? Execute<float>(settings, console) : Execute<double>(settings, console);

    private static int Execute<T>(CompareSettings settings, IAnsiConsole console)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var data = DataSets.Load(settings.Dataset, settings.Points, settings.Seed);
        var samples = Samples.Of<T>(data);
        int[] sizes = [data.FeatureCount, .. settings.Hidden, data.ClassCount];
        int batchSize = settings.BatchSize ?? data.Count;
        string batchText = batchSize >= data.Count ? "full batch" : $"batches of {batchSize}";
        console.MarkupLine($"[bold]{data.Name}[/]: {data.Count} points, network {string.Join("-", sizes)} ({settings.Activation.ToString().ToLowerInvariant()}), "
                           + $"{batchText}, {settings.Epochs} epochs, seed {settings.Seed}, {Precisions.Describe(settings.Precision)}; "
                           + "every optimizer at its demo learning rate.");

        WarmUp(samples, sizes, settings.Activation);
        var results = new TrainingResult<T>[OptimizerCatalog<T>.All.Count];
        TrainingResult<T> RunOne(int i, Action<int, double>? onEpoch)
        {
            var entry = OptimizerCatalog<T>.All[i];
            var network = Network.Mlp<T>(sizes, settings.Activation, settings.Seed);
            var optimizer = entry.CreateDefault(network.Parameters, entry.DemoLearningRate);
            return TrainingRun.Run(entry.Name, network, optimizer, samples, null, settings.Epochs, batchSize, settings.Seed, settings.TargetLoss, onEpoch);
        }

        if (!DemoApp.ShowsLiveProgress(console))
        {
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = RunOne(i, null);
                console.WriteLine(Finished(results[i]));
            }
        }
        else
        {
            console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var tasks = OptimizerCatalog.All.Select(e => context.AddTask(Label(e.Name, null), autoStart: false, maxValue: settings.Epochs)).ToArray();
                    for (int i = 0; i < results.Length; i++)
                    {
                        string name = OptimizerCatalog.All[i].Name;
                        var task = tasks[i];
                        task.StartTask();
                        results[i] = RunOne(i, (epoch, loss) =>
                        {
                            task.Value = epoch;
                            task.Description = Label(name, loss);
                        });
                        if (results[i].Diverged)
                        {
                            task.Description = $"{Markup.Escape(name),-16} [red]diverged[/]";
                        }

                        task.Value = task.MaxValue;
                        task.StopTask();
                    }
                });
        }

        var best = results.Where(r => !r.Diverged).MinBy(r => r.FinalLoss);
        console.Write(ResultTable(results, best, settings.TargetLoss));

        string lossPath = Path.Combine(settings.OutputFolder, LossFile);
        Charts.LossCurves(results.Select(r => (r.Optimizer, r.Losses)).ToArray(),
                          $"{data.Name}: training loss per epoch ({string.Join("-", sizes)} network, seed {settings.Seed})",
                          settings.TargetLoss, lossPath);
        console.MarkupLine($"Wrote [link]{Markup.Escape(lossPath)}[/] (loss of every optimizer per epoch).");
        if (best is not null)
        {
            string boundaryPath = Path.Combine(settings.OutputFolder, BoundaryFile);
            Charts.DecisionBoundary(best.Network, data,
                                    $"{data.Name}: decision boundary after {settings.Epochs} epochs of {best.Optimizer}", boundaryPath);
            console.MarkupLine($"Wrote [link]{Markup.Escape(boundaryPath)}[/] (decision boundary of {Markup.Escape(best.Optimizer)}, the lowest final loss).");
        }

        return 0;
    }

    /// <summary>The summary table: one row per optimizer, the best in bold.</summary>
    internal static Table ResultTable<T>(IReadOnlyList<TrainingResult<T>> results, TrainingResult<T>? best, double targetLoss)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var table = new Table().RoundedBorder()
            .AddColumn("optimizer")
            .AddColumn(new TableColumn("final loss").RightAligned())
            .AddColumn(new TableColumn("accuracy").RightAligned())
            .AddColumn(new TableColumn($"epochs to loss ≤ {NumberFormat.Setting(targetLoss)}").RightAligned())
            .AddColumn(new TableColumn("time").RightAligned());
        foreach (var r in results)
        {
            string style = ReferenceEquals(r, best) ? "bold green" : "default";
            table.AddRow(
                $"[{style}]{Markup.Escape(r.Optimizer)}[/]",
                r.Diverged ? "[red]diverged[/]" : NumberFormat.Significant(r.FinalLoss),
                r.Diverged || r.Accuracy is not double accuracy ? "–" : NumberFormat.Percent(accuracy),
                r.EpochsToTarget?.ToString(CultureInfo.InvariantCulture) ?? "not reached",
                NumberFormat.Duration(r.Time));
        }

        return table;
    }

    /// <summary>
    /// Runs a few steps of every optimizer on a throw-away network, so that the first optimizer's time does not
    /// include the JIT compilation of the shared training code.
    /// </summary>
    private static void WarmUp<T>(Samples<T> data, int[] sizes, Activation activation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rows = data.First(32);
        foreach (var entry in OptimizerCatalog<T>.All)
        {
            var network = Network.Mlp<T>(sizes, activation, seed: 0);
            var optimizer = entry.CreateDefault(network.Parameters, learningRate: 0);
            TrainingRun.Run(entry.Name, network, optimizer, rows, null, epochs: 2, batchSize: rows.Count, seed: 0, targetLoss: 0);
        }
    }

    private static string Label(string name, double? loss)
        => loss is double l ? $"{Markup.Escape(name),-16} loss {NumberFormat.Significant(l)}" : $"{Markup.Escape(name),-16} waiting";

    /// <summary>The plain line printed for a finished run when progress bars cannot be drawn (output redirected).</summary>
    internal static string Finished<T>(TrainingResult<T> r)
        where T : unmanaged, IFloatingPointIeee754<T>
        => r.Diverged
            ? $"{r.Optimizer,-16} diverged after {r.Losses.Count} epochs, {NumberFormat.Duration(r.Time)}"
            : $"{r.Optimizer,-16} final loss {NumberFormat.Significant(r.FinalLoss)} after {r.Losses.Count} epochs, {NumberFormat.Duration(r.Time)}";
}
