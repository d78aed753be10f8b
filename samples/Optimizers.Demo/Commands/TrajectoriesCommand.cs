using System.Globalization;
using System.Numerics;
using Optimizers.Demo.Catalog;
using Optimizers.Demo.Formatting;
using Optimizers.Demo.Functions;
using Optimizers.Demo.Plotting;
using Spectre.Console;

namespace Optimizers.Demo.Commands;

/// <summary>The settings of <c>trajectories</c>.</summary>
/// <param name="Functions">The test functions to draw.</param>
/// <param name="Steps">Steps per path; null for each function's own count.</param>
/// <param name="Precision">The element type of the point and the optimizers' state.</param>
/// <param name="OutputFolder">Where the PNG files go.</param>
public sealed record TrajectoriesSettings(IReadOnlyList<TestFunction> Functions, int? Steps, Precision Precision, string OutputFolder);

/// <summary>
/// For each 2-D test function, runs every optimizer of the <see cref="OptimizerCatalog"/> from the same start,
/// each at the learning rate (from <see cref="PathFinder.LearningRateGrid"/>) that ends lowest, and L-BFGS with the
/// strong Wolfe line search (<see cref="PathFinder.FollowLbfgs"/>, a point per iteration), and draws all the paths over
/// the function's contour lines.
/// </summary>
public static class TrajectoriesCommand
{
    /// <summary>The PNG file name for <paramref name="function"/>.</summary>
    public static string FileName(TestFunction function) => $"trajectories-{function.Key}.png";

    /// <summary>Draws the paths in the element type <see cref="TrajectoriesSettings.Precision"/> names and returns the exit code (0).</summary>
    public static int Execute(TrajectoriesSettings settings, IAnsiConsole console)
        => settings.Precision == Precision.Single ? Execute<float>(settings, console) : Execute<double>(settings, console);

    private static int Execute<T>(TrajectoriesSettings settings, IAnsiConsole console)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        console.MarkupLine($"Every optimizer's point and state in {Precisions.Describe(settings.Precision)}; f and ∇f evaluated in double.");
        var results = new List<(TestFunction Function, OptimizerPath[] Paths)>();
        if (!DemoApp.ShowsLiveProgress(console))
        {
            foreach (var function in settings.Functions)
            {
                var paths = OptimizerCatalog<T>.All.Select(e => PathFinder.Best(function, e, settings.Steps))
                    .Append(PathFinder.FollowLbfgs<T>(function, settings.Steps)).ToArray();
                console.WriteLine($"{function.Key}: best path of each of {paths.Length} optimizers found");
                results.Add((function, paths));
            }
        }
        else
        {
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
                .Start(context =>
                {
                    var tasks = settings.Functions.Select(f => context.AddTask(f.Key, maxValue: OptimizerCatalog.All.Count)).ToArray();
                    for (int i = 0; i < settings.Functions.Count; i++)
                    {
                        var function = settings.Functions[i];
                        var paths = new OptimizerPath[OptimizerCatalog<T>.All.Count + 1];
                        paths[^1] = PathFinder.FollowLbfgs<T>(function, settings.Steps);
                        for (int j = 0; j < paths.Length - 1; j++)
                        {
                            tasks[i].Description = $"{function.Key}: {Markup.Escape(OptimizerCatalog<T>.All[j].Name)}";
                            paths[j] = PathFinder.Best(function, OptimizerCatalog<T>.All[j], settings.Steps);
                            tasks[i].Increment(1);
                        }

                        tasks[i].Description = function.Key;
                        results.Add((function, paths));
                    }
                });
        }

        foreach (var (function, paths) in results)
        {
            var table = new Table().RoundedBorder().Title(Markup.Escape(function.Title))
                .AddColumn("optimizer")
                .AddColumn(new TableColumn("best α").RightAligned())
                .AddColumn(new TableColumn("steps").RightAligned())
                .AddColumn(new TableColumn("final f").RightAligned())
                .AddColumn(new TableColumn("distance to minimum").RightAligned());
            foreach (var p in paths)
            {
                var last = p.Points[^1];
                double distance = Math.Sqrt(Math.Pow(last.X - function.Minimum.X, 2) + Math.Pow(last.Y - function.Minimum.Y, 2));
                table.AddRow(
                    Markup.Escape(p.Optimizer),
                    NumberFormat.Setting(p.LearningRate),
                    (p.Points.Count - 1).ToString(CultureInfo.InvariantCulture),
                    double.IsFinite(p.FinalValue) ? NumberFormat.Significant(p.FinalValue) : "[red]unstable at every α[/]",
                    double.IsFinite(p.FinalValue) ? NumberFormat.Significant(distance) : "–");
            }

            console.Write(table);
            string path = Path.Combine(settings.OutputFolder, FileName(function));
            Charts.Trajectories(function, paths, path);
            console.MarkupLine($"Wrote [link]{Markup.Escape(path)}[/].");
        }

        return 0;
    }
}
