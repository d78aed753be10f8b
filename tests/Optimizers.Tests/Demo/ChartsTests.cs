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
        var paths = OptimizerCatalog<double>.All.Select(e => PathFinder.Follow(function, e, 0.001, steps: 5)).ToArray();

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
        var entry = OptimizerCatalog<double>.Find("Adam")!;

        var result = TrainingRun.Run("Adam", network, entry.CreateDefault(network.Parameters, 0.05), Samples.Of<double>(train), Samples.Of<double>(test),
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

        var result = TrainingRun.Run("Adam", network, OptimizerCatalog<double>.Find("Adam")!.CreateDefault(network.Parameters, 0.05), Samples.Of<double>(data), null,
                                     epochs: 2, batchSize: 20, seed: 3, targetLoss: 0);

        result.HeldOut.Should().BeNull();
        result.TestAccuracy.Should().BeNull();
    }

    [Fact]
    public void A_regression_run_in_float_scores_the_held_out_mean_squared_error_and_no_accuracy()
    {
        var (train, test) = RegressionData.NoisySine(60, noise: 0.1, seed: 3).Split(0.25, seed: 3);
        var network = Network.Regressor<float>([1, 8, 1], Activation.Tanh, RegressionLoss.MeanSquaredError, seed: 3);
        var held = Samples.Of<float>(test);

        var result = TrainingRun.Run("Adam", network, OptimizerCatalog<float>.Find("Adam")!.CreateDefault(network.Parameters, 0.02),
                                     Samples.Of<float>(train), held, epochs: 20, batchSize: 8, seed: 3, targetLoss: 0);

        result.Diverged.Should().BeFalse();
        result.Accuracy.Should().BeNull();
        result.TestAccuracy.Should().BeNull();
        result.HeldOut!.Accuracies.Should().BeEmpty();
        result.HeldOut.Losses.Should().HaveCount(20);
        result.HeldOut.Losses[^1].Should().Be(network.Loss(held.Inputs, held.Targets));
        result.HeldOut.Losses[^1].Should().BeLessThan(result.HeldOut.Losses[0] / 2, "20 epochs of Adam fit the sine better than the first");
        result.FinalLoss.Should().Be(network.Loss(Samples.Of<float>(train).Inputs, Samples.Of<float>(train).Targets));
    }

    [Fact]
    public void A_training_run_whose_weights_overflow_is_reported_as_diverged_without_scoring_classes()
    {
        // The third epoch returns a finite loss (measured before its step) but leaves a NaN weight behind, as a step that
        // overflowed would: the held-out outputs are NaN, no class can be named, and the run stops as diverged.
        var data = ToyProblems.Moons(40, noise: 0.2, seed: 3);
        var (train, test) = data.Split(0.25, seed: 3);
        var network = Network.Mlp([2, 4, 2], Activation.Tanh, seed: 3);
        var optimizer = OptimizerCatalog<double>.Find("Adam")!.CreateDefault(network.Parameters, 0.01);

        var result = TrainingRun.Run("Adam", network, optimizer, new OverflowingAfter(Samples.Of<double>(train), epochs: 3), Samples.Of<double>(test),
                                     epochs: 5, batchSize: 100, seed: 3, targetLoss: 0);

        result.Diverged.Should().BeTrue();
        result.Losses.Should().HaveCount(2, "the epoch whose step left NaN weights is not counted");
        result.HeldOut!.Losses.Should().HaveCount(2);
        result.HeldOut.Accuracies.Should().HaveCount(2);
        double.IsNaN(result.FinalLoss).Should().BeTrue();
        double.IsNaN(result.Accuracy!.Value).Should().BeTrue();
        result.TestAccuracy.Should().BeNull();
    }

    [Fact]
    public void The_regression_loss_chart_has_one_panel_with_training_and_held_out_mean_squared_error()
    {
        var plot = Charts.RegressionCurvesPlot([0.5, 0.2, 0.1], [0.6, 0.3, 0.15], "title");

        plot.GetPlottables().OfType<Scatter>().Select(s => s.LegendText)
            .Should().Equal("training (mean over the epoch's batches)", "held-out (after the epoch)");
        plot.Axes.Left.Label.Text.Should().Be("mean squared error (log scale)");
        plot.Axes.Bottom.Label.Text.Should().Be("epoch");
    }

    [Fact]
    public void The_fit_chart_draws_the_samples_the_true_function_and_the_networks_curve_on_top()
    {
        var (train, test) = RegressionData.NoisySine(40, noise: 0.1, seed: 1).Split(0.25, seed: 1);
        var network = Network.Regressor<float>([1, 4, 1], Activation.Tanh, RegressionLoss.MeanSquaredError, seed: 1);

        var plot = Charts.RegressionFitPlot(network, train, test, "title");

        var plottables = plot.GetPlottables().OfType<Scatter>().ToArray();
        plottables.Select(s => s.LegendText).Should().Equal(
            "training samples (30)", "held-out samples (10)", "sin x (the function without noise)", "the network's output");
        var truth = plottables[2].Data.GetScatterPoints();
        truth.Should().OnlyContain(p => Math.Abs(p.Y - Math.Sin(p.X)) < 1e-12);
        var fit = plottables[3].Data.GetScatterPoints();
        var outputs = network.Predict(MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.Dense(1, 1, (float)fit[17].X));
        fit[17].Y.Should().BeApproximately(outputs[0, 0], 1e-6, "the curve is the network's output at each x");
        plot.GetPlottables().Last().Should().BeSameAs(plottables[3], "the network's curve is drawn last, on top");
        FluentActions.Invoking(() => Charts.RegressionFitPlot(Network.Regressor([2, 3, 1]), train, test, "t")).Should().Throw<ArgumentException>();
    }
}

/// <summary>Trains as <paramref name="inner"/> does, but the epoch numbered <paramref name="epochs"/> leaves a NaN output bias behind.</summary>
file sealed class OverflowingAfter(Samples<double> inner, int epochs) : Samples<double>(inner.Inputs)
{
    private int _epoch;

    public override bool HasClasses => inner.HasClasses;

    public override double TrainEpoch(Network<double> network, IOptimizer optimizer, int batchSize, Random random)
    {
        double loss = inner.TrainEpoch(network, optimizer, batchSize, random);
        if (++_epoch == epochs)
        {
            network.Layers[^1].Bias.Value[0] = double.NaN;
        }

        return loss;
    }

    public override double Loss(Network<double> network) => inner.Loss(network);

    public override double Backward(Network<double> network) => inner.Backward(network);

    public override double? Accuracy(Network<double> network) => inner.Accuracy(network);

    public override Samples<double> First(int count) => inner.First(count);
}
