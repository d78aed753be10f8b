using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

/// <summary>Forward and backward passes of each <see cref="Activation"/>, element by element.</summary>
/// <remarks>
/// The loops run over the matrices' storage directly: MathNet's <c>Map</c> hands every matrix above a few hundred
/// elements to the thread pool, which costs more than it saves at the sizes this network is meant for.
/// </remarks>
internal static class ActivationFunctions
{
    /// <summary>a = f(z), as a new matrix.</summary>
    public static Matrix<T> Apply<T>(Activation activation, Matrix<T> z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = Storage(z);
        var output = new T[input.Length];
        switch (activation)
        {
            case Activation.Sigmoid:
                for (int i = 0; i < input.Length; i++)
                {
                    output[i] = Sigmoid(input[i]);
                }

                break;
            case Activation.Tanh:
                for (int i = 0; i < input.Length; i++)
                {
                    output[i] = T.Tanh(input[i]);
                }

                break;
            case Activation.ReLU:
                for (int i = 0; i < input.Length; i++)
                {
                    // NaN passes through, as torch.relu lets it: a NaN input must show in the loss, not become 0.
                    T x = input[i];
                    output[i] = x > T.Zero || T.IsNaN(x) ? x : T.Zero;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        return Matrix<T>.Build.Dense(z.RowCount, z.ColumnCount, output);
    }

    /// <summary>∂J/∂z = f′(z) ⊙ ∂J/∂a, from the saved z and a = f(z); a new matrix.</summary>
    public static Matrix<T> Backward<T>(Activation activation, Matrix<T> z, Matrix<T> a, Matrix<T> outputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var zs = Storage(z);
        var s = Storage(a);
        var g = Storage(outputGradient);
        var result = new T[g.Length];
        switch (activation)
        {
            case Activation.Sigmoid:
                for (int i = 0; i < g.Length; i++)
                {
                    result[i] = s[i] * (T.One - s[i]) * g[i];       // σ′ = σ(1 − σ)
                }

                break;
            case Activation.Tanh:
                for (int i = 0; i < g.Length; i++)
                {
                    result[i] = (T.One - s[i] * s[i]) * g[i];       // tanh′ = 1 − tanh²
                }

                break;
            case Activation.ReLU:
                for (int i = 0; i < g.Length; i++)
                {
                    result[i] = zs[i] > T.Zero || T.IsNaN(zs[i]) ? g[i] : T.Zero;   // 1 for z > 0 (and NaN, as forward), else 0
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        return Matrix<T>.Build.Dense(z.RowCount, z.ColumnCount, result);
    }

    /// <summary>The logistic function, written so that neither branch overflows.</summary>
    public static T Sigmoid<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => z >= T.Zero ? T.One / (T.One + T.Exp(-z)) : T.Exp(z) / (T.One + T.Exp(z));

    /// <summary>The column-major storage of a dense matrix (a copy for any other kind).</summary>
    private static T[] Storage<T>(Matrix<T> m)
        where T : unmanaged, IFloatingPointIeee754<T>
        => m.Storage is DenseColumnMajorMatrixStorage<T> dense ? dense.Data : m.ToColumnMajorArray();
}
