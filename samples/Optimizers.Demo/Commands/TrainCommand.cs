using System.Globalization;
using Optimizers.Demo.Catalog;
using Optimizers.Demo.Formatting;
using Optimizers.Demo.Plotting;
using Optimizers.Demo.Training;
using Optimizers.Networks;
using Spectre.Console;

namespace Optimizers.Demo.Commands;

/// <summary>The settings of <c>train</c>.</summary>
/// <param name="Dataset">moons, spiral, iris or digits.</param>
/// <param name="Points">Samples generated for moons and spiral.</param>
/// <param name="Optimizer">The optimizer to train with.</param>
/// <param name="LearningRate">α; null for the optimizer's demo learning rate.</param>
/// <param name="Hyperparameters">Hyperparameters given on the command line, by option name; the rest keep their defaults.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Rows per step.</param>
/// <param name="Hidden">Hidden layer widths.</param>
/// <param name="Activation">Hidden activation.</param>
/// <param name="TestFraction">Share of rows held out for the test accuracy.</param>
/// <param name="Seed">Seeds the data, the split, the weights and the batch order.</param>
/// <param name="OutputFolder">Where the PNG files go.</param>
public sealed record TrainSettings(
    string Dataset, int Points, OptimizerEntry Optimizer, double? LearningRate, IReadOnlyDictionary<string, double> Hyperparameters,
    int Epochs, int BatchSize, int[] Hidden, Activation Activation, double TestFraction, int Seed, string OutputFolder);

/// <summary>
/// Trains one network on one data set with one optimizer and its hyperparameters, holding out a test split, and
/// writes the loss curve (and, for the 2-D data sets, the decision boundary) as PNG files.
/// </summary>
public static class TrainCommand
{
    /// <summary>The file name of the loss-curve chart.</summary>
    public const string LossFile = "train-loss.png";

    /// <summary>The file name of the decision-boundary chart (2-D data sets only).</summary>
    public const string BoundaryFile = "train-boundary.png";

    /// <summary>Runs the training and returns the exit code (0).</summary>
    /// <exception cref="DemoArgumentException">A hyperparameter does not apply to the optimizer or has an invalid value.</exception>
    public static int Execute(TrainSettings settings, IAnsiConsole console)
    {
        var entry = settings.Optimizer;
        foreach (string given in settings.Hyperparameters.Keys)
        {
            if (!entry.Hyperparameters.Any(h => h.Name == given))
            {
                string accepted = string.Join(", ", entry.Hyperparameters.Select(h => h.OptionName).Prepend("--lr"));
                throw new DemoArgumentException($"--{given} does not apply to {entry.Name}; it takes {accepted}.");
            }
        }

        var all = DataSets.Load(settings.Dataset, settings.Points, settings.Seed);
        var (train, test) = all.Split(settings.TestFraction, settings.Seed);
        if (DataSets.NeedsStandardizing(settings.Dataset))
        {
            // Scale both parts with the training rows' statistics, so the held-out rows stay unseen.
            (train, test) = (train.Standardized(), test.Standardized(statisticsFrom: train));
        }

        int[] sizes = [all.FeatureCount, .. settings.Hidden, all.ClassCount];
        var network = Network.Mlp(sizes, settings.Activation, settings.Seed);
        double learningRate = settings.LearningRate ?? entry.DemoLearningRate;
        var values = new HyperparameterValues(entry, settings.Hyperparameters);
        IOptimizer optimizer;
        try
        {
            optimizer = entry.Create(network.Parameters, learningRate, values);
        }
        catch (ArgumentException e)
        {
            throw new DemoArgumentException($"{entry.Name}: {OneLine(e)}");
        }

        string options = string.Join(", ", entry.Hyperparameters.Select(h => h.IsFlag
            ? $"{h.Name} {(values.Flag(h.Name) ? "on" : "off")}"
            : $"{h.Name} {NumberFormat.Setting(values[h.Name])}"));
        console.MarkupLine($"[bold]{all.Name}[/]: {train.Count} training and {test.Count} held-out rows, network {string.Join("-", sizes)} "
                           + $"({settings.Activation.ToString().ToLowerInvariant()}), batches of {settings.BatchSize}, {settings.Epochs} epochs, seed {settings.Seed}.");
        console.MarkupLine(Markup.Escape($"{entry.Name}: lr {NumberFormat.Setting(learningRate)}{(options.Length > 0 ? ", " + options : "")}."));

        TrainingResult result;
        if (!DemoApp.ShowsLiveProgress(console))
        {
            result = TrainingRun.Run(entry.Name, network, optimizer, train, test, settings.Epochs, settings.BatchSize, settings.Seed, targetLoss: 0);
            console.WriteLine(CompareCommand.Finished(result));
        }
        else
        {
            TrainingResult? live = null;
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(entry.Name), maxValue: settings.Epochs);
                    live = TrainingRun.Run(entry.Name, network, optimizer, train, test, settings.Epochs, settings.BatchSize,
                                           settings.Seed, targetLoss: 0, (epoch, loss) =>
                                           {
                                               task.Value = epoch;
                                               task.Description = $"{Markup.Escape(entry.Name)} epoch {epoch} loss {NumberFormat.Significant(loss)}";
                                           });
                    task.Value = task.MaxValue;
                });
            result = live!;
        }

        var table = new Table().RoundedBorder().AddColumn("result").AddColumn(new TableColumn("value").RightAligned());
        if (result.Diverged)
        {
            table.AddRow("training", $"[red]diverged after {result.Losses.Count} epochs[/] (try a smaller --lr)");
        }
        else
        {
            table.AddRow("final training loss", NumberFormat.Significant(result.FinalLoss));
            table.AddRow("held-out loss", NumberFormat.Significant(result.HeldOut!.Losses[^1]));
            table.AddRow("training accuracy", NumberFormat.Percent(result.Accuracy));
            table.AddRow("held-out accuracy", NumberFormat.Percent(result.TestAccuracy!.Value));
        }

        table.AddRow("time", NumberFormat.Duration(result.Time));
        console.Write(table);

        string lossPath = Path.Combine(settings.OutputFolder, LossFile);
        Charts.TrainingCurves(result.Losses, result.HeldOut!,
                              $"{all.Name}: loss and held-out accuracy per epoch, {entry.Name} (lr {NumberFormat.Setting(learningRate)})", lossPath);
        console.MarkupLine($"Wrote [link]{Markup.Escape(lossPath)}[/].");
        if (all.FeatureCount == 2 && !result.Diverged)
        {
            string boundaryPath = Path.Combine(settings.OutputFolder, BoundaryFile);
            Charts.DecisionBoundary(network, all, $"{all.Name}: decision boundary after {settings.Epochs} epochs of {entry.Name}", boundaryPath);
            console.MarkupLine($"Wrote [link]{Markup.Escape(boundaryPath)}[/].");
        }

        return 0;
    }

    /// <summary>An exception's message on one line, without .NET's "(Parameter 'x')" and "Actual value was" additions.</summary>
    internal static string OneLine(ArgumentException e)
    {
        string message = e.Message.Split('\n')[0].Trim();
        string suffix = e.ParamName is null ? "" : $" (Parameter '{e.ParamName}')";
        return suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}
