using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Optimizers.Networks;

/// <summary>Forward and backward passes of each <see cref="Activation"/>, element by element.</summary>
/// <remarks>
/// The loops run over the matrices' storage directly: MathNet's <c>Map</c> hands every matrix above a few hundred
/// elements to the thread pool, which costs more than it saves at the sizes this network is meant for.
/// </remarks>
internal static class ActivationFunctions
{
    /// <summary>a = f(z), as a new matrix.</summary>
    public static Matrix<double> Apply(Activation activation, Matrix<double> z)
    {
        var input = Storage(z);
        var output = new double[input.Length];
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
                    output[i] = Math.Tanh(input[i]);
                }

                break;
            case Activation.ReLU:
                for (int i = 0; i < input.Length; i++)
                {
                    output[i] = input[i] > 0 ? input[i] : 0.0;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        return new DenseMatrix(z.RowCount, z.ColumnCount, output);
    }

    /// <summary>∂J/∂z = f′(z) ⊙ ∂J/∂a, from the saved z and a = f(z); a new matrix.</summary>
    public static Matrix<double> Backward(Activation activation, Matrix<double> z, Matrix<double> a, Matrix<double> outputGradient)
    {
        var zs = Storage(z);
        var s = Storage(a);
        var g = Storage(outputGradient);
        var result = new double[g.Length];
        switch (activation)
        {
            case Activation.Sigmoid:
                for (int i = 0; i < g.Length; i++)
                {
                    result[i] = s[i] * (1 - s[i]) * g[i];       // σ′ = σ(1 − σ)
                }

                break;
            case Activation.Tanh:
                for (int i = 0; i < g.Length; i++)
                {
                    result[i] = (1 - s[i] * s[i]) * g[i];       // tanh′ = 1 − tanh²
                }

                break;
            case Activation.ReLU:
                for (int i = 0; i < g.Length; i++)
                {
                    result[i] = zs[i] > 0 ? g[i] : 0.0;         // 1 for z > 0, else 0
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        return new DenseMatrix(z.RowCount, z.ColumnCount, result);
    }

    /// <summary>The logistic function, written so that neither branch overflows.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>The column-major storage of a dense matrix (a copy for any other kind).</summary>
    private static double[] Storage(Matrix<double> m) => m is DenseMatrix dense ? dense.Values : m.ToColumnMajorArray();
}
