using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The AdaDelta (torch.optim.Adadelta) update as one fused pass over spans.</summary>
internal static class AdaDeltaKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  v[i] = ρ·v[i] + ((1 − ρ)·g)·g;  Δ = (√(u[i] + ε) / √(v[i] + ε))·g;</c>
    /// <c>u[i] = ρ·u[i] + ((1 − ρ)·Δ)·Δ;  θ[i] = θ[i] − γ·Δ</c>.
    /// </summary>
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg, Span<double> accDelta,
                            double lr, double rho, double eps, double weightDecay, bool maximize)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, squareAvg.Length);
        Kernel.CheckLengths(theta.Length, accDelta.Length);
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<On>(theta, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, maximize);
        }
        else
        {
            Step<Off>(theta, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg, Span<double> accDelta,
                                      double lr, double rho, double eps, double weightDecay, bool maximize)
        where TAdjust : struct, IFlag
    {
        double sign = maximize ? -1.0 : 1.0;
        double share = 1 - rho;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<double>(eps);
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var vv = MemoryMarshal.Cast<double, Vector<double>>(squareAvg);
            var uv = MemoryMarshal.Cast<double, Vector<double>>(accDelta);
            for (int k = 0; k < t.Length; k++)
            {
                var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
                var v = vv[k] * rho + g * share * g;
                vv[k] = v;
                var delta = Vector.SquareRoot(uv[k] + epsilon) / Vector.SquareRoot(v + epsilon) * g;
                uv[k] = uv[k] * rho + delta * share * delta;
                t[k] -= delta * lr;
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            double v = squareAvg[i] * rho + g * share * g;
            squareAvg[i] = v;
            double delta = Math.Sqrt(accDelta[i] + eps) / Math.Sqrt(v + eps) * g;
            accDelta[i] = accDelta[i] * rho + delta * share * delta;
            theta[i] -= delta * lr;
        }
    }
}
