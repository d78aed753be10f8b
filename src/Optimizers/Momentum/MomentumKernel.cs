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
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> buffer,
                            double lr, double mu, double dampening, bool nesterov,
                            double weightDecay, bool maximize, bool firstStep)
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

        var s = new Scalars(lr, mu, 1 - dampening, weightDecay, maximize ? -1.0 : 1.0);
        bool dampen = dampening != 0;
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<On>(theta, grad, buffer, s, firstStep, nesterov, dampen);
        }
        else
        {
            Step<Off>(theta, grad, buffer, s, firstStep, nesterov, dampen);
        }
    }

    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> buffer, in Scalars s,
                                      bool firstStep, bool nesterov, bool dampen)
        where TAdjust : struct, IFlag
    {
        if (firstStep)
        {
            Step<TAdjust, On>(theta, grad, buffer, s, nesterov, dampen);
        }
        else
        {
            Step<TAdjust, Off>(theta, grad, buffer, s, nesterov, dampen);
        }
    }

    private static void Step<TAdjust, TFirst>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> buffer, in Scalars s,
                                              bool nesterov, bool dampen)
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
    {
        if (nesterov)
        {
            Step<TAdjust, TFirst, On>(theta, grad, buffer, s, dampen);
        }
        else
        {
            Step<TAdjust, TFirst, Off>(theta, grad, buffer, s, dampen);
        }
    }

    private static void Step<TAdjust, TFirst, TNesterov>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> buffer,
                                                         in Scalars s, bool dampen)
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
    {
        if (dampen)
        {
            Step<TAdjust, TFirst, TNesterov, On>(theta, grad, buffer, s);
        }
        else
        {
            Step<TAdjust, TFirst, TNesterov, Off>(theta, grad, buffer, s);
        }
    }

    /// <summary>The loop, compiled once per combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<TAdjust, TFirst, TNesterov, TDampen>(Span<double> theta, ReadOnlySpan<double> grad,
                                                                  Span<double> buffer, in Scalars s)
        where TAdjust : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
        where TDampen : struct, IFlag
    {
        double lr = s.Lr, mu = s.Mu, gradientShare = s.GradientShare, weightDecay = s.WeightDecay, sign = s.Sign;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var bv = MemoryMarshal.Cast<double, Vector<double>>(buffer);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k, lr, mu, gradientShare, weightDecay, sign);
                Update<TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k + q, lr, mu, gradientShare, weightDecay, sign);
                Update<TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k + 2 * q, lr, mu, gradientShare, weightDecay, sign);
                Update<TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k + 3 * q, lr, mu, gradientShare, weightDecay, sign);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust, TFirst, TNesterov, TDampen>(t, gv, bv, k, lr, mu, gradientShare, weightDecay, sign);
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            double b = TFirst.IsOn ? g : buffer[i] * mu + (TDampen.IsOn ? g * gradientShare : g);
            buffer[i] = b;
            double d = TNesterov.IsOn ? g + b * mu : b;
            theta[i] -= d * lr;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TAdjust, TFirst, TNesterov, TDampen>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv,
                                                                    Span<Vector<double>> bv, int k, double lr, double mu,
                                                                    double gradientShare, double weightDecay, double sign)
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
    private readonly record struct Scalars(double Lr, double Mu, double GradientShare, double WeightDecay, double Sign);
}
