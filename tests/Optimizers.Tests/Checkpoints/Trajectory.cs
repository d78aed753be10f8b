namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// A deterministic training run on two parameters of different lengths: gradients depend on the current values
/// and on the step number, the learning rate changes twice, and (under the Skip policy) one step has a NaN
/// gradient and is skipped. Used to compare an interrupted run with an uninterrupted one.
/// </summary>
internal static class Trajectory
{
    public const int Steps = 10;

    /// <summary>Parameters "w" (length 13: covers a SIMD remainder) and "b" (length 3).</summary>
    public static Parameter[] Parameters(int seed)
    {
        var random = new Random(seed);
        return
        [
            new Parameter("w", Enumerable.Range(0, 13).Select(_ => random.NextDouble() * 2 - 1).ToArray()),
            new Parameter("b", Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 2 - 1).ToArray()),
        ];
    }

    /// <summary>Parameters of the same names and lengths holding other values (a fresh model before loading).</summary>
    public static Parameter[] FreshParameters() => Parameters(seed: 999);

    /// <summary>Runs steps <paramref name="from"/> … <paramref name="to"/> (1-based, inclusive).</summary>
    public static void Run(IOptimizer optimizer, Parameter[] parameters, int from, int to)
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
    public static void SetGradients(Parameter[] parameters, int step)
    {
        var random = new Random(1000 + step);
        foreach (var parameter in parameters)
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                parameter.Gradient[i] = (1 + i / 4.0) * parameter.Value[i] + (random.NextDouble() - 0.5) * Math.Pow(10, step % 3 - 1);
            }
        }

        if (step == 5)
        {
            parameters[^1].Gradient[1] = double.NaN;
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
        optimizer is ParameterGroups groups ? groups.SkippedStepCount : ((Optimizer<double>)optimizer).SkippedStepCount;

    public static void SkipNonFiniteSteps(IOptimizer optimizer)
    {
        switch (optimizer)
        {
            case ParameterGroups groups:
                groups.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
                break;
            case Optimizer<double> single:
                single.NonFiniteGradients = NonFiniteGradientPolicy.Skip;
                break;
        }
    }
}
