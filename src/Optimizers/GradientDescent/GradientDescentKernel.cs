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
    /// <remarks>
    /// torch.optim.SGD's order exactly (<c>grad.add(param, alpha=λ)</c>, <c>param.add_(grad, alpha=−α)</c>, without
    /// fused multiply-adds): the same bits as its text, in float64 and float32.
    /// <paramref name="grad"/> may be <paramref name="theta"/> itself (each element is read before it is written).
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="grad"/> is not as long as <paramref name="theta"/>; nothing is written.</exception>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad,
                            double lr, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured faster here in cache (1.10–1.17×) and out of it (1.04–1.08×); see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: true, outOfCache: true))
        {
            Step<T, Simd512<T>>(theta, grad, lr, weightDecay, maximize);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, lr, weightDecay, maximize);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, double lr, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], lr, weightDecay, maximize);
            Step<T, TV>(theta[head..], grad[head..], lr, weightDecay, maximize);
            return;
        }

        T sign = maximize ? -T.One : T.One;
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, TV, On>(theta, grad, T.CreateTruncating(lr), T.CreateTruncating(weightDecay), sign);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, T.CreateTruncating(lr), T.CreateTruncating(weightDecay), sign);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, T lr, T weightDecay, T sign)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            TV lrv = TV.Create(lr), decay = TV.Create(weightDecay), signv = TV.Create(sign);
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, i, lrv, decay, signv);
                Update<T, TV, TAdjust>(ref t, ref g, i + q, lrv, decay, signv);
                Update<T, TV, TAdjust>(ref t, ref g, i + 2 * q, lrv, decay, signv);
                Update<T, TV, TAdjust>(ref t, ref g, i + 3 * q, lrv, decay, signv);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, i, lrv, decay, signv);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T g = TAdjust.IsOn ? grad[j] * sign + theta[j] * weightDecay : grad[j];
            theta[j] -= g * lr;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust>(ref T theta, ref T grad, nuint i, TV lr, TV weightDecay, TV sign)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        var t = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * sign + t * weightDecay : TV.Load(ref grad, i);
        (t - g * lr).Store(ref theta, i);
    }
}
