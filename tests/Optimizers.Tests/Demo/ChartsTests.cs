using Optimizers.Datasets;
using Optimizers.Demo.Catalog;
using Optimizers.Demo.Functions;
using Optimizers.Demo.Plotting;
using Optimizers.Demo.Training;
using Optimizers.Networks;
using ScottPlot;
using ScottPlot.Plottables;

namespace Optimizers.Tests.Demo;

public class ChartsTests
{
    [Fact]
    public void The_trajectory_chart_draws_the_minimum_last_over_the_end_dots_and_pads_its_legend()
    {
        var function = TestFunction.Rosenbrock;
        var paths = OptimizerCatalog.All.Select(e => PathFinder.Follow(function, e, 0.001, steps: 5)).ToArray();

        var plot = Charts.TrajectoriesPlot(function, paths);

        var markers = plot.GetPlottables().OfType<Marker>().ToList();
        var minimum = markers.Single(m => m.LegendText == "minimum");
        plot.GetPlottables().Last().Should().BeSameAs(minimum, "plottables are drawn in order, so the last one is on top");
        minimum.Location.Should().Be(new Coordinates(function.Minimum.X, function.Minimum.Y));
        minimum.MarkerStyle.LineColor.Should().Be(Colors.Red);
        markers.Count(m => m.MarkerStyle.Shape == MarkerShape.FilledCircle).Should().Be(paths.Length, "one end dot per optimizer, all drawn before the minimum");
        var padding = plot.Legend.Padding;
        new[] { padding.Left, padding.Right, padding.Top, padding.Bottom }.Should().AllSatisfy(p => p.Should().BeGreaterThanOrEqualTo(Charts.LegendPadding));
    }

    [Fact]
    public void The_training_chart_has_a_loss_panel_with_training_and_held_out_lines_and_a_held_out_accuracy_panel()
    {
        var curves = new HeldOutCurves([0.6, 0.4, 0.35], [0.5, 0.75, 0.8]);

        var chart = Charts.TrainingCurvesPlot([0.7, 0.5, 0.3], curves, "title");

        var panels = chart.GetPlots();
        panels.Should().HaveCount(2);
        panels[0].GetPlottables().OfType<Scatter>().Select(s => s.LegendText)
            .Should().Equal("training (mean over the epoch's batches)", "held-out (after the epoch)");
        panels[0].Axes.Left.Label.Text.Should().Contain("loss");
        var accuracy = panels[1].GetPlottables().OfType<Scatter>().Should().ContainSingle().Subject;
        accuracy.LegendText.Should().Be("held-out accuracy");
        accuracy.Data.GetScatterPoints().Select(p => p.Y).Should().Equal(50, 75, 80);
        panels[1].Axes.Left.Label.Text.Should().Contain("held-out accuracy");
        panels[1].Axes.Bottom.Label.Text.Should().Be("epoch");
    }

    [Fact]
    public void A_training_run_with_held_out_rows_scores_them_after_every_epoch()
    {
        var data = ToyProblems.Moons(60, noise: 0.2, seed: 3);
        var (train, test) = data.Split(0.25, seed: 3);
        var network = Network.Mlp([2, 6, 2], Activation.Tanh, seed: 3);
        var entry = OptimizerCatalog.Find("Adam")!;

        var result = TrainingRun.Run("Adam", network, entry.CreateDefault(network.Parameters, 0.05), train, test,
                                     epochs: 6, batchSize: 16, seed: 3, targetLoss: 0);

        result.HeldOut.Should().NotBeNull();
        result.HeldOut!.Losses.Should().HaveCount(6).And.OnlyContain(l => double.IsFinite(l) && l > 0);
        result.HeldOut.Accuracies.Should().HaveCount(6).And.OnlyContain(a => a >= 0 && a <= 1);
        result.HeldOut.Losses[^1].Should().Be(network.Loss(test.Features, test.Labels), "the last epoch's score is the trained network's");
        result.HeldOut.Accuracies[^1].Should().Be(result.TestAccuracy!.Value);
        result.HeldOut.Losses[^1].Should().BeLessThan(result.HeldOut.Losses[0], "six epochs of Adam lower the held-out loss of moons");
    }

    [Fact]
    public void A_training_run_without_held_out_rows_has_no_held_out_curves()
    {
        var data = ToyProblems.Moons(20, noise: 0.2, seed: 3);
        var network = Network.Mlp([2, 4, 2], Activation.Tanh, seed: 3);

        var result = TrainingRun.Run("Adam", network, OptimizerCatalog.Find("Adam")!.CreateDefault(network.Parameters, 0.05), data, null,
                                     epochs: 2, batchSize: 20, seed: 3, targetLoss: 0);

        result.HeldOut.Should().BeNull();
        result.TestAccuracy.Should().BeNull();
    }
}
