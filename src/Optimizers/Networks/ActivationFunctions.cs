using MathNet.Numerics.LinearAlgebra;

namespace Optimizers.Networks;

/// <summary>Forward and backward passes of each <see cref="Activation"/>, element by element.</summary>
internal static class ActivationFunctions
{
    /// <summary>a = f(z).</summary>
    public static Matrix<double> Apply(Activation activation, Matrix<double> z) => activation switch
    {
        Activation.Sigmoid => z.Map(Sigmoid),
        Activation.Tanh => z.Map(Math.Tanh),
        Activation.ReLU => z.Map(x => x > 0 ? x : 0.0),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>∂J/∂z = f′(z) ⊙ ∂J/∂a, written from the saved z and a = f(z).</summary>
    public static Matrix<double> Backward(Activation activation, Matrix<double> z, Matrix<double> a, Matrix<double> outputGradient)
    {
        var derivative = activation switch
        {
            Activation.Sigmoid => a.Map(s => s * (1 - s)),
            Activation.Tanh => a.Map(t => 1 - t * t),
            Activation.ReLU => z.Map(x => x > 0 ? 1.0 : 0.0),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
        };
        return derivative.PointwiseMultiply(outputGradient);
    }

    /// <summary>The logistic function, written so that neither branch overflows.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
