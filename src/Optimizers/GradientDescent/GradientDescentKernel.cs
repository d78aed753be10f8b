using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The gradient descent update as one fused pass over spans.</summary>
internal static class GradientDescentKernel
{
    /// <summary>
    /// Per element: <c>g = ±grad[i] + λ·θ[i];  θ[i] = θ[i] − α·g</c> (the sign is − when maximising), in
    /// <typeparamref name="T"/> with α and λ rounded to <typeparamref name="T"/> once (as torch.optim.SGD's float32 path
    /// casts its Python-double lr and weight_decay).
    /// </summary>
    /// <remarks><paramref name="grad"/> may be <paramref name="theta"/> itself (each element is read before it is written).</remarks>
    /// <exception cref="ArgumentException"><paramref name="grad"/> is not as long as <paramref name="theta"/>; nothing is written.</exception>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad,
                            double lr, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], lr, weightDecay, maximize);
            Step(theta[head..], grad[head..], lr, weightDecay, maximize);
            return;
        }

        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, T.CreateTruncating(lr), T.CreateTruncating(weightDecay), maximize);
        }
        else
        {
            Step<T, Off>(theta, grad, T.CreateTruncating(lr), T.CreateTruncating(weightDecay), maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad,
                                         T lr, T weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        T sign = maximize ? -T.One : T.One;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust>(t, gv, k, lr, weightDecay, sign);
                Update<T, TAdjust>(t, gv, k + q, lr, weightDecay, sign);
                Update<T, TAdjust>(t, gv, k + 2 * q, lr, weightDecay, sign);
                Update<T, TAdjust>(t, gv, k + 3 * q, lr, weightDecay, sign);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust>(t, gv, k, lr, weightDecay, sign);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            theta[i] -= g * lr;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv, int k,
                                           T lr, T weightDecay, T sign)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        t[k] -= g * lr;
    }
}
