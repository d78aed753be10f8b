using System.Numerics;

namespace Optimizers;

/// <summary>
/// The arithmetic of <see cref="Adafactor{T}"/> on one parameter, in the order of torch's
/// <c>_single_tensor_adafactor</c>: the second-moment statistics, then the update u = g/√max(V̂, ε₁²), its RMS, and
/// θ ← θ·(1 − α·λ) − (ρ·max(ε₂, RMS(θ))/max(1, RMS(u)/d))·u. Allocates nothing: the update is formed twice (once for
/// its norm, once to apply it), with the same operations both times, instead of being stored.
/// </summary>
internal static class AdafactorKernel
{
    /// <summary>The scalars of one parameter's step, formed in double as torch forms them in Python.</summary>
    /// <param name="Weight">1 − β₂ₜ = t^τ, the lerp weight of the running statistics.</param>
    /// <param name="Decay">1 − α·λ, or 1 when λ = 0 (torch then skips the multiplication).</param>
    /// <param name="RelativeStep">ρₜ = min(α, 1/√t).</param>
    /// <param name="Epsilon1">ε₁ (the element type's machine epsilon when the rule was given none).</param>
    /// <param name="Epsilon2">ε₂.</param>
    /// <param name="ClipThreshold">d.</param>
    /// <param name="Maximize">Ascend: the update is formed from −g.</param>
    internal readonly record struct Scalars(double Weight, double Decay, double RelativeStep, double Epsilon1, double Epsilon2,
                                            double ClipThreshold, bool Maximize);

    /// <summary>
    /// A rank-2 parameter of <paramref name="rows"/> × <paramref name="columns"/> (column-major: element (i, j) at
    /// i + j·rows) with factored statistics: row_var (one per row) and col_var (one per column).
    /// </summary>
    /// <param name="theta">θ, column-major, updated in place.</param>
    /// <param name="gradient">g, in the same order.</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="rowVar">R, one per row, updated.</param>
    /// <param name="colVar">C, one per column, updated.</param>
    /// <param name="rowSums">Work space of at least <paramref name="rows"/> doubles (overwritten).</param>
    /// <param name="s">The step's scalars.</param>
    public static void Factored<T>(Span<T> theta, ReadOnlySpan<T> gradient, int rows, int columns, Span<T> rowVar, Span<T> colVar,
                                   Span<double> rowSums, in Scalars s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double alpha = Alpha(theta, s);
        T weight = T.CreateTruncating(s.Weight);

        // col_mean = ‖g[:, j]‖²/rows (a contiguous column); row_mean = ‖g[i, :]‖²/columns, summed column by column.
        rowSums = rowSums[..rows];
        rowSums.Clear();
        T rowCount = T.CreateTruncating((double)rows);
        T columnCount = T.CreateTruncating((double)columns);
        for (int j = 0; j < columns; j++)
        {
            var column = gradient.Slice(j * rows, rows);
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                double g = double.CreateTruncating(column[i]);
                sum += g * g;
                rowSums[i] += g * g;
            }

            colVar[j] = Lerp.Of(colVar[j], MeanSquare<T>(sum, rowCount), weight);
        }

        double rowVarSum = 0;
        for (int i = 0; i < rows; i++)
        {
            rowVar[i] = Lerp.Of(rowVar[i], MeanSquare<T>(rowSums[i], columnCount), weight);
            rowVarSum += double.CreateTruncating(rowVar[i]);
        }

        // V̂ᵢⱼ = row_varᵢ·col_varⱼ / max(mean(row_var), ε₁); uᵢⱼ = gᵢⱼ / √max(V̂ᵢⱼ, ε₁²).
        T rowVarMean = T.CreateTruncating(rowVarSum / rows);
        T epsilon1 = T.CreateTruncating(s.Epsilon1);
        T rowScale = rowVarMean < epsilon1 ? epsilon1 : rowVarMean;
        T floor = T.CreateTruncating(s.Epsilon1 * s.Epsilon1);
        double updateSquares = 0;
        for (int j = 0; j < columns; j++)
        {
            int at = j * rows;
            for (int i = 0; i < rows; i++)
            {
                double u = double.CreateTruncating(Update(rowVar[i] * colVar[j] / rowScale, gradient[at + i], floor));
                updateSquares += u * u;
            }
        }

        T step = StepFactor<T>(alpha, updateSquares, theta.Length, s);
        T decay = T.CreateTruncating(s.Decay);
        for (int j = 0; j < columns; j++)
        {
            int at = j * rows;
            for (int i = 0; i < rows; i++)
            {
                T u = Update(rowVar[i] * colVar[j] / rowScale, gradient[at + i], floor);
                theta[at + i] = Decayed(theta[at + i], decay, s) + step * u;
            }
        }
    }

    /// <summary>A parameter of any other rank (rank 1): the full second moment "variance", one per element.</summary>
    public static void Full<T>(Span<T> theta, ReadOnlySpan<T> gradient, Span<T> variance, in Scalars s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double alpha = Alpha(theta, s);
        T weight = T.CreateTruncating(s.Weight);
        T floor = T.CreateTruncating(s.Epsilon1 * s.Epsilon1);
        double updateSquares = 0;
        for (int k = 0; k < theta.Length; k++)
        {
            T g = gradient[k];
            variance[k] = Lerp.Of(variance[k], g * g, weight);
            double u = double.CreateTruncating(Update(variance[k], g, floor));
            updateSquares += u * u;
        }

        T step = StepFactor<T>(alpha, updateSquares, theta.Length, s);
        T decay = T.CreateTruncating(s.Decay);
        for (int k = 0; k < theta.Length; k++)
        {
            theta[k] = Decayed(theta[k], decay, s) + step * Update(variance[k], gradient[k], floor);
        }
    }

    /// <summary>αₜ = max(ε₂, RMS(θₜ₋₁))·ρₜ, with ‖θ‖ rounded to the element type as torch's <c>param.norm(2).item()</c>.</summary>
    private static double Alpha<T>(ReadOnlySpan<T> theta, in Scalars s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double rms = NormAsElement<T>(Clipping.ClippingKernel.SumOfSquares<T>(theta, 1.0)) / Math.Pow(theta.Length, 0.5);
        return (rms > s.Epsilon2 ? rms : s.Epsilon2) * s.RelativeStep;
    }

    /// <summary>
    /// −αₜ / max(1, RMS(u)/d), rounded to the element type (torch's <c>add_(update, alpha=−α/denom)</c>); + when maximizing,
    /// because u was formed from g rather than −g (negation is exact).
    /// </summary>
    private static T StepFactor<T>(double alpha, double updateSquares, int length, in Scalars s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double ratio = NormAsElement<T>(updateSquares) / (Math.Pow(length, 0.5) * s.ClipThreshold);
        double factor = -alpha / (ratio > 1.0 ? ratio : 1.0);
        return T.CreateTruncating(s.Maximize ? -factor : factor);
    }

    /// <summary>√(sum of squares) rounded to the element type, as torch's <c>tensor.norm(2).item()</c> gives it.</summary>
    private static double NormAsElement<T>(double sumOfSquares)
        where T : unmanaged, IFloatingPointIeee754<T>
        => double.CreateTruncating(T.CreateTruncating(Math.Sqrt(sumOfSquares)));

    /// <summary>torch's <c>vector_norm(g, dim).square_().div_(n)</c>: the norm rounded to T, squared in T, divided in T.</summary>
    private static T MeanSquare<T>(double sumOfSquares, T count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T norm = T.CreateTruncating(Math.Sqrt(sumOfSquares));
        return norm * norm / count;
    }

    /// <summary>u = g / √max(v, ε₁²) (torch's <c>clamp_(min=eps1*eps1).rsqrt_().mul_(grad)</c>).</summary>
    private static T Update<T>(T varianceEstimate, T gradient, T floor)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.One / T.Sqrt(varianceEstimate < floor ? floor : varianceEstimate) * gradient;

    /// <summary>θ·(1 − α·λ) when weight decay is on, θ otherwise.</summary>
    private static T Decayed<T>(T theta, T decay, in Scalars s)
        where T : unmanaged, IFloatingPointIeee754<T>
        => s.Decay == 1.0 ? theta : theta * decay;
}
