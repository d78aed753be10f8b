using System.CommandLine;
using System.CommandLine.Help;
using Optimizers.Demo.Catalog;
using Optimizers.Demo.Commands;
using Optimizers.Demo.Formatting;
using Optimizers.Demo.Functions;
using Spectre.Console;

namespace Optimizers.Demo;

/// <summary>
/// The command line of the demo: the comparison (no command), <c>trajectories</c> and <c>train</c>. Parsing is
/// System.CommandLine's; every command writes through an <see cref="IAnsiConsole"/> and returns an exit code, so
/// the whole program runs in-process in tests.
/// </summary>
public static class DemoApp
{
    /// <summary>The exit code for a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>The exit code for a failure while running (for example an output folder that cannot be written).</summary>
    public const int RunError = 1;

    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="console">Receives progress, tables and messages.</param>
    /// <param name="output">Receives <c>--help</c> text.</param>
    /// <param name="error">Receives the one-line error for a bad command line or a failed run.</param>
    public static int Run(string[] args, IAnsiConsole console, TextWriter output, TextWriter error)
    {
        var root = BuildCommandLine(console);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            error.WriteLine(ErrorLine(parsed.Errors[0].Message));
            return UsageError;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (DemoArgumentException e)
        {
            error.WriteLine(ErrorLine(e.Message));
            return UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {OneLine(e.Message)}");
            return RunError;
        }
    }

    /// <summary>
    /// Whether <paramref name="console"/> can redraw progress bars in place: an interactive terminal with ANSI
    /// support. Otherwise (output redirected to a file or a pipe) the commands print one plain line per finished
    /// run, so that the file holds no half-drawn progress lines.
    /// </summary>
    public static bool ShowsLiveProgress(IAnsiConsole console)
        => console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    /// <summary>The one line printed for a bad command line.</summary>
    public static string ErrorLine(string message) => $"error: {OneLine(message)} (see --help)";

    private static string OneLine(string message)
        => string.Join(' ', message.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Builds the root command (the comparison) with its subcommands.</summary>
    public static RootCommand BuildCommandLine(IAnsiConsole console)
    {
        var root = new RootCommand(
            "Optimizers demo. With no command: trains the same classifier with every optimizer and compares them "
            + "(table in the terminal, loss curves and the best decision boundary as PNG files).");
        var dataset = Options.Choice("--dataset", "Data set", "moons", DataSets.TwoDimensional, " for the comparison");
        var points = Options.Int("--points", "Number of generated samples", 400, 4);
        var epochs = Options.Int("--epochs", "Epochs per optimizer", 300, 1);
        var hidden = Options.Hidden(16, 16);
        var activation = Options.Activation();
        var batch = Options.OptionalInt("--batch-size", "Rows per step", "full batch", 1);
        var target = Options.PositiveNumber("--target-loss", "The loss whose first crossing the table counts", 0.1);
        var seed = Options.Seed();
        var precision = Options.Precision();
        var output = Options.Out();
        foreach (var o in new Option[] { dataset, points, epochs, hidden, activation, batch, target, seed, precision, output })
        {
            root.Options.Add(o);
        }

        root.SetAction(p => CompareCommand.Execute(
            new CompareSettings(p.GetValue(dataset)!.ToLowerInvariant(), p.GetValue(points), p.GetValue(epochs), p.GetValue(hidden)!.ToArray(),
                                Options.ParseActivation(p.GetValue(activation)!), p.GetValue(batch), p.GetValue(target),
                                p.GetValue(seed), Precisions.Parse(p.GetValue(precision)!), p.GetValue(output)!),
            console));

        root.Subcommands.Add(TrajectoriesCommandLine(console));
        root.Subcommands.Add(TrainCommandLine(console));
        return root;
    }

    private static Command TrajectoriesCommandLine(IAnsiConsole console)
    {
        var command = new Command("trajectories",
            "Draws each optimizer's path from the same start over the contour lines of x²/20 + y², Rosenbrock and Beale "
            + "(one PNG per function); each optimizer runs at the learning rate from a grid that ends lowest.");
        var keys = TestFunction.All.Select(f => f.Key).ToArray();
        var functions = new Option<string[]?>("--functions")
        {
            Description = $"Comma-separated functions to draw: {string.Join(", ", keys)} {Options.DefaultText("all")}",
            HelpName = "f1,f2,…",
            CustomParser = r =>
            {
                string text = string.Join(",", r.Tokens.Select(t => t.Value));
                var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).ToArray();
                string? unknown = names.Length == 0 ? text : names.FirstOrDefault(n => !keys.Contains(n));
                if (unknown is not null)
                {
                    r.AddError($"--functions must name functions from {string.Join(", ", keys)}; got '{unknown}'.");
                }

                return names.Distinct().ToArray();
            },
        };
        string defaultSteps = string.Join(", ", TestFunction.All.Select(f => $"{f.Steps} on {f.Key}"));
        var steps = Options.OptionalInt("--steps", "Steps per path", defaultSteps, 1);
        var precision = Options.Precision();
        var output = Options.Out();
        command.Options.Add(functions);
        command.Options.Add(steps);
        command.Options.Add(precision);
        command.Options.Add(output);
        command.SetAction(p => TrajectoriesCommand.Execute(
            new TrajectoriesSettings(TestFunction.All.Where(f => p.GetValue(functions) is not { Length: > 0 } chosen || chosen.Contains(f.Key)).ToArray(),
                                     p.GetValue(steps), Precisions.Parse(p.GetValue(precision)!), p.GetValue(output)!),
            console));
        return command;
    }

    private static Command TrainCommandLine(IAnsiConsole console)
    {
        var command = new Command("train",
            "Trains one network on one data set with one optimizer and its hyperparameters, reports training and held-out "
            + "loss (and accuracy for a classifier), and writes their curves per epoch as a PNG file, with the decision boundary "
            + "for moons/spiral or the fitted curve for sine (a regression: the noisy sin x on [−3, 3], trained with the mean squared error).");
        var dataset = Options.Choice("--dataset", "Data set", "moons", DataSets.Names);
        var optimizerNames = OptimizerCatalog.All.Select(e => e.Name.ToLowerInvariant()).Append("lbfgs").ToArray();
        var optimizer = Options.Choice("--optimizer", "Optimizer (case-insensitive)", "momentum", optimizerNames);
        var lr = Options.OptionalNumber("--lr", "Learning rate α",
                                        "the optimizer's demo rate: " + string.Join(", ", OptimizerCatalog.All.Append(LbfgsEntry.Instance).Select(e => $"{e.Name} {NumberFormat.Setting(e.DemoLearningRate)}")));
        var hyper = OptimizerCatalog.AllHyperparameters().Select(h => (h.First, Option: HyperparameterOption(h.First, h.UsedBy))).ToArray();
        var epochs = Options.Int("--epochs", "Passes over the training data", 100, 1);
        var batch = Options.Int("--batch-size", "Rows per step (shuffled anew each epoch)", 32, 1);
        var hidden = Options.Hidden(32, 32);
        var activation = Options.Activation();
        var points = Options.Int("--points", "Samples generated for moons, spiral and sine", 400, 4);
        var testFraction = Options.Number("--test-fraction", "Share of rows held out for the test loss and accuracy", 0.2,
                                          v => v is > 0 and < 1 ? null : "must be between 0 and 1");
        var seed = Options.Seed();
        var precision = Options.Precision();
        var output = Options.Out();
        foreach (var o in new Option[] { dataset, optimizer, lr }.Concat(hyper.Select(h => h.Option))
                     .Concat([epochs, batch, hidden, activation, points, testFraction, seed, precision, output]))
        {
            command.Options.Add(o);
        }

        command.SetAction(p =>
        {
            var given = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (h, option) in hyper)
            {
                if (p.GetResult(option) is not { Implicit: false })
                {
                    continue;
                }

                given[h.Name] = option switch
                {
                    Option<bool> flag => p.GetValue(flag) ? 1 : 0,
                    Option<double?> number => p.GetValue(number)!.Value,
                    _ => throw new InvalidOperationException($"Unexpected option type for --{h.Name}."),
                };
            }

            return TrainCommand.Execute(
                new TrainSettings(p.GetValue(dataset)!.ToLowerInvariant(), p.GetValue(points), OptimizerCatalog.Find(p.GetValue(optimizer)!) ?? LbfgsEntry.Instance,
                                  p.GetValue(lr), given, p.GetValue(epochs), p.GetValue(batch), p.GetValue(hidden)!.ToArray(),
                                  Options.ParseActivation(p.GetValue(activation)!), p.GetValue(testFraction), p.GetValue(seed),
                                  Precisions.Parse(p.GetValue(precision)!), p.GetValue(output)!),
                console);
        });
        return command;
    }

    /// <summary>
    /// The option of a hyperparameter that one or more optimizers take: which ones, and the default once (the
    /// common one bare, the others by optimizer: <c>[default: 1e-8; AdaGrad 1e-10, AdaDelta 1e-6]</c>).
    /// </summary>
    private static Option HyperparameterOption(Hyperparameter h, IReadOnlyList<OptimizerEntry> usedBy)
    {
        string users = usedBy.Count == OptimizerCatalog.All.Count ? "every optimizer" : string.Join(", ", usedBy.Select(e => e.Name));
        string description = $"{Capitalized(h.Description)}; for {users}";
        if (h.IsFlag)
        {
            return new Option<bool>(h.OptionName) { Description = $"{description} {Options.DefaultText("off")}" };
        }

        var defaults = usedBy.Select(e => (e.Name, e.Hyperparameters.First(x => x.Name == h.Name).Default)).ToArray();
        double common = defaults.GroupBy(d => d.Default).OrderByDescending(g => g.Count()).First().Key;
        var others = defaults.Where(d => d.Default != common).Select(d => $"{d.Name} {NumberFormat.Setting(d.Default)}").ToArray();
        string defaultText = NumberFormat.Setting(common) + (others.Length > 0 ? "; " + string.Join(", ", others) : "");
        var option = Options.OptionalNumber(h.OptionName, description, defaultText);
        option.HelpName = "value";
        return option;
    }

    /// <summary>The first letter in upper case if it is a Latin one (a symbol such as β₁ keeps its case).</summary>
    private static string Capitalized(string text) => text.Length > 0 && char.IsAsciiLetterLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;
}
