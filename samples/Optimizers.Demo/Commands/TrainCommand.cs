using System.Numerics;
using Optimizers.Demo.Catalog;
using Optimizers.Demo.Formatting;
using Optimizers.Demo.Plotting;
using Optimizers.Demo.Training;
using Optimizers.Networks;
using Spectre.Console;

namespace Optimizers.Demo.Commands;

/// <summary>The settings of <c>train</c>.</summary>
/// <param name="Dataset">moons, spiral, iris, digits (classification) or sine (regression).</param>
/// <param name="Points">Samples generated for moons, spiral and sine.</param>
/// <param name="Optimizer">The optimizer to train with.</param>
/// <param name="LearningRate">α; null for the optimizer's demo learning rate.</param>
/// <param name="Hyperparameters">Hyperparameters given on the command line, by option name; the rest keep their defaults.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Rows per step.</param>
/// <param name="Hidden">Hidden layer widths.</param>
/// <param name="Activation">Hidden activation.</param>
/// <param name="TestFraction">Share of rows held out for the test loss (and accuracy).</param>
/// <param name="Seed">Seeds the data, the split, the weights and the batch order.</param>
/// <param name="Precision">The element type of the network, the data and the optimizer.</param>
/// <param name="OutputFolder">Where the PNG files go.</param>
public sealed record TrainSettings(
    string Dataset, int Points, OptimizerEntry Optimizer, double? LearningRate, IReadOnlyDictionary<string, double> Hyperparameters,
    int Epochs, int BatchSize, int[] Hidden, Activation Activation, double TestFraction, int Seed, Precision Precision, string OutputFolder);

/// <summary>
/// Trains one network on one data set with one optimizer and its hyperparameters, holding out a test split, and
/// writes the loss curve and, for the 2-D classification sets, the decision boundary, or for the sine (a regression)
/// the fitted curve, as PNG files.
/// </summary>
public static class TrainCommand
{
    /// <summary>The file name of the loss-curve chart.</summary>
    public const string LossFile = "train-loss.png";

    /// <summary>The file name of the decision-boundary chart (2-D classification sets only).</summary>
    public const string BoundaryFile = "train-boundary.png";

    /// <summary>The file name of the fitted-curve chart (regression only).</summary>
    public const string FitFile = "train-fit.png";

    /// <summary>Runs the training in the element type <see cref="TrainSettings.Precision"/> names and returns the exit code (0).</summary>
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

        return (settings.Precision, DataSets.IsRegression(settings.Dataset)) switch
        {
            (Precision.Single, false) => TrainClassifier<float>(settings, console),
            (Precision.Single, true) => TrainRegressor<float>(settings, console),
            (_, false) => TrainClassifier<double>(settings, console),
            (_, true) => TrainRegressor<double>(settings, console),
        };
    }

    private static int TrainClassifier<T>(TrainSettings settings, IAnsiConsole console)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var all = DataSets.Load(settings.Dataset, settings.Points, settings.Seed);
        var (train, test) = all.Split(settings.TestFraction, settings.Seed);
        if (DataSets.NeedsStandardizing(settings.Dataset))
        {
            // Scale both parts with the training rows' statistics, so the held-out rows stay unseen.
            (train, test) = (train.Standardized(), test.Standardized(statisticsFrom: train));
        }

        int[] sizes = [all.FeatureCount, .. settings.Hidden, all.ClassCount];
        var network = Network.Mlp<T>(sizes, settings.Activation, settings.Seed);
        var (optimizer, learningRate) = CreateOptimizer(settings, network);
        Announce(settings, console, all.Name, $"{train.Count} training and {test.Count} held-out rows", sizes, "cross-entropy loss", learningRate);
        var result = Run(settings, console, network, optimizer, Samples.Of<T>(train), Samples.Of<T>(test));

        var table = new Table().RoundedBorder().AddColumn("result").AddColumn(new TableColumn("value").RightAligned());
        if (result.Diverged)
        {
            table.AddRow("training", $"[red]diverged after {result.Losses.Count} epochs[/] (try a smaller --lr)");
        }
        else
        {
            table.AddRow("final training loss", NumberFormat.Significant(result.FinalLoss));
            table.AddRow("held-out loss", NumberFormat.Significant(result.HeldOut!.Losses[^1]));
            table.AddRow("training accuracy", NumberFormat.Percent(result.Accuracy!.Value));
            table.AddRow("held-out accuracy", NumberFormat.Percent(result.TestAccuracy!.Value));
        }

        table.AddRow("time", NumberFormat.Duration(result.Time));
        console.Write(table);

        string lossPath = Path.Combine(settings.OutputFolder, LossFile);
        Charts.TrainingCurves(result.Losses, result.HeldOut!,
                              $"{all.Name}: loss and held-out accuracy per epoch, {settings.Optimizer.Name} (lr {NumberFormat.Setting(learningRate)})", lossPath);
        console.MarkupLine($"Wrote [link]{Markup.Escape(lossPath)}[/].");
        if (all.FeatureCount == 2 && !result.Diverged)
        {
            string boundaryPath = Path.Combine(settings.OutputFolder, BoundaryFile);
            Charts.DecisionBoundary(network, all, $"{all.Name}: decision boundary after {settings.Epochs} epochs of {settings.Optimizer.Name}", boundaryPath);
            console.MarkupLine($"Wrote [link]{Markup.Escape(boundaryPath)}[/].");
        }

        return 0;
    }

    private static int TrainRegressor<T>(TrainSettings settings, IAnsiConsole console)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var all = DataSets.LoadRegression(settings.Dataset, settings.Points, settings.Seed);
        var (train, test) = all.Split(settings.TestFraction, settings.Seed);
        int[] sizes = [all.Inputs.ColumnCount, .. settings.Hidden, all.Targets.ColumnCount];
        var network = Network.Regressor<T>(sizes, settings.Activation, RegressionLoss.MeanSquaredError, settings.Seed);
        var (optimizer, learningRate) = CreateOptimizer(settings, network);
        Announce(settings, console, all.Name,
                 $"{train.Count} training and {test.Count} held-out rows of y = {all.TruthName} + noise (σ = {NumberFormat.Setting(all.Noise)}), x in [−3, 3]",
                 sizes, "mean squared error", learningRate);
        var result = Run(settings, console, network, optimizer, Samples.Of<T>(train), Samples.Of<T>(test));

        var table = new Table().RoundedBorder().AddColumn("result").AddColumn(new TableColumn("value").RightAligned());
        if (result.Diverged)
        {
            table.AddRow("training", $"[red]diverged after {result.Losses.Count} epochs[/] (try a smaller --lr)");
        }
        else
        {
            table.AddRow("final training MSE", NumberFormat.Significant(result.FinalLoss));
            table.AddRow("held-out MSE", NumberFormat.Significant(result.HeldOut!.Losses[^1]));
            table.AddRow(Markup.Escape($"held-out MSE of {all.TruthName} itself (the noise)"), NumberFormat.Significant(test.TruthError()));
        }

        table.AddRow("time", NumberFormat.Duration(result.Time));
        console.Write(table);

        string lossPath = Path.Combine(settings.OutputFolder, LossFile);
        Charts.RegressionCurves(result.Losses, result.HeldOut!.Losses,
                                $"{all.Name}: mean squared error per epoch, {settings.Optimizer.Name} (lr {NumberFormat.Setting(learningRate)})", lossPath);
        console.MarkupLine($"Wrote [link]{Markup.Escape(lossPath)}[/].");
        if (!result.Diverged)
        {
            string fitPath = Path.Combine(settings.OutputFolder, FitFile);
            Charts.RegressionFit(network, train, test, $"{all.Name}: the network's fit after {settings.Epochs} epochs of {settings.Optimizer.Name}", fitPath);
            console.MarkupLine($"Wrote [link]{Markup.Escape(fitPath)}[/].");
        }

        return 0;
    }

    /// <summary>The optimizer over <paramref name="network"/>'s parameters, and the learning rate it got.</summary>
    /// <exception cref="DemoArgumentException">The library rejects a hyperparameter's value.</exception>
    private static (IOptimizerBase Optimizer, double LearningRate) CreateOptimizer<T>(TrainSettings settings, Network<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (settings.Optimizer is LbfgsEntry lbfgs)
        {
            double rate = settings.LearningRate ?? lbfgs.DemoLearningRate;
            try
            {
                return (LbfgsEntry.Create(network.Parameters, rate), rate);
            }
            catch (ArgumentException e)
            {
                throw new DemoArgumentException($"{lbfgs.Name}: {OneLine(e)}");
            }
        }

        var entry = OptimizerCatalog<T>.Find(settings.Optimizer.Name)!;
        double learningRate = settings.LearningRate ?? entry.DemoLearningRate;
        try
        {
            return (entry.Create(network.Parameters, learningRate, new HyperparameterValues(entry, settings.Hyperparameters)), learningRate);
        }
        catch (ArgumentException e)
        {
            throw new DemoArgumentException($"{entry.Name}: {OneLine(e)}");
        }
    }

    /// <summary>Prints what is trained: the data, the network, the loss, the batches, the precision, then the optimizer's settings.</summary>
    private static void Announce(TrainSettings settings, IAnsiConsole console, string dataName, string rows, int[] sizes, string loss, double learningRate)
    {
        var entry = settings.Optimizer;
        var values = new HyperparameterValues(entry, settings.Hyperparameters);
        string options = string.Join(", ", entry.Hyperparameters.Select(h => h.IsFlag
            ? $"{h.Name} {(values.Flag(h.Name) ? "on" : "off")}"
            : $"{h.Name} {NumberFormat.Setting(values[h.Name])}"));
        console.MarkupLine($"[bold]{Markup.Escape(dataName)}[/]: {Markup.Escape(rows)}; {Precisions.Describe(settings.Precision)}.");
        console.MarkupLine(Markup.Escape($"Network {string.Join("-", sizes)} ({settings.Activation.ToString().ToLowerInvariant()}), {loss}, "
                                         + (entry is LbfgsEntry ? "full batch (one closure over every training row per epoch, strong Wolfe line search)"
                                                                : $"batches of {settings.BatchSize}")
                                         + $", {settings.Epochs} epochs, seed {settings.Seed}."));
        console.MarkupLine(Markup.Escape($"{entry.Name}: lr {NumberFormat.Setting(learningRate)}{(options.Length > 0 ? ", " + options : "")}."));
    }

    /// <summary>Trains with a progress bar on a terminal, or one line at the end when the output is redirected.</summary>
    private static TrainingResult<T> Run<T>(TrainSettings settings, IAnsiConsole console, Network<T> network, IOptimizerBase optimizer,
                                            Samples<T> train, Samples<T> test)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string name = settings.Optimizer.Name;
        if (!DemoApp.ShowsLiveProgress(console))
        {
            var result = TrainingRun.Run(name, network, optimizer, train, test, settings.Epochs, settings.BatchSize, settings.Seed, targetLoss: 0);
            console.WriteLine(CompareCommand.Finished(result));
            return result;
        }

        TrainingResult<T>? live = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: settings.Epochs);
                live = TrainingRun.Run(name, network, optimizer, train, test, settings.Epochs, settings.BatchSize,
                                       settings.Seed, targetLoss: 0, (epoch, loss) =>
                                       {
                                           task.Value = epoch;
                                           task.Description = $"{Markup.Escape(name)} epoch {epoch} loss {NumberFormat.Significant(loss)}";
                                       });
                task.Value = task.MaxValue;
            });
        return live!;
    }

    /// <summary>An exception's message on one line, without .NET's "(Parameter 'x')" and "Actual value was" additions.</summary>
    internal static string OneLine(ArgumentException e)
    {
        string message = e.Message.Split('\n')[0].Trim();
        string suffix = e.ParamName is null ? "" : $" (Parameter '{e.ParamName}')";
        return suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}
