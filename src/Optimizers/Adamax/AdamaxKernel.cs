using System.Numerics;
using System.Runtime.CompilerServices;
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
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(expAvg, head), Kernel.Head(expInf, head), correctedLr, beta1,
                 beta2, eps, weightDecay, maximize);
            Step(theta[head..], grad[head..], Kernel.Tail(expAvg, head), Kernel.Tail(expInf, head), correctedLr, beta1,
                 beta2, eps, weightDecay, maximize);
            return;
        }

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
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
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
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust>(t, gv, mv, uv, k, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
                Update<TAdjust>(t, gv, mv, uv, k + q, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
                Update<TAdjust>(t, gv, mv, uv, k + 2 * q, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
                Update<TAdjust>(t, gv, mv, uv, k + 3 * q, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust>(t, gv, mv, uv, k, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
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

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TAdjust>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv,
                                        Span<Vector<double>> mv, Span<Vector<double>> uv, int k, double sign,
                                        double weightDecay, double gradientShare, double beta2, Vector<double> epsilon,
                                        double correctedLr)
        where TAdjust : struct, IFlag
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
}
