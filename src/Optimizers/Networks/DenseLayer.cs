using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// A fully connected layer: <c>Z = X·Wᵀ + 1·bᵀ</c>, then <c>A = f(Z)</c> for a hidden layer (the output layer
/// is linear: a classifier feeds it to <see cref="SoftmaxCrossEntropy"/>, a regressor compares it with its targets).
/// </summary>
/// <remarks>
/// W has one row per output and one column per input, as in <c>torch.nn.Linear</c>. Its
/// <see cref="Weights"/> parameter is the column-major storage of <see cref="WeightMatrix"/>: the matrix and the
/// flat vector share one array, so an optimizer's in-place step is seen by the matrix with no copy.
/// <para>Thread safety: as for <see cref="Network"/>; reading is safe from several threads, writing (a backward pass, an optimizer step) is not.</para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DenseLayer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Matrix<T> _weights;
    private readonly Matrix<T> _weightGradient;

    internal DenseLayer(string name, int inputSize, int outputSize, Activation? activation, Random random)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;

        // Xavier/Glorot uniform suits sigmoid, tanh and the linear output; He uniform suits ReLU.
        double limit = activation == Networks.Activation.ReLU
            ? Math.Sqrt(6.0 / inputSize)
            : Math.Sqrt(6.0 / (inputSize + outputSize));
        var w = new T[outputSize * inputSize];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = T.CreateTruncating((2 * random.NextDouble() - 1) * limit);   // drawn in double, rounded to T
        }

        Weights = Parameter<T>.Over(name + ".weight", w, outputSize, inputSize);
        Bias = Parameter<T>.Over(name + ".bias", new T[outputSize]);
        _weights = Weights.ValueMatrix;
        _weightGradient = Weights.GradientMatrix;
    }

    /// <summary>The number of inputs (columns of W).</summary>
    public int InputSize { get; }

    /// <summary>The number of outputs (rows of W).</summary>
    public int OutputSize { get; }

    /// <summary>The activation applied to Z, or null for the linear output layer.</summary>
    public Activation? Activation { get; }

    /// <summary>
    /// W as a rank-2 parameter of shape OutputSize × InputSize (torch's weight <c>[out, in]</c>); its
    /// <see cref="Parameter{T}.Value"/> is the column-major storage, length OutputSize·InputSize.
    /// </summary>
    public Parameter<T> Weights { get; }

    /// <summary>b, one bias per output: a rank-1 parameter.</summary>
    public Parameter<T> Bias { get; }

    /// <summary>W as an OutputSize × InputSize matrix over the same storage as <see cref="Weights"/>.</summary>
    public Matrix<T> WeightMatrix => _weights;

    /// <summary>Z = X·Wᵀ + 1·bᵀ (before the activation).</summary>
    internal Matrix<T> Linear(Matrix<T> input)
    {
        var z = input.TransposeAndMultiply(_weights);
        var b = Bias.ValueArray;
        for (int j = 0; j < OutputSize; j++)
        {
            T bj = b[j];
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
    internal Matrix<T> Backward(Matrix<T> input, Matrix<T> linearGradient, bool needInputGradient)
    {
        linearGradient.TransposeThisAndMultiply(input, _weightGradient);
        var db = Bias.GradientArray;
        for (int j = 0; j < OutputSize; j++)
        {
            T sum = T.Zero;
            for (int r = 0; r < linearGradient.RowCount; r++)
            {
                sum += linearGradient.At(r, j);
            }

            db[j] = sum;
        }

        return needInputGradient ? linearGradient * _weights : linearGradient;
    }
}
