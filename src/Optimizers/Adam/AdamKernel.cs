using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The Adam update (with its AMSGrad and AdamW variants) as one fused pass over spans.</summary>
internal static class AdamKernel
{
    /// <summary>
    /// Per element:
    /// <c>θ[i] = θ[i]·shrink;  g = ±grad[i] + λ·θ[i];  m[i] = β₁·m[i] + (1 − β₁)·g;  v[i] = β₂·v[i] + (1 − β₂)·g·g;
    /// v̂ = amsgrad ? (vmax[i] = max(vmax[i], v[i])) : v[i];  θ[i] = θ[i] − s·m[i] / (√v̂ / c₂ + ε)</c>.
    /// </summary>
    /// <remarks>
    /// Adam passes its L2 coefficient as <paramref name="weightDecay"/> and <paramref name="shrink"/> = 1; AdamW passes
    /// <paramref name="weightDecay"/> = 0 and <paramref name="shrink"/> = 1 − α·λ (decoupled decay). Multiplying by 1 and
    /// adding 0·θ are exact, so the unused form changes no bit.
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the first moment, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment, updated in place.</param>
    /// <param name="maxExpAvgSq">vmax, the running maximum of v (AMSGrad); ignored, and may be empty, when <paramref name="amsgrad"/> is false.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added after the bias-corrected square root.</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient (0 for AdamW).</param>
    /// <param name="shrink">The factor θ is multiplied by before the step (1 − α·λ for AdamW, 1 for Adam).</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="amsgrad">Normalise by the running maximum of v instead of v.</param>
    /// <param name="stepSize">s = α / (1 − β₁ᵗ).</param>
    /// <param name="biasCorrection2Sqrt">c₂ = √(1 − β₂ᵗ).</param>
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                            Span<double> maxExpAvgSq, double beta1, double beta2, double epsilon,
                            double weightDecay, double shrink, bool maximize, bool amsgrad,
                            double stepSize, double biasCorrection2Sqrt)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        if (amsgrad)
        {
            Kernel.CheckLengths(theta.Length, maxExpAvgSq.Length);
        }

        double sign = maximize ? -1.0 : 1.0;
        double gradientShare = 1 - beta1;
        double squareShare = 1 - beta2;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var mv = MemoryMarshal.Cast<double, Vector<double>>(expAvg);
            var vv = MemoryMarshal.Cast<double, Vector<double>>(expAvgSq);
            var xv = MemoryMarshal.Cast<double, Vector<double>>(maxExpAvgSq);
            for (int k = 0; k < t.Length; k++)
            {
                var th = t[k] * shrink;
                var g = gv[k] * sign + th * weightDecay;
                var m = mv[k] * beta1 + gradientShare * g;
                var v = vv[k] * beta2 + squareShare * g * g;
                mv[k] = m;
                vv[k] = v;
                var vHat = v;
                if (amsgrad)
                {
                    vHat = Vector.Max(xv[k], v);
                    xv[k] = vHat;
                }

                var denom = Vector.SquareRoot(vHat) / biasCorrection2Sqrt + new Vector<double>(epsilon);
                t[k] = th - stepSize * m / denom;
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double th = theta[i] * shrink;
            double g = grad[i] * sign + th * weightDecay;
            double m = expAvg[i] * beta1 + gradientShare * g;
            double v = expAvgSq[i] * beta2 + squareShare * g * g;
            expAvg[i] = m;
            expAvgSq[i] = v;
            double vHat = v;
            if (amsgrad)
            {
                vHat = Math.Max(maxExpAvgSq[i], v);
                maxExpAvgSq[i] = vHat;
            }

            double denom = Math.Sqrt(vHat) / biasCorrection2Sqrt + epsilon;
            theta[i] = th - stepSize * m / denom;
        }
    }
}
