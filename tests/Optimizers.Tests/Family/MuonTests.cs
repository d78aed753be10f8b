using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;
using Optimizers.Schedules;
using Optimizers.Tests.Checkpoints;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Family;

/// <summary>
/// Muon: hand-worked steps (a 1 × 2 and a 2 × 1 weight, where one Newton–Schulz step has a closed form, and a 2 × 2
/// with one step), the logical shape against the memory order, the defaults, validation, momentum cycling, and the
/// cross-rule checks the catalog cannot run on it (it builds rank-1 parameters; see AllOptimizersTests): checkpoint
/// resume, the non-finite guard, parallelism and allocation.
/// </summary>
public abstract class MuonTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static double Tolerance => Element<T>.IsSingle ? 4e-7 : 1e-15;

    /// <summary>A rows × columns parameter whose element (i, j) is values[i][j] (stored column by column).</summary>
    private static Parameter<T> Matrix(string name, double[][] values) =>
        new(name, Matrix<T>.Build.DenseOfRowArrays(values.Select(Element<T>.From)));

    private static void Feed(Parameter<T> p, double[][] g)
    {
        for (int i = 0; i < p.Rows; i++)
        {
            for (int j = 0; j < p.Columns; j++)
            {
                p.GradientMatrix[i, j] = Element<T>.From(g[i][j]);
            }
        }
    }

    private static void ShouldBeClose(Parameter<T> p, double[][] expected)
    {
        for (int i = 0; i < p.Rows; i++)
        {
            for (int j = 0; j < p.Columns; j++)
            {
                Element<T>.ToDouble(p.ValueMatrix[i, j]).Should().BeApproximately(
                    expected[i][j], Tolerance * Math.Abs(expected[i][j]) + 1e-300, $"element ({i}, {j})");
            }
        }
    }

    [Fact]
    public void Defaults_are_torchs()
    {
        var optimizer = new Muon<T>([Matrix("w", [[1.0, 2.0]])]);

        optimizer.LearningRate.Should().Be(1e-3);
        optimizer.WeightDecay.Should().Be(0.1);
        optimizer.MomentumFactor.Should().Be(0.95);
        optimizer.Nesterov.Should().BeTrue();
        optimizer.NsCoefficients.Should().Be((3.4445, -4.775, 2.0315));
        optimizer.Epsilon.Should().Be(1e-7);
        optimizer.NsSteps.Should().Be(5);
        optimizer.AdjustLearningRate.Should().Be(MuonLearningRate.Original);
        optimizer.StateNames.Should().Equal("momentum_buffer");
    }

    [Fact]
    public void Two_steps_by_hand_on_a_wide_row()
    {
        // 1 × 2: X = U/‖U‖ is a unit row, X·Xᵀ = 1, so one step gives X ← (a + b + c)·X = 0.701·X.
        // α = 0.1, λ = 0.5, μ = 0.5, Nesterov, Original: max(1, 1/2) = 1, α′ = α = 0.1; 1 − α·λ = 0.95.
        var w = Matrix("w", [[1.0, 2.0]]);
        var optimizer = new Muon<T>([w], learningRate: 0.1, weightDecay: 0.5, momentum: 0.5, nsSteps: 1);

        Feed(w, [[3.0, 4.0]]);
        optimizer.Step();
        // B₁ = lerp(0, g, 0.5) = 0.5·(3, 4) = (1.5, 2); U₁ = lerp(g, B₁, 0.5) = B₁ − (B₁ − g)·0.5 = (2.25, 3)
        // ‖U₁‖ = 3.75, X = (0.6, 0.8); O₁ = 0.701·X = (0.4206, 0.5608)
        // θ₁ = 0.95·(1, 2) − 0.1·O₁ = (0.95 − 0.04206, 1.9 − 0.05608) = (0.90794, 1.84392)
        ShouldBeClose(w, [[0.90794, 1.84392]]);
        Element<T>.ToDouble(optimizer.GetState("momentum_buffer", 0)[1]).Should().Be(2.0);

        Feed(w, [[-1.0, 0.0]]);
        optimizer.Step();
        // B₂ = B₁ + 0.5·(g₂ − B₁) = (1.5 − 1.25, 2 − 1) = (0.25, 1); U₂ = B₂ − (B₂ − g₂)·0.5 = (0.25 − 0.625, 1 − 0.5) = (−0.375, 0.5)
        // ‖U₂‖ = 0.625, X = (−0.6, 0.8); O₂ = 0.701·X = (−0.4206, 0.5608)
        // θ₂ = 0.95·θ₁ − 0.1·O₂ = (0.862543 + 0.04206, 1.751724 − 0.05608) = (0.904603, 1.695644)
        ShouldBeClose(w, [[0.904603, 1.695644]]);
    }

    [Fact]
    public void A_tall_column_takes_the_Original_step_scaled_by_the_root_of_rows_over_columns()
    {
        // The same numbers as a 2 × 1 column, λ = 0: X is transposed to the row (0.6, 0.8), O₁ = (0.4206, 0.5608)ᵀ as above,
        // and α′ = α·√max(1, 2/1) = 0.1·√2 = 0.14142135623730953 (Original).
        var tall = Matrix("tall", [[1.0], [2.0]]);
        var optimizer = new Muon<T>([tall], learningRate: 0.1, weightDecay: 0, momentum: 0.5, nsSteps: 1);
        Feed(tall, [[3.0], [4.0]]);
        optimizer.Step();
        // θ₁ = (1 − 0.14142135623730953·0.4206, 2 − 0.14142135623730953·0.5608) = (0.9405181775665876, 1.920690903422117)
        ShouldBeClose(tall, [[0.9405181775665876], [1.920690903422117]]);

        // Its transpose, a 1 × 2 row, takes α′ = α: (1 − 0.04206, 2 − 0.05608). A layout read in memory order would
        // give one of them the other's step.
        var wide = Matrix("wide", [[1.0, 2.0]]);
        var rowOptimizer = new Muon<T>([wide], learningRate: 0.1, weightDecay: 0, momentum: 0.5, nsSteps: 1);
        Feed(wide, [[3.0, 4.0]]);
        rowOptimizer.Step();
        ShouldBeClose(wide, [[0.95794, 1.94392]]);

        // MatchRmsAdamW: α′ = α·0.2·√max(2, 1) = 0.028284271247461905: θ₁ = 1 − 0.028284271247461905·0.4206 = 0.9881036355133175
        var matched = Matrix("matched", [[1.0], [2.0]]);
        var adamW = new Muon<T>([matched], learningRate: 0.1, weightDecay: 0, momentum: 0.5, nsSteps: 1,
                                adjustLearningRate: MuonLearningRate.MatchRmsAdamW);
        Feed(matched, [[3.0], [4.0]]);
        adamW.Step();
        Element<T>.ToDouble(matched.ValueMatrix[0, 0]).Should().BeApproximately(0.9881036355133175, Tolerance);
    }

    [Fact]
    public void One_step_on_a_2x2_reads_the_logical_shape_not_the_memory_order()
    {
        // μ = 0: B = lerp(0, g, 1) = g and U = lerp(g, g, 0) = g. U = [[0, 3], [4, 0]], stored column by column as (0, 4, 3, 0).
        // ‖U‖ = 5, X = [[0, 0.6], [0.8, 0]]; M = X·Xᵀ = diag(0.36, 0.64); one step maps each singular value s to a·s + b·s³ + c·s⁵:
        // s = 0.6: 3.4445·0.6 − 4.775·0.216 + 2.0315·0.07776 = 2.0667 − 1.0314 + 0.15796944 = 1.19326944
        // s = 0.8: 3.4445·0.8 − 4.775·0.512 + 2.0315·0.32768 = 2.7556 − 2.4448 + 0.66568192 = 0.97648192
        // O = [[0, 1.19326944], [0.97648192, 0]]; α = 0.5, λ = 0, square: θ₁ = −0.5·O
        var w = Matrix("w", [[0.0, 0.0], [0.0, 0.0]]);
        var optimizer = new Muon<T>([w], learningRate: 0.5, weightDecay: 0, momentum: 0, nsSteps: 1);
        Feed(w, [[0.0, 3.0], [4.0, 0.0]]);
        w.Gradient.ToArray().Should().Equal(Element<T>.From([0.0, 4.0, 3.0, 0.0]));

        optimizer.Step();

        ShouldBeClose(w, [[0.0, -0.59663472], [-0.48824096, 0.0]]);
        Element<T>.ToDouble(w.Value[2]).Should().BeApproximately(-0.59663472, Tolerance, "Value[i + j·rows] is element (i, j)");
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(3, 6)]
    [InlineData(4, 4)]
    public void With_convergent_coefficients_the_update_is_the_polar_factor_of_the_gradient(int rows, int columns)
    {
        // The quintic (15/8, −10/8, 3/8) converges to sign(s) = 1 for every singular value s in (0, √(7/3)): after enough
        // steps O = U·Vᵀ from the SVD G = U·S·Vᵀ (the polar factor), for tall, wide and square G alike. μ = 0 makes the
        // direction g itself; λ = 0 and θ₀ = 0 give θ₁ = −α′·O, α′ = √max(1, rows/columns) at α = 1 (Original).
        var random = new Random(rows * 10 + columns);
        var g = Matrix<double>.Build.Dense(rows, columns, (_, _) => random.NextDouble() * 2 - 1)
              + Matrix<double>.Build.DenseIdentity(rows, columns);   // keeps the smallest singular value away from 0
        var svd = g.Svd(computeVectors: true);
        int k = Math.Min(rows, columns);
        var polar = svd.U.SubMatrix(0, rows, 0, k) * svd.VT.SubMatrix(0, k, 0, columns);

        var w = Matrix("w", Enumerable.Range(0, rows).Select(_ => new double[columns]).ToArray());
        var optimizer = new Muon<T>([w], learningRate: 1, weightDecay: 0, momentum: 0, nesterov: false,
                                    nsCoefficients: (1.875, -1.25, 0.375), nsSteps: 60);
        Feed(w, g.ToRowArrays());
        optimizer.Step();

        double scale = Math.Sqrt(Math.Max(1.0, (double)rows / columns));
        double tolerance = Element<T>.IsSingle ? 2e-5 : 1e-12;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                Element<T>.ToDouble(w.ValueMatrix[i, j]).Should().BeApproximately(-scale * polar[i, j], tolerance, $"element ({i}, {j})");
            }
        }
    }

    [Fact]
    public void A_zero_gradient_leaves_only_the_weight_decay_and_the_clamp_keeps_it_finite()
    {
        // U = 0: X = 0 / max(0, ε) = 0, and O = 0; θ₁ = θ₀·(1 − 0.1·0.1) = 0.99·θ₀.
        var w = Matrix("w", [[1.0, -2.0], [3.0, 4.0]]);
        var optimizer = new Muon<T>([w], learningRate: 0.1);
        optimizer.Step();
        ShouldBeClose(w, [[0.99, -1.98], [2.97, 3.96]]);
    }

    [Fact]
    public void A_rank_one_parameter_is_refused_by_name_and_bad_hyperparameters_by_theirs()
    {
        var w = Matrix("weight", [[1.0, 2.0]]);
        var bias = new Parameter<T>("bias", Element<T>.From([1.0, 2.0]));

        var refused = () => new Muon<T>([w, bias]);
        refused.Should().Throw<ArgumentException>().WithParameterName("parameters").WithMessage("*'bias'*[2]*");

        ((Action)(() => _ = new Muon<T>([w], learningRate: -1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("learningRate");
        ((Action)(() => _ = new Muon<T>([w], weightDecay: double.NaN))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("weightDecay");
        ((Action)(() => _ = new Muon<T>([w], momentum: 1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("momentum");
        ((Action)(() => _ = new Muon<T>([w], nsCoefficients: (1, double.PositiveInfinity, 0)))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("nsCoefficients");
        ((Action)(() => _ = new Muon<T>([w], epsilon: 0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("epsilon");
        ((Action)(() => _ = new Muon<T>([w], nsSteps: 100))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("nsSteps");
        ((Action)(() => _ = new Muon<T>([w], nsSteps: -1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("nsSteps");
        ((Action)(() => _ = new Muon<T>([w], adjustLearningRate: (MuonLearningRate)7))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("adjustLearningRate");
    }

    [Fact]
    public void Momentum_is_settable_between_steps_and_a_one_cycle_schedule_cycles_it()
    {
        var w = Matrix("w", [[1.0, 2.0], [3.0, 4.0]]);
        var optimizer = new Muon<T>([w], learningRate: 0.01);

        var bad = () => optimizer.MomentumFactor = 1.0;
        bad.Should().Throw<ArgumentOutOfRangeException>();
        optimizer.MomentumFactor.Should().Be(0.95);

        var schedule = new OneCycleLR(optimizer, maxLearningRate: 0.1, totalSteps: 10);
        optimizer.MomentumFactor.Should().Be(0.95, "building the schedule sets maxMomentum");
        for (int i = 0; i < 3; i++)
        {
            Feed(w, [[1.0, 0.5], [-0.5, 1.0]]);
            optimizer.Step();
            schedule.Step();
        }

        optimizer.MomentumFactor.Should().BeLessThan(0.95).And.BeGreaterThanOrEqualTo(0.85);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_is_bit_identical_to_an_uninterrupted_run()
    {
        // Trajectory's run (learning-rate changes at steps 3 and 7, a NaN gradient skipped at step 5) on a tall 3 × 2
        // and a wide 2 × 5 weight.
        var expected = Run(out _, 1, Trajectory.Steps, out var uninterrupted);
        uninterrupted.SkippedStepCount.Should().Be(1);

        foreach (int k in new[] { 1, 4, 6, 9 })
        {
            Run(out var firstParameters, 1, k, out var first);
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, first, firstParameters);

            var resumedParameters = Weights(seed: 999);
            var resumed = Build(resumedParameters);
            stream.Position = 0;
            Checkpoint.Load(stream, resumed, resumedParameters);
            Trajectory.Run(resumed, resumedParameters, k + 1, Trajectory.Steps);

            StateSnapshot.Of(resumed, resumedParameters).Should().Equal(expected, $"resumed after {k} steps");
        }

        static List<string> Run(out Parameter<T>[] parameters, int from, int to, out Muon<T> optimizer)
        {
            parameters = Weights(seed: 7);
            optimizer = Build(parameters);
            Trajectory.Run(optimizer, parameters, from, to);
            return StateSnapshot.Of(optimizer, parameters).ToList();
        }

        static Muon<T> Build(Parameter<T>[] parameters) =>
            new(parameters, learningRate: 0.02, weightDecay: 0.05, momentum: 0.9) { NonFiniteGradients = NonFiniteGradientPolicy.Skip };
    }

    [Fact]
    public void Muon_groups_resume_from_a_checkpoint_bit_for_bit()
    {
        // Two Muon groups (different α, λ and adjustment) under one ParameterGroups: Trajectory's run, interrupted after 4 steps.
        var expectedParameters = Weights(seed: 11);
        var uninterrupted = Groups(expectedParameters);
        Trajectory.Run(uninterrupted, expectedParameters, 1, Trajectory.Steps);

        var firstParameters = Weights(seed: 11);
        var first = Groups(firstParameters);
        Trajectory.Run(first, firstParameters, 1, 4);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, first, firstParameters);

        var resumedParameters = Weights(seed: 12);
        var resumed = Groups(resumedParameters);
        stream.Position = 0;
        Checkpoint.Load(stream, resumed, resumedParameters);
        Trajectory.Run(resumed, resumedParameters, 5, Trajectory.Steps);

        for (int k = 0; k < resumedParameters.Length; k++)
        {
            resumedParameters[k].Value.ToArray().Should().Equal(expectedParameters[k].Value.ToArray(), resumedParameters[k].Name);
        }

        static ParameterGroups<T> Groups(Parameter<T>[] p) => new(
            new Muon<T>([p[0]], learningRate: 0.02, weightDecay: 0.05),
            new Muon<T>([p[1]], learningRate: 0.01, weightDecay: 0, adjustLearningRate: MuonLearningRate.MatchRmsAdamW))
        { NonFiniteGradients = NonFiniteGradientPolicy.Skip };
    }

    [Fact]
    public void A_checkpoint_restores_a_cycled_momentum_and_refuses_other_hyperparameters()
    {
        var parameters = Weights(seed: 3);
        var optimizer = new Muon<T>(parameters, learningRate: 0.02) { MomentumFactor = 0.9 };
        Trajectory.Run(optimizer, parameters, 1, 2);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters);

        var restored = new Muon<T>(Weights(seed: 4), learningRate: 0.02);
        stream.Position = 0;
        Checkpoint.Load(stream, restored, restored.Parameters);
        restored.MomentumFactor.Should().Be(0.9);

        var other = new Muon<T>(Weights(seed: 4), learningRate: 0.02, adjustLearningRate: MuonLearningRate.MatchRmsAdamW);
        stream.Position = 0;
        var load = () => Checkpoint.Load(stream, other, other.Parameters);
        load.Should().Throw<CheckpointException>().WithMessage("*adjust_lr_fn*");
    }

    [Fact]
    public void A_non_finite_gradient_changes_nothing_under_Throw_and_Skip()
    {
        foreach (var policy in new[] { NonFiniteGradientPolicy.Throw, NonFiniteGradientPolicy.Skip })
        {
            var parameters = Weights(seed: 5);
            var optimizer = new Muon<T>(parameters, learningRate: 0.02) { NonFiniteGradients = policy };
            Trajectory.Run(optimizer, parameters, 1, 2);
            var before = Numbers(optimizer, parameters);

            parameters[1].Gradient[3] = T.PositiveInfinity;
            var step = () => optimizer.Step();
            if (policy == NonFiniteGradientPolicy.Throw)
            {
                step.Should().Throw<NonFiniteGradientException>();
            }
            else
            {
                step();
                optimizer.SkippedStepCount.Should().Be(1);
            }

            Numbers(optimizer, parameters).Should().Equal(before, policy.ToString());
        }
    }

    [Fact]
    public void Parallelism_is_accepted_and_gives_the_same_numbers()
    {
        var serialParameters = Weights(seed: 8);
        var parallelParameters = Weights(seed: 8);
        var serial = new Muon<T>(serialParameters, learningRate: 0.02);
        var parallel = new Muon<T>(parallelParameters, learningRate: 0.02) { MaxDegreeOfParallelism = 4, MinimumPartLength = 1 };

        Trajectory.Run(serial, serialParameters, 1, 4);
        Trajectory.Run(parallel, parallelParameters, 1, 4);

        StateSnapshot.Of(parallel, parallelParameters).Should().Equal(StateSnapshot.Of(serial, serialParameters));
    }

    [Fact]
    public void A_step_allocates_nothing()
    {
        var parameters = new[]
        {
            Parameter<T>.Over("tall", RandomValues(1, 96 * 32), 96, 32),
            Parameter<T>.Over("wide", RandomValues(2, 24 * 80), 24, 80),
            Parameter<T>.Over("square", RandomValues(3, 16 * 16), 16, 16),
        };
        var optimizer = new Muon<T>(parameters, learningRate: 1e-3);
        foreach (var p in parameters)
        {
            RandomValues(4, p.Length).CopyTo(p.GradientArray, 0);
        }

        for (int i = 0; i < 5; i++)
        {
            optimizer.Step();
        }

        SteadyAllocation.Smallest(optimizer.Step, calls: 50).Should().Be(0);
    }

    /// <summary>Every value and state element (not the gradients, nor the header line with the counters).</summary>
    private static List<string> Numbers(Optimizer<T> optimizer, Parameter<T>[] parameters) => StateSnapshot.Of(optimizer, parameters)
        .Where(l => !l.Contains(".gradient", StringComparison.Ordinal) && !l.Contains("skipped=", StringComparison.Ordinal)).ToList();

    /// <summary>A tall 3 × 2 ("w") and a wide 2 × 5 ("b", holding Trajectory's NaN at step 5) weight.</summary>
    private static Parameter<T>[] Weights(int seed) =>
        [Parameter<T>.Over("w", RandomValues(seed, 6), 3, 2), Parameter<T>.Over("b", RandomValues(seed + 1, 10), 2, 5)];

    private static T[] RandomValues(int seed, int length)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => Element<T>.From(random.NextDouble() * 2 - 1)).ToArray();
    }
}

public sealed class MuonTests_Double : MuonTests<double>
{
    [Fact]
    public void The_README_recipe_Muon_on_the_weights_and_AdamW_on_the_biases_trains_the_quick_start_network()
    {
        // The README's two rings and network, trained as its Muon fragment does.
        var random = new Random(0);
        var inputs = Matrix<double>.Build.Dense(200, 2);
        var labels = new int[200];
        for (int i = 0; i < 200; i++)
        {
            labels[i] = i % 2;
            double radius = 1 + labels[i] + 0.4 * (random.NextDouble() - 0.5);
            double angle = 2 * Math.PI * random.NextDouble();
            inputs[i, 0] = radius * Math.Cos(angle);
            inputs[i, 1] = radius * Math.Sin(angle);
        }

        var network = Optimizers.Networks.Network.Mlp([2, 16, 2], Optimizers.Networks.Activation.Tanh, seed: 1);
        var weights = network.Parameters.Where(p => p.Rank == 2).ToList();
        var biases = network.Parameters.Where(p => p.Rank == 1).ToList();
        weights.Select(p => (p.Rows, p.Columns)).Should().Equal((16, 2), (2, 16));
        var optimizer = new ParameterGroups(
            new Muon(weights, learningRate: 0.02),
            new AdamW(biases, learningRate: 0.01));
        double first = network.Loss(inputs, labels);
        for (int epoch = 1; epoch <= 300; epoch++)
        {
            optimizer.ZeroGrad();
            network.Backward(inputs, labels);
            optimizer.Step();
        }

        network.Loss(inputs, labels).Should().BeLessThan(0.1 * first);
        network.Accuracy(inputs, labels).Should().BeGreaterThan(0.95);
    }

    [Fact]
    public void The_short_name_is_the_double_rule()
    {
        var muon = new Muon([new Parameter("w", Matrix<double>.Build.Dense(2, 3))], learningRate: 0.01);
        muon.Should().BeAssignableTo<Muon<double>>();
        muon.RuleName.Should().Be("Muon");
    }
}

public sealed class MuonTests_Single : MuonTests<float>;
