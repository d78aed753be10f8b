using System.Numerics;

namespace Optimizers;

/// <summary>The LAMB update of one whole parameter: Adam's direction plus decoupled decay, scaled by the trust ratio.</summary>
/// <remarks>
/// Two passes over the parameter, because the trust ratio needs the norm of the whole direction before any element
/// moves: the first updates m and v, writes the direction u into a work span and sums θ² and u² (in double, for both
/// element types); the second moves θ. Plain loops: the three divisions and the square root per element of the first
/// pass follow Optax's text (below) operation by operation rather than being folded as Adam's kernel folds them.
/// </remarks>
internal static class LambKernel
{
    /// <summary>
    /// <c>m[i] = (1 − β₁)·g[i] + β₁·m[i];  v[i] = (1 − β₂)·g[i]² + β₂·v[i];  u[i] = (m[i]/c₁) / (√(v[i]/c₂ + ε_root) + ε) + λ·θ[i]</c>,
    /// then r = ‖θ‖/‖u‖ (1 when either is 0, or when <paramref name="unitTrustRatio"/>) and <c>θ[i] = θ[i] − (α·r)·u[i]</c>.
    /// </summary>
    /// <remarks>
    /// Optax's <c>scale_by_adam</c> (<c>(1 − decay)·g**order + decay·t</c>, then <c>m / c₁</c>, <c>v / c₂</c>,
    /// <c>m̂ / (sqrt(v̂ + eps_root) + eps)</c>), <c>add_decayed_weights</c> (<c>u + λ·θ</c>), <c>scale_by_trust_ratio</c>
    /// and <c>scale_by_learning_rate</c>. Departs from it in one place: Optax multiplies u by r and then by −α, rounding
    /// twice in the element type; here α·r is formed in double and rounded once, so each element takes one product.
    /// The norms are summed in double where Optax sums in the element type, so in float32 the ratio is the more accurate.
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, updated in place.</param>
    /// <param name="expAvgSq">v, updated in place.</param>
    /// <param name="work">Space for u, as long as θ; its contents on entry do not matter.</param>
    /// <param name="learningRate">α.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added after the square root.</param>
    /// <param name="epsilonRoot">ε_root, added inside the square root.</param>
    /// <param name="weightDecay">λ, the decoupled decay added to the direction.</param>
    /// <param name="biasCorrection1">c₁ = 1 − β₁ᵗ.</param>
    /// <param name="biasCorrection2">c₂ = 1 − β₂ᵗ.</param>
    /// <param name="unitTrustRatio">Take r = 1 (the tests compare the direction with AdamW's).</param>
    /// <returns>The trust ratio r used.</returns>
    public static double Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, Span<T> work,
                                 double learningRate, double beta1, double beta2, double epsilon, double epsilonRoot,
                                 double weightDecay, double biasCorrection1, double biasCorrection2, bool unitTrustRatio)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        Kernel.CheckLengths(theta.Length, work.Length);

        // Every scalar is formed in double and rounded to T once.
        T b1 = T.CreateTruncating(beta1), gradientShare = T.CreateTruncating(1 - beta1);
        T b2 = T.CreateTruncating(beta2), squareShare = T.CreateTruncating(1 - beta2);
        T eps = T.CreateTruncating(epsilon), epsRoot = T.CreateTruncating(epsilonRoot), lambda = T.CreateTruncating(weightDecay);
        T c1 = T.CreateTruncating(biasCorrection1), c2 = T.CreateTruncating(biasCorrection2);
        bool decays = weightDecay != 0;
        double thetaSquares = 0, updateSquares = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            T g = grad[i];
            T m = gradientShare * g + b1 * expAvg[i];
            T v = squareShare * (g * g) + b2 * expAvgSq[i];
            expAvg[i] = m;
            expAvgSq[i] = v;
            T u = m / c1 / (T.Sqrt(v / c2 + epsRoot) + eps);
            if (decays)
            {
                u += lambda * theta[i];
            }

            work[i] = u;
            double th = double.CreateTruncating(theta[i]), ud = double.CreateTruncating(u);
            thetaSquares += th * th;
            updateSquares += ud * ud;
        }

        double thetaNorm = Math.Sqrt(thetaSquares), updateNorm = Math.Sqrt(updateSquares);
        double ratio = unitTrustRatio || thetaNorm == 0 || updateNorm == 0 ? 1 : thetaNorm / updateNorm;
        T scale = T.CreateTruncating(learningRate * ratio);
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] -= scale * work[i];
        }

        return ratio;
    }
}
