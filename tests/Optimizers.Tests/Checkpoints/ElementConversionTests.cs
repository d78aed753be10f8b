using Optimizers.Checkpoints;
using Optimizers.Schedules;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// A checkpoint of one element type loads into an optimizer or parameters of the other only through
/// <see cref="ElementConversion.RoundToNearest"/>: otherwise it is a <see cref="CheckpointError.Mismatch"/> naming both
/// types, and nothing changes. The conversion widens float32 exactly and rounds float64 to the nearest float32.
/// </summary>
public sealed class ElementConversionTests
{
    /// <summary>NAdam (vector states and the scalar mu_product) over float32 "w" (13) and "b" (3), after four steps of
    /// which one is skipped, with a LinearLR so that the shared initial learning rate is set.</summary>
    private static (NAdam<float> Optimizer, Parameter<float>[] Parameters, byte[] Checkpoint) Float32Run()
    {
        var parameters = Trajectory.Parameters<float>(seed: 3);
        var nadam = new NAdam<float>(parameters, 0.01, momentumDecay: 0.01) { NonFiniteGradients = NonFiniteGradientPolicy.Skip };
        _ = new LinearLR(nadam, startFactor: 0.5);
        Trajectory.Run(nadam, parameters, 1, 5);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, nadam, parameters);
        return (nadam, parameters, stream.ToArray());
    }

    private static (NAdam Optimizer, Parameter[] Parameters, byte[] Checkpoint) Float64Run()
    {
        var parameters = Trajectory.Parameters(seed: 3);
        var nadam = new NAdam(parameters, 0.01, momentumDecay: 0.01) { NonFiniteGradients = NonFiniteGradientPolicy.Skip };
        _ = new LinearLR(nadam, startFactor: 0.5);
        Trajectory.Run(nadam, parameters, 1, 5);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, nadam, parameters);
        return (nadam, parameters, stream.ToArray());
    }

    [Fact]
    public void Float32_state_into_a_float64_optimizer_is_a_Mismatch_naming_both_types_and_changes_nothing()
    {
        var (_, _, bytes) = Float32Run();
        var parameters = Trajectory.FreshParameters();
        var optimizer = new NAdam(parameters, 0.01, momentumDecay: 0.01);
        var before = StateSnapshot.Of(optimizer, parameters);

        Expect(() => Checkpoint.Load(new MemoryStream(bytes), optimizer), "*float32 state of NAdam; this optimizer is NAdam over float64 parameters*");
        Expect(() => Checkpoint.Load(new MemoryStream(bytes), parameters: parameters), "*float32 parameter values; these parameters are float64*");
        Expect(() => Checkpoint.Load(new MemoryStream(bytes), optimizer, parameters), "*float32*float64*");
        StateSnapshot.Of(optimizer, parameters).Should().Equal(before);
    }

    [Fact]
    public void Float64_state_into_a_float32_optimizer_is_a_Mismatch_naming_both_types_and_changes_nothing()
    {
        var (_, _, bytes) = Float64Run();
        var parameters = Trajectory.FreshParameters<float>();
        var optimizer = new NAdam<float>(parameters, 0.01, momentumDecay: 0.01);
        var before = StateSnapshot.Of(optimizer, parameters);

        Expect(() => Checkpoint.Load(new MemoryStream(bytes), optimizer, parameters), "*float64 state of NAdam; this optimizer is NAdam over float32 parameters*");
        Expect(() => Checkpoint.Load(new MemoryStream(bytes), null, parameters), "*float64 parameter values; these parameters are float32*");
        StateSnapshot.Of(optimizer, parameters).Should().Equal(before);
    }

    [Fact]
    public void Conversion_widens_float32_exactly_and_a_second_conversion_gives_back_the_same_float32_bits()
    {
        var (source, sourceParameters, bytes) = Float32Run();

        var wide = Trajectory.FreshParameters();
        var wideOptimizer = new NAdam(wide, 0.01, momentumDecay: 0.01);
        Checkpoint.Load(new MemoryStream(bytes), ElementConversion.RoundToNearest, wideOptimizer, wide);

        wideOptimizer.StepCount.Should().Be(source.StepCount);
        wideOptimizer.SkippedStepCount.Should().Be(1);
        wideOptimizer.LearningRate.Should().Be(source.LearningRate, "learning rates are doubles in both");
        wideOptimizer.InitialLearningRate.Should().Be(0.01);
        for (int p = 0; p < 2; p++)
        {
            wide[p].Value.Should().Equal(sourceParameters[p].Value.Select(x => (double)x));
            foreach (string state in new[] { "exp_avg", "exp_avg_sq" })
            {
                wideOptimizer.GetState(state, p).ToArray().Should().Equal(source.GetState(state, p).ToArray().Select(x => (double)x), state);
            }

            wideOptimizer.GetScalarState("mu_product", p).Should().Be(source.GetScalarState("mu_product", p));
        }

        using var back = new MemoryStream();
        Checkpoint.Save(back, wideOptimizer, wide);
        var narrow = Trajectory.FreshParameters<float>();
        var narrowOptimizer = new NAdam<float>(narrow, 0.01, momentumDecay: 0.01);
        back.Position = 0;
        Checkpoint.Load(back, ElementConversion.RoundToNearest, narrowOptimizer, narrow);
        StateSnapshot.Of(narrowOptimizer, narrow).Where(l => !l.Contains(".gradient", StringComparison.Ordinal))
            .Should().Equal(StateSnapshot.Of(source, sourceParameters).Where(l => !l.Contains(".gradient", StringComparison.Ordinal)));
    }

    [Fact]
    public void Conversion_to_float32_rounds_to_nearest_with_ties_to_even()
    {
        double[] values =
        [
            0.1,                              // → 0.100000001490116…, the nearest float32
            1 + Math.Pow(2, -24),             // halfway between 1 and 1 + 2⁻²³: ties to the even 1
            1 + 3 * Math.Pow(2, -24),         // halfway between 1 + 2⁻²³ and 1 + 2⁻²²: ties to the even 1 + 2⁻²²
            -0.0, double.PositiveInfinity, double.NaN,
            1e-50,                            // below float32's smallest subnormal: rounds to 0
            (double)float.MaxValue + Math.Pow(2, 102),   // a quarter ulp above the largest float32: rounds to it
        ];
        var source = new[] { new Parameter("p", values.ToArray()) };
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, parameters: source);

        var target = new[] { new Parameter<float>("p", new float[values.Length]) };
        stream.Position = 0;
        Checkpoint.Load(stream, ElementConversion.RoundToNearest, null, target);

        target[0].Value.Select(BitConverter.SingleToInt32Bits).Should().Equal(
            new[] { 0.1f, 1f, 1 + MathF.Pow(2, -22), -0f, float.PositiveInfinity, float.NaN, 0f, float.MaxValue }.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_finite_float64_beyond_float32s_range_is_not_converted_to_infinity_and_nothing_changes()
    {
        var (source, sourceParameters, _) = Float64Run();
        // Half an ulp (2¹⁰³) above the largest float32 already rounds to ∞ (a tie, to the even 2¹²⁸).
        sourceParameters[0].Value[4] = -((double)float.MaxValue + Math.Pow(2, 103));
        using (var stream = new MemoryStream())
        {
            Checkpoint.Save(stream, parameters: sourceParameters);
            var target = Trajectory.FreshParameters<float>();
            var before = StateSnapshot.Values(target);
            Expect(() => Checkpoint.Load(new MemoryStream(stream.ToArray()), ElementConversion.RoundToNearest, null, target),
                   "Element 4 of the values of parameter 'w' is -3.4028235677973366E+38 in the float64 checkpoint, beyond the range of float32*");
            StateSnapshot.Values(target).Should().Equal(before);
        }

        // The same in the optimizer's state: a second moment of 10⁷⁷ (a gradient of 10⁴⁰ squared) has no float32.
        var parameters = new[] { new Parameter("w", [1.0, 2.0]) };
        var adam = new Adam(parameters, 0.01);
        parameters[0].Gradient[1] = 1e40;
        adam.Step();
        using var big = new MemoryStream();
        Checkpoint.Save(big, adam);
        var narrowParameters = new[] { new Parameter<float>("w", [5f, 6f]) };
        var narrow = new Adam<float>(narrowParameters, 0.01);
        var snapshot = StateSnapshot.Of(narrow, narrowParameters);
        Expect(() => Checkpoint.Load(new MemoryStream(big.ToArray()), ElementConversion.RoundToNearest, narrow, narrowParameters),
               "Element 1 of state 'exp_avg*' of parameter 'w' is *beyond the range of float32*");
        StateSnapshot.Of(narrow, narrowParameters).Should().Equal(snapshot);
    }

    [Fact]
    public void Conversion_of_a_checkpoint_of_the_same_element_type_changes_nothing_in_the_result()
    {
        var (_, _, bytes) = Float32Run();
        var plain = Trajectory.FreshParameters<float>();
        var plainOptimizer = new NAdam<float>(plain, 0.01, momentumDecay: 0.01);
        Checkpoint.Load(new MemoryStream(bytes), plainOptimizer, plain);
        var converted = Trajectory.FreshParameters<float>();
        var convertedOptimizer = new NAdam<float>(converted, 0.01, momentumDecay: 0.01);
        Checkpoint.Load(new MemoryStream(bytes), ElementConversion.RoundToNearest, convertedOptimizer, converted);
        StateSnapshot.Of(convertedOptimizer, converted).Should().Equal(StateSnapshot.Of(plainOptimizer, plain));
    }

    [Fact]
    public void The_file_overloads_convert_too()
    {
        var (source, sourceParameters, bytes) = Float32Run();
        string path = Path.Combine(Directory.CreateTempSubdirectory("optimizers-conversion-").FullName, "run.ckpt");
        try
        {
            File.WriteAllBytes(path, bytes);
            var wide = Trajectory.FreshParameters();
            var optimizer = new NAdam(wide, 0.01, momentumDecay: 0.01);
            FluentActions.Invoking(() => Checkpoint.LoadFromFile(path, optimizer, wide))
                .Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch);
            Checkpoint.LoadFromFile(path, ElementConversion.RoundToNearest, optimizer, wide);
            optimizer.StepCount.Should().Be(source.StepCount);

            var narrow = Trajectory.FreshParameters<float>();
            Checkpoint.LoadFromFile(path, ElementConversion.RoundToNearest, null, narrow);
            StateSnapshot.Values(narrow).Should().Equal(StateSnapshot.Values(sourceParameters));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void An_undefined_conversion_is_an_ArgumentOutOfRangeException_before_anything_is_read()
    {
        var (_, _, bytes) = Float32Run();
        var parameters = Trajectory.FreshParameters<float>();
        var stream = new MemoryStream(bytes);
        FluentActions.Invoking(() => Checkpoint.Load(stream, (ElementConversion)7, null, parameters))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("conversion");
        FluentActions.Invoking(() => Checkpoint.LoadFromFile("unused.ckpt", (ElementConversion)(-1), null, parameters))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("conversion");
        stream.Position.Should().Be(0);
    }

    private static void Expect(Action load, string message)
        => load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch).WithMessage(message + " Nothing was changed.");
}
