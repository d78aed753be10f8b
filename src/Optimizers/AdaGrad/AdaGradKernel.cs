using System.Numerics;
using System.Runtime.CompilerServices;
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
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> sum,
                            double decayedLr, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, sum.Length);
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(sum, head), decayedLr, eps, weightDecay, maximize);
            Step(theta[head..], grad[head..], Kernel.Tail(sum, head), decayedLr, eps, weightDecay, maximize);
            return;
        }

        // Rounded to T once, as torch's float32 path casts its Python scalars.
        T lr = T.CreateTruncating(decayedLr), epsilon = T.CreateTruncating(eps), lambda = T.CreateTruncating(weightDecay);
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, sum, lr, epsilon, lambda, maximize);
        }
        else
        {
            Step<T, Off>(theta, grad, sum, lr, epsilon, lambda, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> sum,
                                         T decayedLr, T eps, T weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        T sign = maximize ? -T.One : T.One;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<T>(eps);
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var sv = MemoryMarshal.Cast<T, Vector<T>>(sum);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust>(t, gv, sv, k, sign, weightDecay, decayedLr, epsilon);
                Update<T, TAdjust>(t, gv, sv, k + q, sign, weightDecay, decayedLr, epsilon);
                Update<T, TAdjust>(t, gv, sv, k + 2 * q, sign, weightDecay, decayedLr, epsilon);
                Update<T, TAdjust>(t, gv, sv, k + 3 * q, sign, weightDecay, decayedLr, epsilon);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust>(t, gv, sv, k, sign, weightDecay, decayedLr, epsilon);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            T s = sum[i] + g * g;
            sum[i] = s;
            theta[i] -= g * decayedLr / (T.Sqrt(s) + eps);
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                        Span<Vector<T>> sv, int k, T sign, T weightDecay,
                                        T decayedLr, Vector<T> epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var s = sv[k] + g * g;
        sv[k] = s;
        t[k] -= g * decayedLr / (Vector.SquareRoot(s) + epsilon);
    }
}
