using System.Numerics;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// A deterministic training run on two parameters of different lengths: gradients depend on the current values
/// and on the step number, the learning rate changes twice, and (under the Skip policy) one step has a NaN
/// gradient and is skipped. Used to compare an interrupted run with an uninterrupted one, in either element type
/// (values and gradients are formed in double and rounded to the element type).
/// </summary>
internal static class Trajectory
{
    public const int Steps = 10;

    /// <summary>Parameters "w" (length 13: covers a SIMD remainder) and "b" (length 3).</summary>
    public static Parameter[] Parameters(int seed) => Parameters<double>(seed).Select(p => (Parameter)p).ToArray();

    /// <summary>Parameters "w" (13) and "b" (3) of element type <typeparamref name="T"/> (a <see cref="Parameter"/> for double).</summary>
    public static Parameter<T>[] Parameters<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        return
        [
            Parameter<T>.Over("w", Enumerable.Range(0, 13).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray()),
            Parameter<T>.Over("b", Enumerable.Range(0, 3).Select(_ => T.CreateTruncating(random.NextDouble() * 2 - 1)).ToArray()),
        ];
    }

    /// <summary>Parameters of the same names and lengths holding other values (a fresh model before loading).</summary>
    public static Parameter[] FreshParameters() => Parameters(seed: 999);

    /// <summary>As <see cref="FreshParameters()"/>, of element type <typeparamref name="T"/>.</summary>
    public static Parameter<T>[] FreshParameters<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => Parameters<T>(seed: 999);

    /// <summary>Runs steps <paramref name="from"/> … <paramref name="to"/> (1-based, inclusive).</summary>
    public static void Run<T>(IOptimizer optimizer, Parameter<T>[] parameters, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int step = from; step <= to; step++)
        {
            if (step == 3 || step == 7)
            {
                ScaleLearningRates(optimizer, step == 3 ? 0.5 : 3.0);
            }

            optimizer.ZeroGrad();
            SetGradients(parameters, step);
            optimizer.Step();
        }
    }

    /// <summary>g = (1 + i/4)·θ + noise(step), with a NaN at step 5 (skipped under the Skip policy).</summary>
    public static void SetGradients<T>(Parameter<T>[] parameters, int step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(1000 + step);
        foreach (var parameter in parameters)
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                double value = double.CreateTruncating(parameter.Value[i]);
                parameter.Gradient[i] = T.CreateTruncating((1 + i / 4.0) * value + (random.NextDouble() - 0.5) * Math.Pow(10, step % 3 - 1));
            }
        }

        if (step == 5)
        {
            parameters[^1].Gradient[1] = T.NaN;
        }
    }

    /// <summary>Multiplies each group's learning rate, as a schedule acting per group would.</summary>
    public static void ScaleLearningRates(IOptimizer optimizer, double factor)
    {
        var targets = optimizer is IGroupedOptimizer grouped ? grouped.Groups : [optimizer];
        foreach (var target in targets)
        {
            target.LearningRate *= factor;
        }
    }

    public static long SkippedSteps(IOptimizer optimizer) =>
        (optimizer is IGroupedOptimizer grouped ? (Optimizer)grouped.Groups[0] : (Optimizer)optimizer).SkippedStepCount;

    public static void SkipNonFiniteSteps(IOptimizer optimizer)
    {
        switch (optimizer)
        {
            case ParameterGroups<double> groups:
                groups.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
                break;
            case ParameterGroups<float> groups:
                groups.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
                break;
            case Optimizer single:
                single.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
                break;
        }
    }
}
