using Optimizers.Demo;
using Optimizers.Demo.Catalog;
using Optimizers.Demo.Commands;
using Optimizers.Demo.Functions;
using Optimizers.Demo.Plotting;

namespace Optimizers.Tests.Demo;

public class DemoCommandTests
{
    [Fact]
    public void With_no_command_it_compares_every_catalog_optimizer_and_writes_both_charts()
    {
        using var demo = new DemoRun();

        int code = demo.Run("--points", "40", "--epochs", "5", "--hidden", "4", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        foreach (var entry in OptimizerCatalog.All)
        {
            demo.Console.Should().Contain(entry.Name);
        }

        demo.Console.Should().Contain("final loss").And.Contain("epochs to loss ≤ 0.1");
        PngFile.ShouldBePng(demo.PathOf(CompareCommand.LossFile), ChartSize.LossWidth, ChartSize.LossHeight);
        PngFile.ShouldBePng(demo.PathOf(CompareCommand.BoundaryFile), ChartSize.BoundaryWidth, ChartSize.BoundaryHeight);
    }

    [Fact]
    public void The_comparison_runs_on_the_spiral_with_mini_batches()
    {
        using var demo = new DemoRun();

        int code = demo.Run("--dataset", "spiral", "--points", "40", "--epochs", "3", "--batch-size", "8", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("spiral").And.Contain("batches of 8");
        PngFile.ShouldBePng(demo.PathOf(CompareCommand.LossFile), ChartSize.LossWidth, ChartSize.LossHeight);
    }

    [Fact]
    public void Trajectories_writes_one_chart_per_function()
    {
        using var demo = new DemoRun();

        int code = demo.Run("trajectories", "--steps", "5", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        foreach (var function in TestFunction.All)
        {
            PngFile.ShouldBePng(demo.PathOf(TrajectoriesCommand.FileName(function)), ChartSize.TrajectoryWidth, ChartSize.TrajectoryHeight);
        }

        demo.Console.Should().Contain("best α").And.Contain("Rosenbrock");
    }

    [Fact]
    public void Trajectories_can_draw_a_chosen_function_only()
    {
        using var demo = new DemoRun();

        int code = demo.Run("trajectories", "--functions", "bowl", "--steps", "3", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        PngFile.ShouldBePng(demo.PathOf(TrajectoriesCommand.FileName(TestFunction.Bowl)), ChartSize.TrajectoryWidth, ChartSize.TrajectoryHeight);
        File.Exists(demo.PathOf(TrajectoriesCommand.FileName(TestFunction.Beale))).Should().BeFalse();
    }

    [Fact]
    public void Train_on_moons_with_hyperparameters_writes_loss_and_boundary()
    {
        using var demo = new DemoRun();

        int code = demo.Run("train", "--dataset", "moons", "--optimizer", "Momentum", "--lr", "0.05", "--momentum", "0.8",
                            "--nesterov", "--epochs", "3", "--batch-size", "8", "--points", "40", "--hidden", "8,4", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("Momentum: lr 0.05, momentum 0.8, dampening 0, nesterov on, weight-decay 0.")
            .And.Contain("held-out accuracy").And.Contain("network 2-8-4-2");
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.LossFile), ChartSize.LossWidth, ChartSize.LossHeight);
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.BoundaryFile), ChartSize.BoundaryWidth, ChartSize.BoundaryHeight);
    }

    [Fact]
    public void Train_on_iris_writes_the_loss_curve_but_no_boundary()
    {
        using var demo = new DemoRun();

        int code = demo.Run("train", "--dataset", "iris", "--optimizer", "gradientdescent", "--epochs", "2", "--activation", "relu", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("iris").And.Contain("GradientDescent");
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.LossFile), ChartSize.LossWidth, ChartSize.LossHeight);
        File.Exists(demo.PathOf(TrainCommand.BoundaryFile)).Should().BeFalse();
    }

    [Theory]
    [InlineData(new string[] { "--help" }, "trajectories")]
    [InlineData(new string[] { "--help" }, "--target-loss")]
    [InlineData(new string[] { "trajectories", "--help" }, "--functions")]
    [InlineData(new string[] { "train", "--help" }, "--optimizer")]
    [InlineData(new string[] { "train", "--help" }, "--nesterov")]
    [InlineData(new string[] { "train", "-h" }, "--batch-size")]
    public void Every_command_has_help(string[] args, string expected)
    {
        using var demo = new DemoRun();

        demo.Run(args).Should().Be(0);

        demo.Output.Should().Contain(expected);
        demo.Error.Should().BeEmpty();
        Directory.Exists(demo.OutputFolder).Should().BeFalse("help runs nothing");
    }

    [Theory]
    [InlineData("Unrecognized command or argument '--bogus'.", "--bogus")]
    [InlineData("--epochs must be at least 1; got 0.", "--epochs", "0")]
    [InlineData("Unknown data set for the comparison 'iris'; choose one of moons, spiral.", "--dataset", "iris")]
    [InlineData("Unknown data set 'mnist'; choose one of moons, spiral, iris, digits.", "train", "--dataset", "mnist")]
    [InlineData("Unknown optimizer 'sgd'; choose one of gradientdescent, momentum, adagrad, rmsprop, adadelta, adam, adamw, adamax, nadam, radam.", "train", "--optimizer", "sgd")]
    [InlineData("--hidden expects positive layer widths separated by commas, such as 64,32; got '64,x'.", "train", "--hidden", "64,x")]
    [InlineData("--batch-size must be at least 1; got 0.", "train", "--batch-size", "0")]
    [InlineData("--test-fraction must be between 0 and 1; got 1.", "train", "--test-fraction", "1")]
    [InlineData("Unknown activation 'gelu'; choose one of sigmoid, tanh, relu.", "train", "--activation", "gelu")]
    [InlineData("--momentum does not apply to GradientDescent; it takes --lr, --weight-decay.", "train", "--optimizer", "gradientdescent", "--momentum", "0.5")]
    [InlineData("Momentum: momentum must be in [0, 1); got 1.5.", "train", "--momentum", "1.5")]
    [InlineData("Momentum: learningRate must be a finite number ≥ 0; got -1.", "train", "--lr", "-1")]
    [InlineData("Unknown function 'himmelblau'; choose from bowl, rosenbrock, beale.", "trajectories", "--functions", "himmelblau")]
    [InlineData("--steps must be at least 1; got 0.", "trajectories", "--steps", "0")]
    public void A_bad_argument_prints_one_line_and_exits_with_the_usage_code(string message, params string[] args)
    {
        using var demo = new DemoRun();

        int code = demo.Run(args.Append("--out").Append("{out}").ToArray());

        code.Should().Be(DemoApp.UsageError);
        demo.Error.Should().Be($"error: {message} (see --help){Environment.NewLine}");
        Directory.Exists(demo.OutputFolder).Should().BeFalse("nothing runs after a bad argument");
    }
}
