using System.Numerics;

namespace Optimizers.Tests.TestSupport;

/// <summary>Parameters and gradients drawn from a seeded generator, for the allocation and parallelism tests.</summary>
internal static class RandomParameters
{
    /// <summary>
    /// Parameters "p0", "p1", … of the given lengths with values and gradients in [−1, 1) drawn from <paramref name="seed"/>
    /// (drawn as doubles, then rounded to <typeparamref name="T"/>).
    /// </summary>
    public static Parameter<T>[] Create<T>(int seed, params int[] lengths)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var parameters = new Parameter<T>[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            var values = new T[lengths[i]];
            for (int k = 0; k < values.Length; k++)
            {
                values[k] = Element<T>.From(random.NextDouble() * 2 - 1);
            }

            parameters[i] = new Parameter<T>($"p{i}", values);
            FillGradient(parameters[i], random);
        }

        return parameters;
    }

    /// <summary>Writes a fresh gradient in [−1, 1) into <paramref name="parameter"/> (no allocation).</summary>
    public static void FillGradient<T>(Parameter<T> parameter, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < parameter.Length; k++)
        {
            parameter.Gradient[k] = Element<T>.From(random.NextDouble() * 2 - 1);
        }
    }
}
