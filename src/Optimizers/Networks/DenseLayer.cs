using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Optimizers.Networks;

/// <summary>
/// A fully connected layer: <c>Z = X·Wᵀ + 1·bᵀ</c>, then <c>A = f(Z)</c> for a hidden layer (the output layer
/// is linear and feeds <see cref="SoftmaxCrossEntropy"/>).
/// </summary>
/// <remarks>
/// W has one row per output and one column per input, as in <c>torch.nn.Linear</c>. Its
/// <see cref="Weights"/> parameter is the column-major storage of <see cref="WeightMatrix"/>: the matrix and the
/// flat vector share one array, so an optimizer's in-place step is seen by the matrix with no copy.
/// <para>Thread safety: as for <see cref="Network"/>; reading is safe from several threads, writing (a backward pass, an optimizer step) is not.</para>
/// </remarks>
public sealed class DenseLayer
{
    private readonly DenseMatrix _weights;
    private readonly DenseMatrix _weightGradient;

    internal DenseLayer(string name, int inputSize, int outputSize, Activation? activation, Random random)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;

        // Xavier/Glorot uniform suits sigmoid, tanh and the linear output; He uniform suits ReLU.
        double limit = activation == Networks.Activation.ReLU
            ? Math.Sqrt(6.0 / inputSize)
            : Math.Sqrt(6.0 / (inputSize + outputSize));
        var w = new double[outputSize * inputSize];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (2 * random.NextDouble() - 1) * limit;
        }

        Weights = new Parameter(name + ".weight", w);
        Bias = new Parameter(name + ".bias", new double[outputSize]);
        _weights = new DenseMatrix(outputSize, inputSize, Weights.ValueArray);
        _weightGradient = new DenseMatrix(outputSize, inputSize, Weights.GradientArray);
    }

    /// <summary>The number of inputs (columns of W).</summary>
    public int InputSize { get; }

    /// <summary>The number of outputs (rows of W).</summary>
    public int OutputSize { get; }

    /// <summary>The activation applied to Z, or null for the linear output layer.</summary>
    public Activation? Activation { get; }

    /// <summary>W as a flat parameter (column-major, length OutputSize·InputSize).</summary>
    public Parameter Weights { get; }

    /// <summary>b, one bias per output.</summary>
    public Parameter Bias { get; }

    /// <summary>W as an OutputSize × InputSize matrix over the same storage as <see cref="Weights"/>.</summary>
    public Matrix<double> WeightMatrix => _weights;

    /// <summary>Z = X·Wᵀ + 1·bᵀ (before the activation).</summary>
    internal Matrix<double> Linear(Matrix<double> input)
    {
        var z = input.TransposeAndMultiply(_weights);
        var b = Bias.ValueArray;
        for (int j = 0; j < OutputSize; j++)
        {
            double bj = b[j];
            for (int r = 0; r < z.RowCount; r++)
            {
                z.At(r, j, z.At(r, j) + bj);
            }
        }

        return z;
    }

    /// <summary>
    /// Given ∂J/∂Z, writes ∂J/∂W = (∂J/∂Z)ᵀ·X and ∂J/∂b = column sums of ∂J/∂Z into the gradients and
    /// returns ∂J/∂X = (∂J/∂Z)·W.
    /// </summary>
    internal Matrix<double> Backward(Matrix<double> input, Matrix<double> linearGradient, bool needInputGradient)
    {
        linearGradient.TransposeThisAndMultiply(input, _weightGradient);
        var db = Bias.GradientArray;
        for (int j = 0; j < OutputSize; j++)
        {
            double sum = 0;
            for (int r = 0; r < linearGradient.RowCount; r++)
            {
                sum += linearGradient.At(r, j);
            }

            db[j] = sum;
        }

        return needInputGradient ? linearGradient * _weights : linearGradient;
    }
}
