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
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf,
                            double correctedLr, double beta1, double beta2, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
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
            Step<T, On>(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
        }
        else
        {
            Step<T, Off>(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf,
                                      double correctedLrDouble, double beta1Double, double beta2Double, double epsDouble, double weightDecayDouble, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        T correctedLr = T.CreateTruncating(correctedLrDouble);
        T beta1 = T.CreateTruncating(beta1Double);
        T beta2 = T.CreateTruncating(beta2Double);
        T eps = T.CreateTruncating(epsDouble);
        T weightDecay = T.CreateTruncating(weightDecayDouble);
        T sign = maximize ? -T.One : T.One;
        T gradientShare = T.CreateTruncating(1 - beta1Double);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<T>(eps);
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var mv = MemoryMarshal.Cast<T, Vector<T>>(expAvg);
            var uv = MemoryMarshal.Cast<T, Vector<T>>(expInf);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust>(t, gv, mv, uv, k, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
                Update<T, TAdjust>(t, gv, mv, uv, k + q, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
                Update<T, TAdjust>(t, gv, mv, uv, k + 2 * q, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
                Update<T, TAdjust>(t, gv, mv, uv, k + 3 * q, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust>(t, gv, mv, uv, k, sign, weightDecay, gradientShare, beta2, epsilon, correctedLr);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            T m = Lerp.Of(expAvg[i], g, gradientShare);
            expAvg[i] = m;
            T decayed = expInf[i] * beta2;
            T current = T.Abs(g) + eps;
            T u = decayed > current ? decayed : current;
            expInf[i] = u;
            theta[i] -= m * correctedLr / u;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                        Span<Vector<T>> mv, Span<Vector<T>> uv, int k, T sign,
                                        T weightDecay, T gradientShare, T beta2, Vector<T> epsilon,
                                        T correctedLr)
        where T : unmanaged, IFloatingPointIeee754<T>
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
