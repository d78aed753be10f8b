using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The momentum (torch.optim.SGD) update as one fused pass over spans.</summary>
internal static class MomentumKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  b[i] = first ? g : μ·b[i] + (1 − τ)·g;  d = nesterov ? g + μ·b[i] : b[i];  θ[i] = θ[i] − α·d</c>.
    /// </summary>
    /// <remarks>
    /// torch.optim.SGD's order exactly (<c>buf.mul_(μ).add_(g, alpha=1 − τ)</c>, <c>g.add(buf, alpha=μ)</c>,
    /// <c>param.add_(d, alpha=−α)</c>, without fused multiply-adds): the same bits as its text, in float64 and float32.
    /// Terms of options that are off (sign, λ·θ, (1 − τ)·g with τ = 0) are skipped, not computed with neutral
    /// values (see <see cref="Kernel.AdjustsGradient"/>): one loop is compiled per combination of options (see
    /// <see cref="IFlag"/>). <paramref name="grad"/> may be <paramref name="theta"/> itself (each element is read before it is written).
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="grad"/> or <paramref name="buffer"/> is not as long as <paramref name="theta"/>; nothing is written.</exception>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer,
                            double lr, double mu, double dampening, bool nesterov,
                            double weightDecay, bool maximize, bool firstStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured as fast in cache (float32: 1.03–1.06× faster) and faster out of it (1.03–1.04×); see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: true, outOfCache: true))
        {
            Step<T, Simd512<T>>(theta, grad, buffer, lr, mu, dampening, nesterov, weightDecay, maximize, firstStep);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, buffer, lr, mu, dampening, nesterov, weightDecay, maximize, firstStep);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer,
                                  double lr, double mu, double dampening, bool nesterov,
                                  double weightDecay, bool maximize, bool firstStep)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, buffer.Length);

        // α, μ, 1 − τ and λ are formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(lr), T.CreateTruncating(mu), T.CreateTruncating(1 - dampening),
                               T.CreateTruncating(weightDecay), maximize ? -T.One : T.One,
                               Kernel.AdjustsGradient(maximize, weightDecay), firstStep, nesterov, dampening != 0);
        Step<T, TV>(theta, grad, buffer, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], Kernel.Head(buffer, head), s);
            Step<T, TV>(theta[head..], grad[head..], Kernel.Tail(buffer, head), s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, buffer, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, buffer, s);
        }
    }

    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        if (s.First)
        {
            Step<T, TV, TAdjust, On>(theta, grad, buffer, s);
        }
        else
        {
            Step<T, TV, TAdjust, Off>(theta, grad, buffer, s);
        }
    }

    private static void Step<T, TV, TAdjust, TFirst>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
    {
        if (s.Nesterov)
        {
            Step<T, TV, TAdjust, TFirst, On>(theta, grad, buffer, s);
        }
        else
        {
            Step<T, TV, TAdjust, TFirst, Off>(theta, grad, buffer, s);
        }
    }

    private static void Step<T, TV, TAdjust, TFirst, TNesterov>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer,
                                                             in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
    {
        if (s.Dampen)
        {
            Step<T, TV, TAdjust, TFirst, TNesterov, On>(theta, grad, buffer, s);
        }
        else
        {
            Step<T, TV, TAdjust, TFirst, TNesterov, Off>(theta, grad, buffer, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust, TFirst, TNesterov, TDampen>(Span<T> theta, ReadOnlySpan<T> grad,
                                                                      Span<T> buffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
        where TDampen : struct, IFlag
    {
        T lr = s.Lr, mu = s.Mu, gradientShare = s.GradientShare, weightDecay = s.WeightDecay, sign = s.Sign;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T b = ref MemoryMarshal.GetReference(buffer);
            var v = new VectorScalars<TV>(TV.Create(lr), TV.Create(mu), TV.Create(gradientShare), TV.Create(weightDecay),
                                          TV.Create(sign));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust, TFirst, TNesterov, TDampen>(ref t, ref g, ref b, i, v);
                Update<T, TV, TAdjust, TFirst, TNesterov, TDampen>(ref t, ref g, ref b, i + q, v);
                Update<T, TV, TAdjust, TFirst, TNesterov, TDampen>(ref t, ref g, ref b, i + 2 * q, v);
                Update<T, TV, TAdjust, TFirst, TNesterov, TDampen>(ref t, ref g, ref b, i + 3 * q, v);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust, TFirst, TNesterov, TDampen>(ref t, ref g, ref b, i, v);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T g = TAdjust.IsOn ? grad[j] * sign + theta[j] * weightDecay : grad[j];
            T b = TFirst.IsOn ? g : buffer[j] * mu + (TDampen.IsOn ? g * gradientShare : g);
            buffer[j] = b;
            T d = TNesterov.IsOn ? g + b * mu : b;
            theta[j] -= d * lr;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust, TFirst, TNesterov, TDampen>(ref T theta, ref T grad, ref T buffer, nuint i,
                                                                        in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
        where TDampen : struct, IFlag
    {
        var t = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + t * s.WeightDecay : TV.Load(ref grad, i);
        var b = TFirst.IsOn ? g : TV.Load(ref buffer, i) * s.Mu + (TDampen.IsOn ? g * s.GradientShare : g);
        b.Store(ref buffer, i);
        var d = TNesterov.IsOn ? g + b * s.Mu : b;
        (t - d * s.Lr).Store(ref theta, i);
    }

    /// <summary>α, μ, 1 − τ, λ, the sign of the gradient (−1 when maximising), and the options.</summary>
    private readonly record struct Scalars<T>(T Lr, T Mu, T GradientShare, T WeightDecay, T Sign,
                                              bool Adjust, bool First, bool Nesterov, bool Dampen)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The same scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV Lr, TV Mu, TV GradientShare, TV WeightDecay, TV Sign)
        where TV : struct;
}
