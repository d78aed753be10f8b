using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The momentum (torch.optim.SGD) update as one fused pass over spans.</summary>
internal static class MomentumKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  b[i] = first ? g : μ·b[i] + (1 − τ)·g;  d = nesterov ? g + μ·b[i] : b[i];  θ[i] = θ[i] − α·d</c>.
    /// </summary>
    /// <remarks><paramref name="grad"/> may be <paramref name="theta"/> itself (each element is read before it is written).</remarks>
    /// <exception cref="ArgumentException"><paramref name="grad"/> or <paramref name="buffer"/> is not as long as <paramref name="theta"/>; nothing is written.</exception>
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> buffer,
                            double lr, double mu, double dampening, bool nesterov,
                            double weightDecay, bool maximize, bool firstStep)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, buffer.Length);
        double sign = maximize ? -1.0 : 1.0;
        double gradientShare = 1 - dampening;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var bv = MemoryMarshal.Cast<double, Vector<double>>(buffer);
            for (int k = 0; k < t.Length; k++)
            {
                var g = gv[k] * sign + t[k] * weightDecay;
                var b = firstStep ? g : bv[k] * mu + g * gradientShare;
                bv[k] = b;
                var d = nesterov ? g + b * mu : b;
                t[k] -= d * lr;
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = grad[i] * sign + theta[i] * weightDecay;
            double b = firstStep ? g : buffer[i] * mu + g * gradientShare;
            buffer[i] = b;
            double d = nesterov ? g + b * mu : b;
            theta[i] -= d * lr;
        }
    }
}
