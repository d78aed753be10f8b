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
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> accDelta,
                            double lr, double rho, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
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

        // Formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(lr), T.CreateTruncating(rho), T.CreateTruncating(1 - rho),
                               T.CreateTruncating(eps), T.CreateTruncating(weightDecay), maximize ? -T.One : T.One);
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, squareAvg, accDelta, s);
        }
        else
        {
            Step<T, Off>(theta, grad, squareAvg, accDelta, s);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> accDelta,
                                         in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        T lr = s.Lr, rho = s.Rho, share = s.Share, eps = s.Epsilon, weightDecay = s.WeightDecay, sign = s.Sign;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<T>(eps);
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(squareAvg);
            var uv = MemoryMarshal.Cast<T, Vector<T>>(accDelta);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust>(t, gv, vv, uv, k, sign, weightDecay, rho, share, epsilon, lr);
                Update<T, TAdjust>(t, gv, vv, uv, k + q, sign, weightDecay, rho, share, epsilon, lr);
                Update<T, TAdjust>(t, gv, vv, uv, k + 2 * q, sign, weightDecay, rho, share, epsilon, lr);
                Update<T, TAdjust>(t, gv, vv, uv, k + 3 * q, sign, weightDecay, rho, share, epsilon, lr);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust>(t, gv, vv, uv, k, sign, weightDecay, rho, share, epsilon, lr);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            T v = squareAvg[i] * rho + g * share * g;
            squareAvg[i] = v;
            T delta = T.Sqrt(accDelta[i] + eps) / T.Sqrt(v + eps) * g;
            accDelta[i] = accDelta[i] * rho + delta * share * delta;
            theta[i] -= delta * lr;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                        Span<Vector<T>> vv, Span<Vector<T>> uv, int k, T sign,
                                        T weightDecay, T rho, T share, Vector<T> epsilon, T lr)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var v = vv[k] * rho + g * share * g;
        vv[k] = v;
        var delta = Vector.SquareRoot(uv[k] + epsilon) / Vector.SquareRoot(v + epsilon) * g;
        uv[k] = uv[k] * rho + delta * share * delta;
        t[k] -= delta * lr;
    }

    /// <summary>γ, ρ, 1 − ρ, ε, λ and the sign of the gradient (−1 when maximising).</summary>
    private readonly record struct Scalars<T>(T Lr, T Rho, T Share, T Epsilon, T WeightDecay, T Sign)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
