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
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg,
                            Span<double> gradAvg, Span<double> momentumBuffer,
                            double lr, double alpha, double eps, double weightDecay, double momentum,
                            bool centered, bool maximize)
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
            Step<On>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
        else
        {
            Step<Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg,
                                      Span<double> gradAvg, Span<double> momentumBuffer,
                                      double lr, double alpha, double eps, double weightDecay, double momentum,
                                      bool centered, bool maximize)
        where TAdjust : struct, IFlag
    {
        if (centered)
        {
            Step<TAdjust, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
        else
        {
            Step<TAdjust, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    private static void Step<TAdjust, TCentered>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg,
                                                 Span<double> gradAvg, Span<double> momentumBuffer,
                                                 double lr, double alpha, double eps, double weightDecay, double momentum,
                                                 bool centered, bool maximize)
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
    {
        if (momentum > 0)
        {
            Step<TAdjust, TCentered, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
        else
        {
            Step<TAdjust, TCentered, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<TAdjust, TCentered, TMomentum>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> squareAvg,
                                                            Span<double> gradAvg, Span<double> momentumBuffer,
                                                            double lr, double alpha, double eps, double weightDecay, double momentum,
                                                            bool centered, bool maximize)
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
        where TMomentum : struct, IFlag
    {
        double sign = maximize ? -1.0 : 1.0;
        double gradientShare = 1 - alpha;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<double>(eps);
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var vv = MemoryMarshal.Cast<double, Vector<double>>(squareAvg);
            var av = MemoryMarshal.Cast<double, Vector<double>>(gradAvg);
            var bv = MemoryMarshal.Cast<double, Vector<double>>(momentumBuffer);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k, sign, weightDecay, alpha, gradientShare,
                                                      epsilon, momentum, lr);
                Update<TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k + q, sign, weightDecay, alpha, gradientShare,
                                                      epsilon, momentum, lr);
                Update<TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k + 2 * q, sign, weightDecay, alpha,
                                                      gradientShare, epsilon, momentum, lr);
                Update<TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k + 3 * q, sign, weightDecay, alpha,
                                                      gradientShare, epsilon, momentum, lr);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust, TCentered, TMomentum>(t, gv, vv, av, bv, k, sign, weightDecay, alpha, gradientShare,
                                                      epsilon, momentum, lr);
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            double v = squareAvg[i] * alpha + g * gradientShare * g;
            squareAvg[i] = v;
            double d;
            if (TCentered.IsOn)
            {
                double mean = Lerp.Of(gradAvg[i], g, gradientShare);
                gradAvg[i] = mean;
                double variance = v - mean * mean;
                d = Math.Sqrt(variance < 0 ? 0 : variance) + eps;
            }
            else
            {
                d = Math.Sqrt(v) + eps;
            }

            if (TMomentum.IsOn)
            {
                double b = momentumBuffer[i] * momentum + g / d;
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
    private static void Update<TAdjust, TCentered, TMomentum>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv,
                                                              Span<Vector<double>> vv, Span<Vector<double>> av,
                                                              Span<Vector<double>> bv, int k, double sign,
                                                              double weightDecay, double alpha, double gradientShare,
                                                              Vector<double> epsilon, double momentum, double lr)
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
        where TMomentum : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var v = vv[k] * alpha + g * gradientShare * g;
        vv[k] = v;
        Vector<double> d;
        if (TCentered.IsOn)
        {
            var mean = Lerp.Of(av[k], g, gradientShare);
            av[k] = mean;
            var variance = v - mean * mean;
            variance = Vector.ConditionalSelect(Vector.LessThan(variance, Vector<double>.Zero), Vector<double>.Zero, variance);
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
