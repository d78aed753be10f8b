using System.Numerics;
using Optimizers.Checkpoints;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Wrappers;

/// <summary>
/// Save a wrapped optimizer mid-cycle, load it into a fresh one, continue: bit for bit the uninterrupted run, for
/// wrappers over rules, over parameter groups and over each other, in both element types.
/// </summary>
public sealed class WrapperCheckpointTests
{
    private const int Calls = 14;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in Builders<double>().Keys)
        {
            data.Add(name, "float64");
            data.Add(name, "float32");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resuming_a_wrapper_is_bit_identical_to_an_uninterrupted_run(string name, string elementType)
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

    [Fact]
    public void A_wrapper_checkpoint_does_not_load_into_another_shape()
    {
        var saved = new Lookahead(new Adam(RandomParameters.Create<double>(1, 3)), k: 3);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, saved);

        void Load(IOptimizer target)
        {
            stream.Position = 0;
            Checkpoint.Load(stream, target);
        }

        ((Action)(() => Load(new Adam(RandomParameters.Create<double>(1, 3))))).Should().Throw<CheckpointException>()
            .Where(e => e.Error == CheckpointError.Mismatch).WithMessage("*Lookahead*not wrapped*");
        ((Action)(() => Load(new Lookahead(new Adam(RandomParameters.Create<double>(1, 3)), k: 4)))).Should().Throw<CheckpointException>()
            .Where(e => e.Error == CheckpointError.Mismatch).WithMessage("*'k'*");
        ((Action)(() => Load(new GradientAccumulation(new Adam(RandomParameters.Create<double>(1, 3)), 3)))).Should().Throw<CheckpointException>()
            .Where(e => e.Error == CheckpointError.Mismatch);
        ((Action)(() => Load(new Lookahead(new Momentum(RandomParameters.Create<double>(1, 3), 0.1), k: 3)))).Should().Throw<CheckpointException>()
            .Where(e => e.Error == CheckpointError.Mismatch).WithMessage("*Adam*");

        var plain = new Adam(RandomParameters.Create<double>(1, 3));
        using var plainStream = new MemoryStream();
        Checkpoint.Save(plainStream, plain);
        plainStream.Position = 0;
        var target = new Lookahead(new Adam(RandomParameters.Create<double>(1, 3)), k: 3);
        ((Action)(() => Checkpoint.Load(plainStream, target))).Should().Throw<CheckpointException>()
            .Where(e => e.Error == CheckpointError.Mismatch).WithMessage("*without a wrapper*Lookahead*");
    }

    [Fact]
    public void A_wrapped_optimizer_is_loaded_through_its_wrapper_only()
    {
        var adam = new Adam(RandomParameters.Create<double>(1, 3));
        var accumulation = new GradientAccumulation(adam, 2);
        var lookahead = new Lookahead(accumulation);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, lookahead);
        foreach (IOptimizer inner in new IOptimizer[] { adam, accumulation })
        {
            stream.Position = 0;
            ((Action)(() => Checkpoint.Load(stream, inner))).Should().Throw<ArgumentException>().WithParameterName("optimizer").WithMessage("*wrapped by*");
        }

        stream.Position = 0;
        Checkpoint.Load(stream, lookahead);
    }

    private static Dictionary<string, Func<Parameter<T>[], OptimizerWrapper<T>>> Builders<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => new()
        {
            ["Lookahead(Adam)"] = p => new Lookahead<T>(new Adam<T>(p, 0.01), k: 3, alpha: 0.5),
            ["GradientAccumulation(Momentum)"] = p => new GradientAccumulation<T>(new Momentum<T>(p, 0.01, momentum: 0.9, nesterov: true), every: 3),
            ["Lookahead(GradientAccumulation(ParameterGroups(AdamW)))"] = p => new Lookahead<T>(
                new GradientAccumulation<T>(new ParameterGroups<T>(new AdamW<T>([p[0]], 0.01), new AdamW<T>(p[1..], 0.02, weightDecay: 0.1)), every: 2),
                k: 2, alpha: 0.3),
            ["GradientAccumulation(Lookahead(NAdam))"] = p => new GradientAccumulation<T>(new Lookahead<T>(new NAdam<T>(p, 0.01), k: 2, alpha: 0.8), every: 2),
        };

    private static void Resume<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var build = Builders<T>()[name];
        var parameters = RandomParameters.Create<T>(5, 4, 9, 2);
        var uninterrupted = Prepare(build(parameters));
        Run(uninterrupted, parameters, 0, Calls);

        foreach (int k in new[] { 1, 3, 5, 8, 11 })
        {
            var firstParameters = RandomParameters.Create<T>(5, 4, 9, 2);
            var first = Prepare(build(firstParameters));
            Run(first, firstParameters, 0, k);
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, first, firstParameters);

            var resumedParameters = RandomParameters.Create<T>(99, 4, 9, 2);
            var resumed = Prepare(build(resumedParameters));
            stream.Position = 0;
            Checkpoint.Load(stream, resumed, resumedParameters);
            resumed.StepCount.Should().Be(first.StepCount);
            resumed.SkippedStepCount.Should().Be(first.SkippedStepCount);
            Run(resumed, resumedParameters, k, Calls);

            for (int i = 0; i < parameters.Length; i++)
            {
                Bits.Of<T>(resumedParameters[i].Value.AsArray()).Should().Equal(Bits.Of<T>(parameters[i].Value.AsArray()), $"{name}, resumed after {k} calls, parameter {i}");
            }

            resumed.StepCount.Should().Be(uninterrupted.StepCount);
            resumed.SkippedStepCount.Should().Be(uninterrupted.SkippedStepCount);
        }

        uninterrupted.SkippedStepCount.Should().Be(1, "call 6 had a NaN gradient and was skipped");
    }

    private static OptimizerWrapper<T> Prepare<T>(OptimizerWrapper<T> wrapper)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        wrapper.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
        return wrapper;
    }

    /// <summary>Calls [from, to): each writes the gradients drawn from its own seed (call 6: a NaN) and steps.</summary>
    private static void Run<T>(OptimizerWrapper<T> wrapper, Parameter<T>[] parameters, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int call = from; call < to; call++)
        {
            var random = new Random(1000 + call);
            foreach (var p in parameters)
            {
                RandomParameters.FillGradient(p, random);
            }

            if (call == 6)
            {
                parameters[1].Gradient[2] = T.NaN;
            }

            wrapper.TryStep();
        }
    }
}
