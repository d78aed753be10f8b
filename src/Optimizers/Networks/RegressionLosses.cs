using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// The mean losses of <see cref="RegressionLoss"/> between a batch of outputs ŷ and targets y (both n × k), and
/// their gradients with respect to ŷ.
/// </summary>
/// <remarks>
/// <code>
/// MSE:    J = (1/N) Σ d² ,                         ∂J/∂ŷ = (2/N)·d               (d = ŷ − y, N = n·k)
/// Huber:  J = (1/N) Σ (|d| &lt; δ ? ½d² : δ(|d| − ½δ)),  ∂J/∂ŷ = (1/N)·clamp(d, −δ, δ)   (δ = 1)
/// </code>
/// As torch's <c>mse_loss</c> and <c>huber_loss</c> with the mean reduction: the sum is taken in T and divided by
/// N, and the factor 2/N (1/N for Huber) is formed in double and rounded to T once, as torch's backward rounds its
/// Python-double norm to the tensor's type.
/// </remarks>
internal static class RegressionLosses
{
    /// <summary>Huber's δ: the distance from the target at which the loss turns from quadratic to linear.</summary>
    public const double HuberDelta = 1.0;

    /// <summary>The mean loss of <paramref name="outputs"/> against <paramref name="targets"/> (same shape), as a double.</summary>
    public static double Loss<T>(RegressionLoss loss, Matrix<T> outputs, Matrix<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T delta = T.CreateTruncating(HuberDelta);
        T half = T.CreateTruncating(0.5);
        T total = T.Zero;
        for (int c = 0; c < outputs.ColumnCount; c++)
        {
            for (int r = 0; r < outputs.RowCount; r++)
            {
                T d = outputs.At(r, c) - targets.At(r, c);
                if (loss == RegressionLoss.MeanSquaredError)
                {
                    total += d * d;
                }
                else
                {
                    T z = T.Abs(d);
                    total += z < delta ? half * z * z : delta * (z - half * delta);
                }
            }
        }

        return double.CreateTruncating(total / T.CreateTruncating((double)outputs.RowCount * outputs.ColumnCount));
    }

    /// <summary>∂J/∂ŷ for the mean loss: a new matrix of the shape of <paramref name="outputs"/>.</summary>
    public static Matrix<T> Gradient<T>(RegressionLoss loss, Matrix<T> outputs, Matrix<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double count = (double)outputs.RowCount * outputs.ColumnCount;
        var g = Matrix<T>.Build.Dense(outputs.RowCount, outputs.ColumnCount);
        if (loss == RegressionLoss.MeanSquaredError)
        {
            T norm = T.CreateTruncating(2 / count);
            for (int c = 0; c < g.ColumnCount; c++)
            {
                for (int r = 0; r < g.RowCount; r++)
                {
                    g.At(r, c, (outputs.At(r, c) - targets.At(r, c)) * norm);
                }
            }
        }
        else
        {
            T norm = T.CreateTruncating(1 / count);
            T delta = T.CreateTruncating(HuberDelta);
            for (int c = 0; c < g.ColumnCount; c++)
            {
                for (int r = 0; r < g.RowCount; r++)
                {
                    T d = outputs.At(r, c) - targets.At(r, c);
                    // torch's huber_loss_backward: −δ·norm below −δ, δ·norm above δ, d·norm between (NaN stays NaN).
                    g.At(r, c, d < -delta ? -delta * norm : d > delta ? delta * norm : d * norm);
                }
            }
        }

        return g;
    }

    /// <summary>Validates real-valued targets against a batch of <paramref name="rows"/> samples and <paramref name="outputs"/> outputs.</summary>
    internal static void CheckTargets<T>(Matrix<T>? targets, int rows, int outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (rows == 0)
        {
            throw new ArgumentException("The batch is empty: at least one sample is needed.", nameof(targets));
        }

        if (targets.RowCount != rows)
        {
            throw new ArgumentException($"targets has {targets.RowCount} rows for {rows} samples; one row per sample is needed.", nameof(targets));
        }

        if (targets.ColumnCount != outputs)
        {
            throw new ArgumentException($"targets has {targets.ColumnCount} columns; this network has {outputs} outputs.", nameof(targets));
        }
    }
}
