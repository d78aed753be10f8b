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
            .And.Contain("held-out loss").And.Contain("held-out accuracy").And.Contain("Network 2-8-4-2 (tanh), cross-entropy loss");
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.LossFile), ChartSize.TrainingWidth, ChartSize.TrainingHeight);
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.BoundaryFile), ChartSize.BoundaryWidth, ChartSize.BoundaryHeight);
    }

    [Theory]
    [InlineData("double", "double precision (float64)")]
    [InlineData("single", "single precision (float32)")]
    public void Train_on_the_noisy_sine_reports_held_out_mse_and_draws_the_fit(string precision, string printed)
    {
        using var demo = new DemoRun();

        int code = demo.Run("train", "--dataset", "sine", "--optimizer", "adam", "--epochs", "30", "--points", "200", "--hidden", "16",
                            "--precision", precision, "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("sine: 160 training and 40 held-out rows of y = sin x + noise (σ = 0.1)")
            .And.Contain(printed).And.Contain("Network 1-16-1 (tanh), mean squared error")
            .And.NotContain("accuracy", "a regressor has no classes");
        var lines = demo.Console.Split(Environment.NewLine);
        double heldOut = Number(lines.Single(l => l.Contains("held-out MSE ") && !l.Contains("itself")));
        double noise = Number(lines.Single(l => l.Contains("held-out MSE of sin x itself (the noise)")));
        noise.Should().BeInRange(0.004, 0.02, "the noise has σ = 0.1, so about 0.01");
        heldOut.Should().BeLessThan(0.05, "30 epochs of Adam fit the sine well");
        heldOut.Should().BeGreaterThan(noise / 2, "no fit beats the noise by much");
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.LossFile), ChartSize.LossWidth, ChartSize.LossHeight);
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.FitFile), ChartSize.FitWidth, ChartSize.FitHeight);
        File.Exists(demo.PathOf(TrainCommand.BoundaryFile)).Should().BeFalse();
    }

    [Theory]
    [InlineData("double")]
    [InlineData("single")]
    public void Train_with_lbfgs_takes_one_full_batch_closure_step_per_epoch(string precision)
    {
        using var demo = new DemoRun();

        int code = demo.Run("train", "--optimizer", "lbfgs", "--epochs", "3", "--points", "40", "--hidden", "4", "--precision", precision,
                            "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("LBFGS: lr 1.").And.Contain("full batch (one closure over every training row per epoch")
            .And.Contain("held-out accuracy");
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.LossFile), ChartSize.TrainingWidth, ChartSize.TrainingHeight);
    }

    [Fact]
    public void Trajectories_include_lbfgs_with_the_strong_wolfe_line_search()
    {
        var path = PathFinder.FollowLbfgs<double>(TestFunction.Rosenbrock);

        path.Optimizer.Should().Be(PathFinder.LbfgsName);
        path.FinalValue.Should().BeLessThan(1e-8, "L-BFGS reaches Rosenbrock's minimum within 100 iterations");
        path.Points.Count.Should().Be(101, "the start, then the point after each of the 100 steps");
    }

    [Theory]
    [InlineData("the comparison", new string[] { "--points", "40", "--epochs", "2", "--hidden", "4" })]
    [InlineData("trajectories", new string[] { "trajectories", "--functions", "bowl", "--steps", "3" })]
    [InlineData("train on moons", new string[] { "train", "--points", "40", "--epochs", "2", "--hidden", "4" })]
    [InlineData("train on iris", new string[] { "train", "--dataset", "iris", "--epochs", "1" })]
    public void Every_command_computes_in_the_precision_asked_for_and_says_which(string command, string[] args)
    {
        using var single = new DemoRun();
        using var standard = new DemoRun();

        single.Run([.. args, "--precision", "single", "--out", "{out}"]).Should().Be(0, single.Error);
        standard.Run([.. args, "--out", "{out}"]).Should().Be(0, standard.Error);

        single.Console.Should().Contain("single precision (float32)", command).And.NotContain("float64");
        standard.Console.Should().Contain("double precision (float64)", $"double is the default for {command}").And.NotContain("float32");
    }

    [Fact]
    public void Single_precision_gives_float_results_close_to_double()
    {
        // The same network, data and steps in float and in double: the losses agree to a few digits, not to all.
        using var single = new DemoRun();
        using var standard = new DemoRun();
        string[] args = ["train", "--dataset", "moons", "--optimizer", "adam", "--points", "100", "--epochs", "5", "--hidden", "8", "--out", "{out}"];

        single.Run([.. args, "--precision", "single"]).Should().Be(0, single.Error);
        standard.Run(args).Should().Be(0, standard.Error);

        double Loss(DemoRun run) => Number(run.Console.Split(Environment.NewLine).Single(l => l.Contains("final training loss")));
        Loss(single).Should().BeApproximately(Loss(standard), 1e-3 * Loss(standard));
    }

    /// <summary>The number in the value column of a result table's row.</summary>
    private static double Number(string tableRow)
        => double.Parse(tableRow.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Train_on_iris_writes_the_loss_curve_but_no_boundary()
    {
        using var demo = new DemoRun();

        int code = demo.Run("train", "--dataset", "iris", "--optimizer", "gradientdescent", "--epochs", "2", "--activation", "relu", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("iris").And.Contain("GradientDescent");
        PngFile.ShouldBePng(demo.PathOf(TrainCommand.LossFile), ChartSize.TrainingWidth, ChartSize.TrainingHeight);
        File.Exists(demo.PathOf(TrainCommand.BoundaryFile)).Should().BeFalse();
    }

    [Fact]
    public void Redirected_output_has_one_plain_line_per_finished_run_and_no_progress_lines()
    {
        using var demo = new DemoRun();

        int code = demo.Run("--points", "40", "--epochs", "4", "--hidden", "4", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        var lines = demo.Console.Split(Environment.NewLine);
        foreach (var entry in OptimizerCatalog.All)
        {
            lines.Where(l => l.StartsWith(entry.Name + " ", StringComparison.Ordinal)).Should().ContainSingle()
                .Which.Should().MatchRegex(@" (final loss \S+|diverged) after \d+ epochs, \d+ ms$");
        }

        NoProgressLines(demo.Console);
    }

    [Fact]
    public void Redirected_output_of_train_and_trajectories_has_no_progress_lines()
    {
        using var train = new DemoRun();
        using var trajectories = new DemoRun();

        train.Run("train", "--points", "40", "--epochs", "4", "--hidden", "4", "--out", "{out}").Should().Be(0, train.Error);
        trajectories.Run("trajectories", "--steps", "4", "--out", "{out}").Should().Be(0, trajectories.Error);

        train.Console.Split(Environment.NewLine).Should().ContainSingle(l => l.StartsWith("Momentum ", StringComparison.Ordinal))
            .Which.Should().MatchRegex(@"^Momentum +final loss \S+ after 4 epochs, \d+ ms$");
        NoProgressLines(train.Console);
        foreach (var function in TestFunction.All)
        {
            trajectories.Console.Split(Environment.NewLine).Should().ContainSingle(l => l.StartsWith(function.Key + ":", StringComparison.Ordinal));
        }

        NoProgressLines(trajectories.Console);
    }

    [Fact]
    public void An_interactive_terminal_gets_live_progress_bars()
    {
        using var demo = new DemoRun(interactive: true);

        int code = demo.Run("--points", "40", "--epochs", "3", "--hidden", "4", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("100%").And.Contain("━");
        demo.Console.Should().NotMatchRegex(@"final loss \S+ after \d+ epochs", "the plain lines are for redirected output");
    }

    [Fact]
    public void An_interactive_terminal_gets_a_live_progress_bar_for_the_regression_too()
    {
        using var demo = new DemoRun(interactive: true);

        int code = demo.Run("train", "--dataset", "sine", "--points", "40", "--epochs", "3", "--hidden", "4", "--precision", "single", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        demo.Console.Should().Contain("100%").And.Contain("━").And.Contain("held-out MSE");
    }

    [Fact]
    public void A_huge_loss_prints_in_four_significant_digits_with_an_exponent()
    {
        using var demo = new DemoRun();

        int code = demo.Run("train", "--lr", "1e300", "--epochs", "2", "--points", "40", "--hidden", "4", "--out", "{out}");

        code.Should().Be(0, demo.Error);
        var printed = demo.Console.Replace(demo.OutputFolder, "{out}", StringComparison.Ordinal).Split(Environment.NewLine);
        printed.Should().NotContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\d{9}"), "no number takes more than four significant digits");
        printed.Should().ContainSingle(l => l.Contains("final training loss")).Which.Should().MatchRegex(@"final training loss\W+(\d\.\d{3}e\+\d+|diverged)");
    }

    /// <summary>Spectre's fallback progress lines ("Adam  loss 0.2950: 18%") and bar characters are absent.</summary>
    private static void NoProgressLines(string console)
    {
        console.Split(Environment.NewLine).Should().NotContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\d+%\s*$"));
        console.Should().NotContain("━").And.NotContain("waiting");
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
    [InlineData("--epochs must be an integer; got 'abc'.", "--epochs", "abc")]
    [InlineData("--epochs must be an integer; got '2.5'.", "--epochs", "2.5")]
    [InlineData("--epochs must be at most 2147483647; got 99999999999.", "--epochs", "99999999999")]
    [InlineData("--lr must be a number; got 'abc'.", "train", "--lr", "abc")]
    [InlineData("--lr must be a number; got '0,1'.", "train", "--lr", "0,1")]
    [InlineData("--steps must be an integer; got 'x'.", "trajectories", "--steps", "x")]
    [InlineData("--target-loss must be a finite number > 0; got ∞.", "--target-loss", "1e999")]
    [InlineData("--dataset must be one of moons, spiral for the comparison; got 'iris'.", "--dataset", "iris")]
    [InlineData("--dataset must be one of moons, spiral, iris, digits, sine; got 'mnist'.", "train", "--dataset", "mnist")]
    [InlineData("--dataset must be one of moons, spiral for the comparison; got 'sine'.", "--dataset", "sine")]
    [InlineData("--precision must be one of single, double; got 'half'.", "--precision", "half")]
    [InlineData("--precision must be one of single, double; got 'float32'.", "trajectories", "--precision", "float32")]
    [InlineData("--precision must be one of single, double; got '64'.", "train", "--precision", "64")]
    [InlineData("--optimizer must be one of gradientdescent, momentum, adagrad, rmsprop, adadelta, adam, adamw, adamax, nadam, radam, rprop, asgd, lion, lamb, adopt, schedulefreesgd, schedulefreeadamw, adafactor, lookahead(adam), muon+adamw, lbfgs; got 'sgd'.", "train", "--optimizer", "sgd")]
    [InlineData("--hidden must be positive layer widths (at most 4096) separated by commas, such as 64,32; got '64,x'.", "train", "--hidden", "64,x")]
    [InlineData("--batch-size must be at least 1; got 0.", "train", "--batch-size", "0")]
    [InlineData("--test-fraction must be between 0 and 1; got 1.", "train", "--test-fraction", "1")]
    [InlineData("--activation must be one of sigmoid, tanh, relu; got 'gelu'.", "train", "--activation", "gelu")]
    [InlineData("--momentum does not apply to GradientDescent; it takes --lr, --weight-decay.", "train", "--optimizer", "gradientdescent", "--momentum", "0.5")]
    [InlineData("Momentum: momentum must be in [0, 1); got 1.5.", "train", "--momentum", "1.5")]
    [InlineData("Momentum: learningRate must be a finite number ≥ 0; got -1.", "train", "--lr", "-1")]
    [InlineData("--functions must name functions from bowl, rosenbrock, beale; got 'himmelblau'.", "trajectories", "--functions", "bowl,himmelblau")]
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
