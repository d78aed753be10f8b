using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The RMSProp (torch.optim.RMSprop) update as one fused pass over spans.</summary>
internal static class RMSPropKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  v[i] = α·v[i] + ((1 − α)·g)·g;</c>
    /// centered: <c>ḡ[i] = lerp(ḡ[i], g, 1 − α);  d = √max(v[i] − ḡ[i]·ḡ[i], 0) + ε</c>, else <c>d = √v[i] + ε</c>;
    /// with momentum μ &gt; 0: <c>b[i] = μ·b[i] + g/d;  θ[i] = θ[i] − γ·b[i]</c>, else <c>θ[i] = θ[i] − (γ·g)/d</c>.
    /// <paramref name="gradAvg"/> is read only when <paramref name="centered"/> and <paramref name="momentumBuffer"/>
    /// only when μ &gt; 0; otherwise they may be empty.
    /// </summary>
    /// <remarks>
    /// The centred variance v − ḡ² is ≥ 0 in exact arithmetic but can round to a tiny negative number once v and ḡ²
    /// agree to the last bits (a gradient that stays constant for a while: a few steps at α = 0.001, thousands at
    /// α = 0.99). torch.optim takes the square root of it as it is and returns NaN from then on; this kernel clamps it
    /// at 0 (a NaN variance, from ∞ − ∞, stays NaN). Results that torch computes without NaN are unchanged bit for bit.
    /// </remarks>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg,
                            Span<T> gradAvg, Span<T> momentumBuffer,
                            double lr, double alpha, double eps, double weightDecay, double momentum,
                            bool centered, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, squareAvg.Length);
        bool useMomentum = momentum > 0;
        if (centered)
        {
            Kernel.CheckLengths(theta.Length, gradAvg.Length);
        }

        if (useMomentum)
        {
            Kernel.CheckLengths(theta.Length, momentumBuffer.Length);
        }

        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(squareAvg, head), Kernel.Head(gradAvg, head),
                 Kernel.Head(momentumBuffer, head), lr, alpha, eps, weightDecay, momentum, centered, maximize);
            Step(theta[head..], grad[head..], Kernel.Tail(squareAvg, head), Kernel.Tail(gradAvg, head),
                 Kernel.Tail(momentumBuffer, head), lr, alpha, eps, weightDecay, momentum, centered, maximize);
            return;
        }

        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
        else
        {
            Step<T, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg,
                                      Span<T> gradAvg, Span<T> momentumBuffer,
                                      double lr, double alpha, double eps, double weightDecay, double momentum,
                                      bool centered, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        if (centered)
        {
            Step<T, TAdjust, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
        else
        {
            Step<T, TAdjust, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    private static void Step<T, TAdjust, TCentered>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg,
                                                 Span<T> gradAvg, Span<T> momentumBuffer,
                                                 double lr, double alpha, double eps, double weightDecay, double momentum,
                                                 bool centered, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
    {
        if (momentum > 0)
        {
            Step<T, TAdjust, TCentered, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
        else
        {
            Step<T, TAdjust, TCentered, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust, TCentered, TMomentum>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg,
                                                            Span<T> gradAvg, Span<T> momentumBuffer,
                                                            double lrDouble, double alphaDouble, double epsDouble, double weightDecayDouble, double momentumDouble,
                                                            bool centered, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
        where TMomentum : struct, IFlag
    {
        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        T lr = T.CreateTruncating(lrDouble);
        T alpha = T.CreateTruncating(alphaDouble);
        T eps = T.CreateTruncating(epsDouble);
        T weightDecay = T.CreateTruncating(weightDecayDouble);
        T momentum = T.CreateTruncating(momentumDouble);
        T sign = maximize ? -T.One : T.One;
        T gradientShare = T.CreateTruncating(1 - alphaDouble);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<T>(eps);
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(squareAvg);
            var av = MemoryMarshal.Cast<T, Vector<T>>(gradAvg);
            var bv = MemoryMarshal.Cast<T, Vector<T>>(momentumBuffer);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k, sign, weightDecay, alpha, gradientShare,
                                                      epsilon, momentum, lr);
                Update<T, TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k + q, sign, weightDecay, alpha, gradientShare,
                                                      epsilon, momentum, lr);
                Update<T, TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k + 2 * q, sign, weightDecay, alpha,
                                                      gradientShare, epsilon, momentum, lr);
                Update<T, TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k + 3 * q, sign, weightDecay, alpha,
                                                      gradientShare, epsilon, momentum, lr);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k, sign, weightDecay, alpha, gradientShare,
                                                      epsilon, momentum, lr);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            T v = squareAvg[i] * alpha + g * gradientShare * g;
            squareAvg[i] = v;
            T d;
            if (TCentered.IsOn)
            {
                T mean = Lerp.Of(gradAvg[i], g, gradientShare);
                gradAvg[i] = mean;
                T variance = v - mean * mean;
                d = T.Sqrt(variance < T.Zero ? T.Zero : variance) + eps;
            }
            else
            {
                d = T.Sqrt(v) + eps;
            }

            if (TMomentum.IsOn)
            {
                T b = momentumBuffer[i] * momentum + g / d;
                momentumBuffer[i] = b;
                theta[i] -= b * lr;
            }
            else
            {
                theta[i] -= g * lr / d;
            }
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust, TCentered, TMomentum>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                                              Span<Vector<T>> vv, Span<Vector<T>> av,
                                                              Span<Vector<T>> bv, int k, T sign,
                                                              T weightDecay, T alpha, T gradientShare,
                                                              Vector<T> epsilon, T momentum, T lr)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
        where TMomentum : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var v = vv[k] * alpha + g * gradientShare * g;
        vv[k] = v;
        Vector<T> d;
        if (TCentered.IsOn)
        {
            var mean = Lerp.Of(av[k], g, gradientShare);
            av[k] = mean;
            var variance = v - mean * mean;
            variance = Vector.ConditionalSelect(Vector.LessThan(variance, Vector<T>.Zero), Vector<T>.Zero, variance);
            d = Vector.SquareRoot(variance) + epsilon;
        }
        else
        {
            d = Vector.SquareRoot(v) + epsilon;
        }

        if (TMomentum.IsOn)
        {
            var b = bv[k] * momentum + g / d;
            bv[k] = b;
            t[k] -= b * lr;
        }
        else
        {
            t[k] -= g * lr / d;
        }
    }
}
