using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The Adamax (torch.optim.Adamax) update as one fused pass over spans.</summary>
internal static class AdamaxKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  m[i] = lerp(m[i], g, 1 − β₁);  u[i] = max(β₂·u[i], |g| + ε);  θ[i] = θ[i] − (γ̂·m[i]) / u[i]</c>,
    /// where γ̂ = γ / (1 − β₁ᵗ) is the bias-corrected learning rate. The maximum keeps a NaN of |g| + ε.
    /// </summary>
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expInf,
                            double correctedLr, double beta1, double beta2, double eps, double weightDecay, bool maximize)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expInf.Length);
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<On>(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
        }
        else
        {
            Step<Off>(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expInf,
                                      double correctedLr, double beta1, double beta2, double eps, double weightDecay, bool maximize)
        where TAdjust : struct, IFlag
    {
        double sign = maximize ? -1.0 : 1.0;
        double gradientShare = 1 - beta1;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<double>(eps);
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var mv = MemoryMarshal.Cast<double, Vector<double>>(expAvg);
            var uv = MemoryMarshal.Cast<double, Vector<double>>(expInf);
            for (int k = 0; k < t.Length; k++)
            {
                var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
                var m = Lerp.Of(mv[k], g, gradientShare);
                mv[k] = m;
                var decayed = uv[k] * beta2;
                var current = Vector.Abs(g) + epsilon;
                var u = Vector.ConditionalSelect(Vector.GreaterThan(decayed, current), decayed, current);
                uv[k] = u;
                t[k] -= m * correctedLr / u;
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            double m = Lerp.Of(expAvg[i], g, gradientShare);
            expAvg[i] = m;
            double decayed = expInf[i] * beta2;
            double current = Math.Abs(g) + eps;
            double u = decayed > current ? decayed : current;
            expInf[i] = u;
            theta[i] -= m * correctedLr / u;
        }
    }
}
