namespace Optimizers.Tests.TestSupport;

/// <summary>Parameters and gradients drawn from a seeded generator, for the allocation and parallelism tests.</summary>
internal static class RandomParameters
{
    /// <summary>Parameters "p0", "p1", … of the given lengths with values and gradients in [−1, 1) drawn from <paramref name="seed"/>.</summary>
    public static Parameter[] Create(int seed, params int[] lengths)
    {
        var random = new Random(seed);
        var parameters = new Parameter[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            var values = new double[lengths[i]];
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = random.NextDouble() * 2 - 1;
            }

            parameters[i] = new Parameter($"p{i}", values);
            FillGradient(parameters[i], random);
        }

        return parameters;
    }

    /// <summary>Writes a fresh gradient in [−1, 1) into <paramref name="parameter"/> (no allocation).</summary>
    public static void FillGradient(Parameter<double> parameter, Random random)
    {
        for (int k = 0; k < parameter.Length; k++)
        {
            parameter.Gradient[k] = random.NextDouble() * 2 - 1;
        }
    }
}
