using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// Checkpoints of state not shaped like its parameter (format version 3): Adafactor over rank-2 weights (row and
/// column statistics) and a bias resumes bit for bit in both element types and across them; a weight's state loads
/// only into a parameter of the same shape.
/// </summary>
public sealed class AdafactorCheckpointTests
{
    private const int Steps = 8;

    /// <summary>A tall 4 × 3 weight, a wide 2 × 5 one and a bias of 3, seeded.</summary>
    private static Parameter<T>[] Model<T>(int seed, int tallRows = 4, int tallColumns = 3)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        T Next(int i, int j) => T.CreateTruncating(random.NextDouble() * 2 - 1);
        return
        [
            new Parameter<T>("tall", Matrix<T>.Build.Dense(tallRows, tallColumns, Next)),
            new Parameter<T>("wide", Matrix<T>.Build.Dense(2, 5, Next)),
            new Parameter<T>("bias", Enumerable.Range(0, 3).Select(_ => T.CreateTruncating(random.NextDouble())).ToArray()),
        ];
    }

    private static Adafactor<T> Create<T>(IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(parameters, 0.05, beta2Decay: -0.6, weightDecay: 0.01, d: 1.5);

    private static void Run<T>(Adafactor<T> optimizer, Parameter<T>[] parameters, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = from; t <= to; t++)
        {
            foreach (var p in parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Gradient[i] = T.CreateTruncating(Math.Sin(3 * t + i) * Math.Pow(10, t % 3 - 1) + 0.1 * double.CreateTruncating(p.Value[i]));
                }
            }

            optimizer.LearningRate = t < 5 ? 0.05 : 0.02;
            optimizer.Step();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void Resuming_with_rank_2_parameters_is_bit_identical_in_float64(int k) => Resume<double>(k);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void Resuming_with_rank_2_parameters_is_bit_identical_in_float32(int k) => Resume<float>(k);

    private static void Resume<T>(int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expectedParameters = Model<T>(seed: 5);
        var uninterrupted = Create(expectedParameters);
        Run(uninterrupted, expectedParameters, 1, Steps);

        var firstParameters = Model<T>(seed: 5);
        var first = Create(firstParameters);
        Run(first, firstParameters, 1, k);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, first, firstParameters);

        var resumedParameters = Model<T>(seed: 99);
        var resumed = Create(resumedParameters);
        stream.Position = 0;
        Checkpoint.Load(stream, resumed, resumedParameters);
        resumed.GetState("row_var", 0).ToArray().Should().Equal(first.GetState("row_var", 0).ToArray());
        resumed.GetState("col_var", 1).ToArray().Should().Equal(first.GetState("col_var", 1).ToArray());
        resumed.GetState("variance", 2).ToArray().Should().Equal(first.GetState("variance", 2).ToArray());
        Run(resumed, resumedParameters, k + 1, Steps);

        StateSnapshot.Of(resumed, resumedParameters).Should().Equal(StateSnapshot.Of(uninterrupted, expectedParameters));
    }

    [Fact]
    public void A_float64_checkpoint_loads_into_float32_with_the_statistics_rounded()
    {
        var parameters = Model<double>(seed: 5);
        var optimizer = Create(parameters);
        Run(optimizer, parameters, 1, 3);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters);

        var single = Model<float>(seed: 99);
        var target = Create(single);
        stream.Position = 0;
        Checkpoint.Load(stream, ElementConversion.RoundToNearest, target, single);

        target.GetState("row_var", 0).ToArray().Should().Equal(optimizer.GetState("row_var", 0).ToArray().Select(x => (float)x));
        target.GetState("col_var", 1).ToArray().Should().Equal(optimizer.GetState("col_var", 1).ToArray().Select(x => (float)x));
        target.StepCount.Should().Be(3);
    }

    [Theory]
    [InlineData(3, 4, "shape [4, 3] in the checkpoint but [3, 4] here")]
    [InlineData(6, 2, "shape [4, 3] in the checkpoint but [6, 2] here")]
    public void A_weight_s_state_does_not_load_into_another_shape_of_the_same_length(int rows, int columns, string message)
    {
        var parameters = Model<double>(seed: 5);
        var optimizer = Create(parameters);
        Run(optimizer, parameters, 1, 2);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters);

        var other = Model<double>(seed: 99, rows, columns);
        var target = Create(other);
        var before = StateSnapshot.Of(target, other);
        stream.Position = 0;
        var load = () => Checkpoint.Load(stream, target, other);

        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch).WithMessage($"*{message}*");
        StateSnapshot.Of(target, other).Should().Equal(before);
    }

    [Fact]
    public void An_elementwise_rule_s_state_does_not_load_into_a_weight_of_the_same_length_but_another_rank()
    {
        var vector = new[] { new Parameter("w", new double[12]) };
        var adam = new Adam(vector, 0.01);
        vector[0].Gradient[3] = 1;
        adam.Step();
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, adam);

        var matrix = new[] { new Parameter("w", Matrix<double>.Build.Dense(3, 4)) };
        var target = new Adam(matrix, 0.01);
        stream.Position = 0;
        var load = () => Checkpoint.Load(stream, target);

        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch).WithMessage("*shape [12]*[3, 4]*");
        target.StepCount.Should().Be(0);
    }
}
