using System.Numerics;
using System.Runtime.CompilerServices;
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
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(squareAvg, head), Kernel.Head(accDelta, head), lr, rho, eps,
                 weightDecay, maximize);
            Step(theta[head..], grad[head..], Kernel.Tail(squareAvg, head), Kernel.Tail(accDelta, head), lr, rho, eps,
                 weightDecay, maximize);
            return;
        }

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
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
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
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust>(t, gv, vv, uv, k, sign, weightDecay, rho, share, epsilon, lr);
                Update<TAdjust>(t, gv, vv, uv, k + q, sign, weightDecay, rho, share, epsilon, lr);
                Update<TAdjust>(t, gv, vv, uv, k + 2 * q, sign, weightDecay, rho, share, epsilon, lr);
                Update<TAdjust>(t, gv, vv, uv, k + 3 * q, sign, weightDecay, rho, share, epsilon, lr);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust>(t, gv, vv, uv, k, sign, weightDecay, rho, share, epsilon, lr);
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

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TAdjust>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv,
                                        Span<Vector<double>> vv, Span<Vector<double>> uv, int k, double sign,
                                        double weightDecay, double rho, double share, Vector<double> epsilon, double lr)
        where TAdjust : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var v = vv[k] * rho + g * share * g;
        vv[k] = v;
        var delta = Vector.SquareRoot(uv[k] + epsilon) / Vector.SquareRoot(v + epsilon) * g;
        uv[k] = uv[k] * rho + delta * share * delta;
        t[k] -= delta * lr;
    }
}
