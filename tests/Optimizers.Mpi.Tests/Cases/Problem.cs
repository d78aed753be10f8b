using System.Numerics;

namespace Optimizers.Mpi.Tests.Cases;

/// <summary>
/// A seeded least-squares-like problem with per-row gradients, the same data on every process: row j's gradient for
/// element k is a_jk·θ_k − b_jk, and a process's gradient is the mean over its rows, computed in <typeparamref name="T"/>.
/// Two parameters of 37 and 50 elements, so that shares of 2 and 4 processes cut through a parameter.
/// </summary>
internal static class Problem<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int GlobalBatch = 8;

    public static readonly int[] Lengths = [37, 50];

    private static readonly T[][][] A = Data(1, 0.5, 1.5);
    private static readonly T[][][] B = Data(2, -1, 1);

    /// <summary>Fresh parameters "w" and "b" with seeded values; <paramref name="seed"/> differs to make processes start apart.</summary>
    public static Parameter<T>[] NewParameters(int seed = 7)
    {
        var random = new Random(seed);
        return [.. Lengths.Select((n, i) => new Parameter<T>(i == 0 ? "w" : "b",
                                                              [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating((random.NextDouble() * 2) - 1))]))];
    }

    /// <summary>Writes into every parameter's gradient the mean row gradient over rows [start, start + count) of batch <paramref name="batch"/>.</summary>
    public static void Gradients(IReadOnlyList<Parameter<T>> parameters, int batch, int start, int count)
    {
        for (int p = 0; p < parameters.Count; p++)
        {
            var theta = parameters[p].Value;
            var gradient = parameters[p].Gradient;
            for (int k = 0; k < theta.Count; k++)
            {
                T sum = T.Zero;
                for (int j = start; j < start + count; j++)
                {
                    int row = (batch * GlobalBatch) + j;
                    sum += (A[p][row % A[p].Length][k] * theta[k]) - B[p][row % B[p].Length][k];
                }

                gradient[k] = sum / T.CreateTruncating(count);
            }
        }
    }

    /// <summary>This process's rows of batch <paramref name="batch"/> in <paramref name="communicator"/>.</summary>
    public static void LocalGradients(IReadOnlyList<Parameter<T>> parameters, int batch, Communicator communicator)
    {
        var (start, count) = BatchSharding.LocalRows(GlobalBatch, communicator);
        Gradients(parameters, batch, start, count);
    }

    public static Parameter<T>[] Copy(IReadOnlyList<Parameter<T>> parameters)
        => [.. parameters.Select(p => new Parameter<T>(p.Name, p.Value.ToArray()))];

    private static T[][][] Data(int seed, double low, double high)
    {
        var random = new Random(seed);
        return [.. Lengths.Select(n => Enumerable.Range(0, 3 * GlobalBatch)
                                                 .Select(_ => Enumerable.Range(0, n).Select(_ => T.CreateTruncating(low + ((high - low) * random.NextDouble()))).ToArray())
                                                 .ToArray())];
    }
}
