using System.Numerics;
using Optimizers.Checkpoints;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// Save after k steps, load into a fresh optimizer over fresh parameters, continue: the trajectory is bit-identical
/// to a run that never stopped, for every optimizer configuration of <see cref="AllOptimizers"/> (plain, rich and
/// grouped), in both element types (float32 through <see cref="ElementTypeMirror"/>).
/// </summary>
public sealed class CheckpointResumeTests
{
    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Resuming_from_a_checkpoint_is_bit_identical_to_an_uninterrupted_run(string name, string elementType)
    {
        if (elementType == "float32")
        {
            Resume<float>(name);
        }
        else
        {
            Resume<double>(name);
        }
    }

    private static void Resume<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var uninterruptedParameters = Trajectory.Parameters<T>(seed: 7);
        var uninterrupted = ElementTypeMirror.CreateAny(name, uninterruptedParameters);
        Trajectory.SkipNonFiniteSteps(uninterrupted);
        Trajectory.Run(uninterrupted, uninterruptedParameters, 1, Trajectory.Steps);
        var expected = StateSnapshot.Of(uninterrupted, uninterruptedParameters);

        // k = 4: after the first learning-rate change; k = 6: after the skipped step; k = 9: one step left.
        foreach (int k in new[] { 1, 4, 6, 9 })
        {
            var firstParameters = Trajectory.Parameters<T>(seed: 7);
            var first = ElementTypeMirror.CreateAny(name, firstParameters);
            Trajectory.SkipNonFiniteSteps(first);
            Trajectory.Run(first, firstParameters, 1, k);
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, first, firstParameters);

            var resumedParameters = Trajectory.FreshParameters<T>();
            var resumed = ElementTypeMirror.CreateAny(name, resumedParameters);
            Trajectory.SkipNonFiniteSteps(resumed);
            stream.Position = 0;
            Checkpoint.Load(stream, resumed, resumedParameters);
            StateSnapshot.Of(resumed, resumedParameters).Where(l => !l.Contains(".gradient", StringComparison.Ordinal))
                .Should().Equal(StateSnapshot.Of(first, firstParameters).Where(l => !l.Contains(".gradient", StringComparison.Ordinal)),
                                $"loading the checkpoint taken after {k} steps restores every number");

            Trajectory.Run(resumed, resumedParameters, k + 1, Trajectory.Steps);

            StateSnapshot.Of(resumed, resumedParameters).Should().Equal(expected, $"{name} in {typeof(T).Name} resumed after {k} steps");
        }

        Trajectory.SkippedSteps(uninterrupted).Should().Be(1, "step 5 had a NaN gradient and was skipped");
    }

    [Fact]
    public void Saving_changes_nothing_and_is_deterministic()
    {
        var parameters = Trajectory.Parameters(seed: 3);
        var optimizer = new Adam(parameters, 0.01);
        Trajectory.Run(optimizer, parameters, 1, 3);
        var before = StateSnapshot.Of(optimizer, parameters);

        using var first = new MemoryStream();
        using var second = new MemoryStream();
        Checkpoint.Save(first, optimizer, parameters);
        Checkpoint.Save(second, optimizer, parameters);

        StateSnapshot.Of(optimizer, parameters).Should().Equal(before);
        first.ToArray().Should().Equal(second.ToArray());
    }

    [Fact]
    public void A_checkpoint_can_hold_only_the_optimizer_or_only_the_parameters()
    {
        var parameters = Trajectory.Parameters(seed: 3);
        var optimizer = new Momentum(parameters, 0.1);
        Trajectory.Run(optimizer, parameters, 1, 3);

        using var optimizerOnly = new MemoryStream();
        Checkpoint.Save(optimizerOnly, optimizer);
        using var parametersOnly = new MemoryStream();
        Checkpoint.Save(parametersOnly, parameters: parameters);

        var freshParameters = Trajectory.FreshParameters();
        var freshValues = StateSnapshot.Values(freshParameters);
        var fresh = new Momentum(freshParameters, 0.1);
        optimizerOnly.Position = 0;
        Checkpoint.Load(optimizerOnly, fresh);
        fresh.StepCount.Should().Be(3);
        fresh.MomentumBuffer(0).ToArray().Should().Equal(optimizer.MomentumBuffer(0).ToArray());
        StateSnapshot.Values(freshParameters).Should().Equal(freshValues, "only the optimizer was asked for");

        parametersOnly.Position = 0;
        Checkpoint.Load(parametersOnly, parameters: freshParameters);
        StateSnapshot.Values(freshParameters).Should().Equal(StateSnapshot.Values(parameters));
    }

    [Fact]
    public void Loading_reads_exactly_one_checkpoint_so_several_can_follow_each_other_in_a_stream()
    {
        var parameters = Trajectory.Parameters(seed: 3);
        var optimizer = new Momentum(parameters, 0.1);
        using var stream = new MemoryStream();
        Trajectory.Run(optimizer, parameters, 1, 2);
        Checkpoint.Save(stream, optimizer);
        Trajectory.Run(optimizer, parameters, 3, 4);
        Checkpoint.Save(stream, optimizer);

        var fresh = new Momentum(Trajectory.FreshParameters(), 0.1);
        stream.Position = 0;
        Checkpoint.Load(stream, fresh);
        fresh.StepCount.Should().Be(2);
        Checkpoint.Load(stream, fresh);
        fresh.StepCount.Should().Be(4);
        stream.Position.Should().Be(stream.Length);
    }

    [Fact]
    public void Every_value_keeps_its_exact_bits_including_negative_zero_and_NaN_payloads()
    {
        double[] special = [-0.0, double.Epsilon, double.MaxValue, BitConverter.Int64BitsToDouble(0x7FF8_0000_DEAD_BEEF), double.NegativeInfinity];
        var parameters = new[] { new Parameter("p", special.ToArray()) };
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, parameters: parameters);

        var target = new[] { new Parameter("p", new double[special.Length]) };
        stream.Position = 0;
        Checkpoint.Load(stream, parameters: target);

        target[0].Value.Select(BitConverter.DoubleToInt64Bits).Should().Equal(special.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Every_float32_value_keeps_its_exact_bits_including_negative_zero_and_NaN_payloads()
    {
        float[] special = [-0f, float.Epsilon, float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC0_BEEF), float.NegativeInfinity, 0.1f];
        var parameters = new[] { new Parameter<float>("p", special.ToArray()) };
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, null, parameters);

        var target = new[] { new Parameter<float>("p", new float[special.Length]) };
        stream.Position = 0;
        Checkpoint.Load(stream, null, target);

        target[0].Value.Select(BitConverter.SingleToInt32Bits).Should().Equal(special.Select(BitConverter.SingleToInt32Bits));
        stream.Length.Should().Be(20 + 4 + (4 + "parameters".Length + 8) + 1 + 4 + (4 + 1 + 4) + 4 * special.Length + 32,
                                  "float32 values take four bytes each");
    }

    /// <summary>Every checkpointable configuration in float64 and in float32.</summary>
    public static TheoryData<string, string> Optimizers()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in ((IEnumerable<object[]>)AllOptimizers.CheckpointableNames()).Select(row => (string)row[0]))
        {
            data.Add(name, "float64");
            data.Add(name, "float32");
        }

        return data;
    }
}
