using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The AdaGrad (torch.optim.Adagrad) update as one fused pass over spans.</summary>
internal static class AdaGradKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  s[i] = s[i] + g·g;  θ[i] = θ[i] − (γ̃·g) / (√s[i] + ε)</c>,
    /// where γ̃ is the already decayed learning rate.
    /// </summary>
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> sum,
                            double decayedLr, double eps, double weightDecay, bool maximize)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, sum.Length);
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<On>(theta, grad, sum, decayedLr, eps, weightDecay, maximize);
        }
        else
        {
            Step<Off>(theta, grad, sum, decayedLr, eps, weightDecay, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> sum,
                                      double decayedLr, double eps, double weightDecay, bool maximize)
        where TAdjust : struct, IFlag
    {
        double sign = maximize ? -1.0 : 1.0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<double>(eps);
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var sv = MemoryMarshal.Cast<double, Vector<double>>(sum);
            for (int k = 0; k < t.Length; k++)
            {
                var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
                var s = sv[k] + g * g;
                sv[k] = s;
                t[k] -= g * decayedLr / (Vector.SquareRoot(s) + epsilon);
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            double s = sum[i] + g * g;
            sum[i] = s;
            theta[i] -= g * decayedLr / (Math.Sqrt(s) + eps);
        }
    }
}
