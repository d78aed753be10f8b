using System.Globalization;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Datasets;
using Optimizers.Demo.Formatting;
using Optimizers.Demo.Functions;
using Optimizers.Demo.Training;
using Optimizers.Networks;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Optimizers.Demo.Plotting;

/// <summary>The demo's charts, each written as a PNG of a fixed <see cref="ChartSize"/>.</summary>
public static class Charts
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>Space in pixels between a legend's frame and its items, so that no text touches the frame.</summary>
    public const float LegendPadding = 10;

    /// <summary>The colour of the series at <paramref name="index"/> (optimizer or class), shared by every chart.</summary>
    public static Color SeriesColor(int index) => Palette.GetColor(index);

    /// <summary>
    /// The line pattern of the series at <paramref name="index"/>: solid for the palette's first ten colours, dashed for
    /// the next ten, dotted after, so that optimizers that share a colour still have lines that differ.
    /// </summary>
    public static LinePattern SeriesPattern(int index) => (index / 10) switch
    {
        0 => LinePattern.Solid,
        1 => LinePattern.Dashed,
        _ => LinePattern.Dotted,
    };

    /// <summary>
    /// Draws each series of per-epoch losses as one line, on a logarithmic loss axis, with a dashed line at
    /// <paramref name="targetLoss"/> if given.
    /// </summary>
    /// <param name="series">Name and per-epoch losses (epoch 1 first) of each optimizer.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="targetLoss">The target loss to mark, or null.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void LossCurves(IReadOnlyList<(string Name, IReadOnlyList<double> Losses)> series, string title, double? targetLoss, string path)
    {
        PlotFonts.Ensure();
        var plot = new Plot();
        for (int i = 0; i < series.Count; i++)
        {
            var losses = series[i].Losses;
            if (losses.Count == 0)
            {
                continue;
            }

            var xs = Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray();
            var ys = losses.Select(l => Math.Log10(Math.Max(l, 1e-12))).ToArray();
            var line = plot.Add.ScatterLine(xs, ys, SeriesColor(i));
            line.LineWidth = 2;
            line.LinePattern = SeriesPattern(i);
            line.LegendText = series[i].Name;
        }

        if (targetLoss is double target)
        {
            var h = plot.Add.HorizontalLine(Math.Log10(target), 1, Colors.Gray, LinePattern.Dashed);
            h.LegendText = $"target {NumberFormat.Setting(target)}";
        }

        var all = series.SelectMany(s => s.Losses).Where(l => double.IsFinite(l) && l > 0).ToList();
        if (targetLoss is double t && t > 0)
        {
            all.Add(t);
        }

        if (all.Count > 0)
        {
            plot.Axes.Left.TickGenerator = LogTicks(all.Min(), all.Max());
        }

        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("training loss (cross-entropy, log scale)");
        plot.ShowLegend(Edge.Right);   // outside the data: with many optimizers an inside legend hides the lines' ends
        plot.Legend.Padding = new PixelPadding(LegendPadding);
        Save(plot, path, ChartSize.LossWidth, ChartSize.LossHeight);
    }

    /// <summary>
    /// The curves of one training run in two panels over a shared epoch axis: above, the training loss (mean over
    /// each epoch's batches) and the held-out loss (after each epoch) on a logarithmic axis; below, the held-out
    /// accuracy after each epoch.
    /// </summary>
    /// <param name="losses">The training loss of each epoch (epoch 1 first).</param>
    /// <param name="heldOut">The held-out loss and accuracy of each epoch.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void TrainingCurves(IReadOnlyList<double> losses, HeldOutCurves heldOut, string title, string path)
    {
        var multiplot = TrainingCurvesPlot(losses, heldOut, title);
        CreateFolderOf(path);
        multiplot.SavePng(path, ChartSize.TrainingWidth, ChartSize.TrainingHeight);
    }

    /// <summary>The chart of <see cref="TrainingCurves"/>, not yet drawn: the loss panel first, then the accuracy panel.</summary>
    /// <param name="losses">The training loss of each epoch (epoch 1 first).</param>
    /// <param name="heldOut">The held-out loss and accuracy of each epoch.</param>
    /// <param name="title">The chart title.</param>
    public static Multiplot TrainingCurvesPlot(IReadOnlyList<double> losses, HeldOutCurves heldOut, string title)
    {
        PlotFonts.Ensure();
        var lossPlot = LossPanel(losses, heldOut.Losses, title, "cross-entropy loss (log scale)");
        var accuracyPlot = new Plot();
        var xs = Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray();

        if (heldOut.Accuracies.Count > 0)
        {
            var accuracy = accuracyPlot.Add.ScatterLine(xs, heldOut.Accuracies.Select(a => 100 * a).ToArray(), SeriesColor(1));
            accuracy.LineWidth = 2;
            accuracy.LegendText = "held-out accuracy";
        }

        double lowest = heldOut.Accuracies.Count > 0 ? 100 * heldOut.Accuracies.Min() : 0;
        accuracyPlot.Axes.SetLimitsY(Math.Max(0, Math.Floor(lowest / 5) * 5 - 2), 100.5);
        accuracyPlot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = v => $"{v.ToString("0.#", CultureInfo.InvariantCulture)}%" };
        accuracyPlot.XLabel("epoch");
        accuracyPlot.YLabel("held-out accuracy");
        accuracyPlot.ShowLegend(Alignment.LowerRight);
        accuracyPlot.Legend.Padding = new PixelPadding(LegendPadding);

        // The same left and right margins, so that both panels' epoch axes line up.
        lossPlot.Layout.Fixed(new PixelPadding(left: 95, right: 25, bottom: 30, top: 40));
        accuracyPlot.Layout.Fixed(new PixelPadding(left: 95, right: 25, bottom: 50, top: 10));
        accuracyPlot.Axes.SetLimitsX(0.5, Math.Max(xs.Length, 1) + 0.5);

        var multiplot = new Multiplot(lossPlot);
        multiplot.AddPlot(accuracyPlot);
        var rows = new ScottPlot.MultiplotLayouts.DraggableRows();
        rows.SetHeights([ChartSize.TrainingHeight * 0.58f, ChartSize.TrainingHeight * 0.42f]);
        multiplot.Layout = rows;
        return multiplot;
    }

    /// <summary>
    /// The curves of one regressor's training: the training loss (mean over each epoch's batches) and the held-out loss
    /// (after each epoch) on a logarithmic axis.
    /// </summary>
    /// <param name="losses">The training loss of each epoch (epoch 1 first).</param>
    /// <param name="heldOut">The held-out loss of each epoch.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void RegressionCurves(IReadOnlyList<double> losses, IReadOnlyList<double> heldOut, string title, string path)
        => Save(RegressionCurvesPlot(losses, heldOut, title), path, ChartSize.LossWidth, ChartSize.LossHeight);

    /// <summary>The chart of <see cref="RegressionCurves"/>, not yet drawn.</summary>
    /// <param name="losses">The training loss of each epoch (epoch 1 first).</param>
    /// <param name="heldOut">The held-out loss of each epoch.</param>
    /// <param name="title">The chart title.</param>
    public static Plot RegressionCurvesPlot(IReadOnlyList<double> losses, IReadOnlyList<double> heldOut, string title)
    {
        PlotFonts.Ensure();
        var plot = LossPanel(losses, heldOut, title, "mean squared error (log scale)");
        plot.XLabel("epoch");
        return plot;
    }

    /// <summary>
    /// A regressor's fit of one input to one output: the training and held-out samples as dots, the function they were
    /// drawn from as a dashed line, and the network's output as a solid line over the samples' range.
    /// </summary>
    /// <typeparam name="T">The element type of the network.</typeparam>
    /// <param name="network">A trained network with one input and one output.</param>
    /// <param name="train">The training samples.</param>
    /// <param name="test">The held-out samples.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void RegressionFit<T>(Network<T> network, RegressionData train, RegressionData test, string title, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Save(RegressionFitPlot(network, train, test, title), path, ChartSize.FitWidth, ChartSize.FitHeight);

    /// <summary>The chart of <see cref="RegressionFit"/>, not yet drawn: the dots first, then the true function, the network's curve on top.</summary>
    /// <typeparam name="T">The element type of the network.</typeparam>
    /// <param name="network">A trained network with one input and one output.</param>
    /// <param name="train">The training samples.</param>
    /// <param name="test">The held-out samples.</param>
    /// <param name="title">The chart title.</param>
    public static Plot RegressionFitPlot<T>(Network<T> network, RegressionData train, RegressionData test, string title)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (network.InputSize != 1 || network.OutputSize != 1)
        {
            throw new ArgumentException("A fit can be drawn only for one input and one output.", nameof(network));
        }

        PlotFonts.Ensure();
        var plot = new Plot();
        foreach (var (data, name, index) in new[] { (train, "training samples", 0), (test, "held-out samples", 1) })
        {
            var dots = plot.Add.ScatterPoints(data.Inputs.Column(0).ToArray(), data.Targets.Column(0).ToArray(), SeriesColor(index));
            dots.MarkerSize = 5;
            dots.LegendText = $"{name} ({data.Count})";
        }

        double xMin = Math.Min(train.Inputs.Column(0).Minimum(), test.Inputs.Column(0).Minimum());
        double xMax = Math.Max(train.Inputs.Column(0).Maximum(), test.Inputs.Column(0).Maximum());
        const int points = 400;
        var xs = Enumerable.Range(0, points).Select(i => xMin + (xMax - xMin) * i / (points - 1)).ToArray();
        var truth = plot.Add.ScatterLine(xs, xs.Select(train.Truth).ToArray(), Colors.Black);
        truth.LinePattern = LinePattern.Dashed;
        truth.LineWidth = 2;
        truth.LegendText = $"{train.TruthName} (the function without noise)";

        var outputs = network.Predict(Matrix<T>.Build.Dense(points, 1, (i, _) => T.CreateTruncating(xs[i])));
        var fit = plot.Add.ScatterLine(xs, Enumerable.Range(0, points).Select(i => double.CreateTruncating(outputs[i, 0])).ToArray(), SeriesColor(3));
        fit.LineWidth = 3;
        fit.LegendText = "the network's output";

        plot.Title(title);
        plot.XLabel("x");
        plot.YLabel("y");
        plot.ShowLegend(Alignment.LowerRight);   // empty there for the sine on [−3, 3], whose lowest values lie left
        plot.Legend.Padding = new PixelPadding(LegendPadding);
        return plot;
    }

    /// <summary>Training and held-out losses per epoch on a logarithmic axis (epoch 1 first), with the x axis fitted to the epochs.</summary>
    private static Plot LossPanel(IReadOnlyList<double> losses, IReadOnlyList<double> heldOut, string title, string yLabel)
    {
        var plot = new Plot();
        var xs = Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray();
        var shown = new List<double>();
        foreach (var (values, name, index) in new[] { (losses, "training (mean over the epoch's batches)", 0), (heldOut, "held-out (after the epoch)", 1) })
        {
            if (values.Count == 0)
            {
                continue;
            }

            var line = plot.Add.ScatterLine(xs[..values.Count], values.Select(l => Math.Log10(Math.Clamp(l, 1e-12, 1e300))).ToArray(), SeriesColor(index));
            line.LineWidth = 2;
            line.LegendText = name;
            shown.AddRange(values.Where(l => double.IsFinite(l) && l > 0));
        }

        if (shown.Count > 0)
        {
            plot.Axes.Left.TickGenerator = LogTicks(Math.Max(shown.Min(), 1e-12), shown.Max());
        }

        plot.Title(title);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.Padding = new PixelPadding(LegendPadding);
        plot.Axes.SetLimitsX(0.5, Math.Max(xs.Length, 1) + 0.5);
        return plot;
    }

    /// <summary>
    /// Shades the plane by the network's predicted class (deeper colour = more confident) and draws the data
    /// points over it, coloured by their true class.
    /// </summary>
    /// <typeparam name="T">The element type of the network (the grid is rounded to it).</typeparam>
    /// <param name="network">A trained network with two inputs.</param>
    /// <param name="data">Two-feature data, drawn as points.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void DecisionBoundary<T>(Network<T> network, Dataset data, string title, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.FeatureCount != 2 || network.InputSize != 2)
        {
            throw new ArgumentException("A decision boundary can be drawn only for two input features.", nameof(data));
        }

        PlotFonts.Ensure();
        const int cells = 160;
        double pad = 0.25;
        double xMin = data.Features.Column(0).Minimum() - pad, xMax = data.Features.Column(0).Maximum() + pad;
        double yMin = data.Features.Column(1).Minimum() - pad, yMax = data.Features.Column(1).Maximum() + pad;
        var grid = Matrix<T>.Build.Dense(cells * cells, 2, (i, c) =>
        {
            int row = i / cells, col = i % cells;
            return T.CreateTruncating(c == 0
                ? xMin + (col + 0.5) * (xMax - xMin) / cells
                : yMax - (row + 0.5) * (yMax - yMin) / cells);   // row 0 is the top of the heatmap
        });
        var probabilities = network.Predict(grid);
        int k = network.ClassCount;
        var intensity = new double[cells, cells];
        for (int i = 0; i < cells * cells; i++)
        {
            var p = probabilities.Row(i);
            int best = p.MaximumIndex();
            double confidence = (double.CreateTruncating(p[best]) - 1.0 / k) / (1 - 1.0 / k);
            intensity[i / cells, i % cells] = best + Math.Clamp(confidence, 0, 0.999);
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensity);
        heatmap.Extent = new CoordinateRect(xMin, xMax, yMin, yMax);
        heatmap.Colormap = new ClassShading(Enumerable.Range(0, k).Select(SeriesColor).ToArray());
        heatmap.ManualRange = new ScottPlot.Range(0, k);
        heatmap.Smooth = true;

        for (int c = 0; c < data.ClassCount; c++)
        {
            var rows = Enumerable.Range(0, data.Count).Where(r => data.Labels[r] == c).ToArray();
            var points = plot.Add.ScatterPoints(rows.Select(r => data.Features.At(r, 0)).ToArray(),
                                                rows.Select(r => data.Features.At(r, 1)).ToArray(), SeriesColor(c));
            points.MarkerSize = 6;
            points.LegendText = $"class {data.ClassNames[c]}";
        }

        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        plot.Title(title);
        plot.XLabel("x₁");
        plot.YLabel("x₂");
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.Padding = new PixelPadding(LegendPadding);
        Save(plot, path, ChartSize.BoundaryWidth, ChartSize.BoundaryHeight);
    }

    /// <summary>
    /// Draws contour lines of <paramref name="function"/> (log-spaced, so that valleys and plateaus both show) and
    /// each optimizer's path from the common start (a dot where it stopped), with the minimum marked.
    /// </summary>
    /// <param name="function">The function and its window.</param>
    /// <param name="paths">One path per optimizer, in catalog order.</param>
    /// <param name="path">The PNG file to write.</param>
    public static void Trajectories(TestFunction function, IReadOnlyList<OptimizerPath> paths, string path)
        => Save(TrajectoriesPlot(function, paths), path, ChartSize.TrajectoryWidth, ChartSize.TrajectoryHeight);

    /// <summary>The chart of <see cref="Trajectories"/>, not yet drawn; its plottables are drawn in their order, the minimum last.</summary>
    /// <param name="function">The function and its window.</param>
    /// <param name="paths">One path per optimizer, in catalog order.</param>
    public static Plot TrajectoriesPlot(TestFunction function, IReadOnlyList<OptimizerPath> paths)
    {
        PlotFonts.Ensure();
        const int cells = 120;
        var (x0, x1) = function.X;
        var (y0, y1) = function.Y;
        var grid = new Coordinates3d[cells, cells];
        for (int r = 0; r < cells; r++)
        {
            for (int c = 0; c < cells; c++)
            {
                double x = x0 + c * (x1 - x0) / (cells - 1), y = y0 + r * (y1 - y0) / (cells - 1);
                grid[r, c] = new Coordinates3d(x, y, Math.Log10(1 + function.Value(x, y)));
            }
        }

        var plot = new Plot();
        var contours = plot.Add.ContourLines(grid, 18);
        contours.Colormap = new ScottPlot.Colormaps.Viridis();
        contours.LineWidth = 1;
        contours.LabelStyle.IsVisible = false;

        for (int i = 0; i < paths.Count; i++)
        {
            var p = paths[i];
            var line = plot.Add.ScatterLine(p.Points.Select(q => q.X).ToArray(), p.Points.Select(q => q.Y).ToArray(), SeriesColor(i));
            line.LineWidth = 2;
            line.LinePattern = SeriesPattern(i);
            line.MarkerSize = p.Points.Count <= 100 ? 4 : 0;
            line.MarkerShape = MarkerShape.FilledCircle;
            string lr = NumberFormat.Setting(p.LearningRate);
            string end = double.IsFinite(p.FinalValue) ? NumberFormat.Significant(p.FinalValue) : "unstable at every α";
            line.LegendText = $"{p.Optimizer} (α = {lr}): f = {end}";
        }

        // End points last, so that a path hidden under another still shows where it stopped.
        for (int i = 0; i < paths.Count; i++)
        {
            var last = paths[i].Points[^1];
            var marker = plot.Add.Marker(last.X, last.Y, MarkerShape.FilledCircle, 11, SeriesColor(i));
            marker.MarkerLineColor = Colors.Black;
            marker.MarkerLineWidth = 1;
        }

        plot.Add.Marker(function.Start.X, function.Start.Y, MarkerShape.FilledSquare, 10, Colors.Black).LegendText = "start";

        // The minimum last, on top of the end dots that crowd around it, as a bold cross on a white halo.
        var halo = plot.Add.Marker(function.Minimum.X, function.Minimum.Y, MarkerShape.Eks, 16, Colors.White);
        halo.MarkerLineWidth = 4.5f;
        var minimum = plot.Add.Marker(function.Minimum.X, function.Minimum.Y, MarkerShape.Eks, 16, Colors.Red);
        minimum.MarkerLineWidth = 3;
        minimum.LegendText = "minimum";

        plot.Axes.SetLimits(x0, x1, y0, y1);
        plot.Title(function.Title);
        plot.XLabel("x");
        plot.YLabel("y");
        plot.ShowLegend(Edge.Right);
        plot.Legend.Padding = new PixelPadding(LegendPadding);
        return plot;
    }

    /// <summary>Ticks at 1, 2 and 5 × 10ᵏ (minor ticks at the other integers) on an axis that shows log₁₀ of the values.</summary>
    private static NumericManual LogTicks(double min, double max)
    {
        var ticks = new NumericManual();
        for (int k = (int)Math.Floor(Math.Log10(min)); k <= (int)Math.Ceiling(Math.Log10(max)); k++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double value = m * Math.Pow(10, k);
                if (m is 1 or 2 or 5)
                {
                    // Rounded to three digits first, so that 5 × 10⁻² shows as 0.05, not as its binary neighbour.
                    double rounded = double.Parse(value.ToString("g3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    ticks.AddMajor(Math.Log10(value), NumberFormat.Setting(rounded));
                }
                else
                {
                    ticks.AddMinor(Math.Log10(value));
                }
            }
        }

        return ticks;
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        CreateFolderOf(path);
        plot.SavePng(path, width, height);
    }

    private static void CreateFolderOf(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
    }

    /// <summary>
    /// Maps "class + confidence" (heatmap values in [0, k)) to a pale version of the class colour, from almost
    /// white where the network is unsure to a light tint where it is confident.
    /// </summary>
    private sealed class ClassShading(Color[] classColors) : IColormap
    {
        public string Name => "class shading";

        public Color GetColor(double position)
        {
            double v = Math.Clamp(position, 0, 1) * classColors.Length;
            int c = Math.Min((int)v, classColors.Length - 1);
            double confidence = Math.Clamp(v - c, 0, 1);
            return Color.InterpolateRgb(Colors.White, classColors[c], 0.08 + 0.37 * confidence);
        }
    }
}
