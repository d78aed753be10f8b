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
    /// <remarks>Terms of options that are off (sign, λ·θ, (1 − τ)·g with τ = 0) are skipped, not computed with neutral
    /// values (see <see cref="Kernel.AdjustsGradient"/>): one loop is compiled per combination of options (see
    /// <see cref="IFlag"/>). <paramref name="grad"/> may be <paramref name="theta"/> itself (each element is read before it is written).</remarks>
    /// <exception cref="ArgumentException"><paramref name="grad"/> or <paramref name="buffer"/> is not as long as <paramref name="theta"/>; nothing is written.</exception>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer,
                            double lr, double mu, double dampening, bool nesterov,
                            double weightDecay, bool maximize, bool firstStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, buffer.Length);
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(buffer, head), lr, mu, dampening, nesterov, weightDecay,
                 maximize, firstStep);
            Step(theta[head..], grad[head..], Kernel.Tail(buffer, head), lr, mu, dampening, nesterov, weightDecay,
                 maximize, firstStep);
            return;
        }

        // α, μ, 1 − τ and λ are formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(lr), T.CreateTruncating(mu), T.CreateTruncating(1 - dampening),
                               T.CreateTruncating(weightDecay), maximize ? -T.One : T.One);
        bool dampen = dampening != 0;
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, buffer, s, firstStep, nesterov, dampen);
        }
        else
        {
            Step<T, Off>(theta, grad, buffer, s, firstStep, nesterov, dampen);
        }
    }

    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer, in Scalars<T> s,
                                      bool firstStep, bool nesterov, bool dampen)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        if (firstStep)
        {
            Step<T, TAdjust, On>(theta, grad, buffer, s, nesterov, dampen);
        }
        else
        {
            Step<T, TAdjust, Off>(theta, grad, buffer, s, nesterov, dampen);
        }
    }

    private static void Step<T, TAdjust, TFirst>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer, in Scalars<T> s,
                                              bool nesterov, bool dampen)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
    {
        if (nesterov)
        {
            Step<T, TAdjust, TFirst, On>(theta, grad, buffer, s, dampen);
        }
        else
        {
            Step<T, TAdjust, TFirst, Off>(theta, grad, buffer, s, dampen);
        }
    }

    private static void Step<T, TAdjust, TFirst, TNesterov>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer,
                                                         in Scalars<T> s, bool dampen)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
    {
        if (dampen)
        {
            Step<T, TAdjust, TFirst, TNesterov, On>(theta, grad, buffer, s);
        }
        else
        {
            Step<T, TAdjust, TFirst, TNesterov, Off>(theta, grad, buffer, s);
        }
    }

    /// <summary>The loop, compiled once per combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust, TFirst, TNesterov, TDampen>(Span<T> theta, ReadOnlySpan<T> grad,
                                                                  Span<T> buffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
        where TDampen : struct, IFlag
    {
        T lr = s.Lr, mu = s.Mu, gradientShare = s.GradientShare, weightDecay = s.WeightDecay, sign = s.Sign;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var bv = MemoryMarshal.Cast<T, Vector<T>>(buffer);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k, lr, mu, gradientShare, weightDecay, sign);
                Update<T, TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k + q, lr, mu, gradientShare, weightDecay, sign);
                Update<T, TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k + 2 * q, lr, mu, gradientShare, weightDecay, sign);
                Update<T, TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k + 3 * q, lr, mu, gradientShare, weightDecay, sign);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k, lr, mu, gradientShare, weightDecay, sign);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            T b = TFirst.IsOn ? g : buffer[i] * mu + (TDampen.IsOn ? g * gradientShare : g);
            buffer[i] = b;
            T d = TNesterov.IsOn ? g + b * mu : b;
            theta[i] -= d * lr;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust, TFirst, TNesterov, TDampen>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                                                    Span<Vector<T>> bv, int k, T lr, T mu,
                                                                    T gradientShare, T weightDecay, T sign)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
        where TDampen : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var b = TFirst.IsOn ? g : bv[k] * mu + (TDampen.IsOn ? g * gradientShare : g);
        bv[k] = b;
        var d = TNesterov.IsOn ? g + b * mu : b;
        t[k] -= d * lr;
    }

    /// <summary>α, μ, 1 − τ, λ and the sign of the gradient (−1 when maximising).</summary>
    private readonly record struct Scalars<T>(T Lr, T Mu, T GradientShare, T WeightDecay, T Sign)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
