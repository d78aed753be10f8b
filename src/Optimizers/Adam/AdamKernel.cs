using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The Adam update (with its AMSGrad and AdamW variants) as one fused pass over spans.</summary>
internal static class AdamKernel
{
    /// <summary>
    /// Per element:
    /// <c>θ[i] = θ[i]·shrink;  g = ±grad[i] + λ·θ[i];  m[i] = β₁·m[i] + (1 − β₁)·g;  v[i] = β₂·v[i] + (1 − β₂)·g·g;
    /// v̂ = amsgrad ? (vmax[i] = max(vmax[i], v[i])) : v[i];  θ[i] = θ[i] − s·m[i] / (√v̂ / c₂ + ε)</c>.
    /// </summary>
    /// <remarks>
    /// Adam passes its L2 coefficient as <paramref name="weightDecay"/> and <paramref name="shrink"/> = 1; AdamW passes
    /// <paramref name="weightDecay"/> = 0 and <paramref name="shrink"/> = 1 − α·λ (decoupled decay). The unused form is
    /// skipped rather than computed with its neutral value (θ·1, g + 0·θ: see <see cref="Kernel.AdjustsGradient"/>), so it
    /// costs no per-element work and changes no bit; one loop is compiled per combination of options (see <see cref="IFlag"/>).
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the first moment, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment, updated in place.</param>
    /// <param name="maxExpAvgSq">vmax, the running maximum of v (AMSGrad); ignored, and may be empty, when <paramref name="amsgrad"/> is false.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added after the bias-corrected square root.</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient (0 for AdamW).</param>
    /// <param name="shrink">The factor θ is multiplied by before the step (1 − α·λ for AdamW, 1 for Adam).</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="amsgrad">Normalise by the running maximum of v instead of v.</param>
    /// <param name="stepSize">s = α / (1 − β₁ᵗ).</param>
    /// <param name="biasCorrection2Sqrt">c₂ = √(1 − β₂ᵗ).</param>
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                            Span<double> maxExpAvgSq, double beta1, double beta2, double epsilon,
                            double weightDecay, double shrink, bool maximize, bool amsgrad,
                            double stepSize, double biasCorrection2Sqrt)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        if (amsgrad)
        {
            Kernel.CheckLengths(theta.Length, maxExpAvgSq.Length);
        }

        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(expAvg, head), Kernel.Head(expAvgSq, head),
                 Kernel.Head(maxExpAvgSq, head), beta1, beta2, epsilon, weightDecay, shrink, maximize, amsgrad,
                 stepSize, biasCorrection2Sqrt);
            Step(theta[head..], grad[head..], Kernel.Tail(expAvg, head), Kernel.Tail(expAvgSq, head),
                 Kernel.Tail(maxExpAvgSq, head), beta1, beta2, epsilon, weightDecay, shrink, maximize, amsgrad,
                 stepSize, biasCorrection2Sqrt);
            return;
        }

        var s = new Scalars(beta1, beta2, epsilon, weightDecay, shrink, maximize ? -1.0 : 1.0, stepSize, biasCorrection2Sqrt);
        bool shrinks = shrink != 1;
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, shrinks, amsgrad);
        }
        else
        {
            Step<Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, shrinks, amsgrad);
        }
    }

    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                                      Span<double> maxExpAvgSq, in Scalars s, bool shrinks, bool amsgrad)
        where TAdjust : struct, IFlag
    {
        if (shrinks)
        {
            Step<TAdjust, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, amsgrad);
        }
        else
        {
            Step<TAdjust, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, amsgrad);
        }
    }

    private static void Step<TAdjust, TShrink>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg,
                                               Span<double> expAvgSq, Span<double> maxExpAvgSq, in Scalars s, bool amsgrad)
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
    {
        if (amsgrad)
        {
            Step<TAdjust, TShrink, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
        else
        {
            Step<TAdjust, TShrink, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
    }

    /// <summary>The loop, compiled once per combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<TAdjust, TShrink, TAmsgrad>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg,
                                                         Span<double> expAvgSq, Span<double> maxExpAvgSq, in Scalars s)
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
        where TAmsgrad : struct, IFlag
    {
        double beta1 = s.Beta1, beta2 = s.Beta2, epsilon = s.Epsilon, weightDecay = s.WeightDecay, shrink = s.Shrink;
        double sign = s.Sign, stepSize = s.StepSize, biasCorrection2Sqrt = s.BiasCorrection2Sqrt;
        double gradientShare = 1 - beta1;
        double squareShare = 1 - beta2;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var eps = new Vector<double>(epsilon);
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var mv = MemoryMarshal.Cast<double, Vector<double>>(expAvg);
            var vv = MemoryMarshal.Cast<double, Vector<double>>(expAvgSq);
            var xv = MemoryMarshal.Cast<double, Vector<double>>(maxExpAvgSq);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
                Update<TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k + q, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
                Update<TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k + 2 * q, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
                Update<TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k + 3 * q, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double th = TShrink.IsOn ? theta[i] * shrink : theta[i];
            double g = TAdjust.IsOn ? grad[i] * sign + th * weightDecay : grad[i];
            double m = expAvg[i] * beta1 + gradientShare * g;
            double v = expAvgSq[i] * beta2 + squareShare * g * g;
            expAvg[i] = m;
            expAvgSq[i] = v;
            double vHat = v;
            if (TAmsgrad.IsOn)
            {
                vHat = Math.Max(maxExpAvgSq[i], v);
                maxExpAvgSq[i] = vHat;
            }

            double denom = Math.Sqrt(vHat) / biasCorrection2Sqrt + epsilon;
            theta[i] = th - stepSize * m / denom;
        }
    }

    /// <summary>β₁, β₂, ε, λ, the shrink factor, the sign of the gradient (−1 when maximising), s and c₂.</summary>
    private readonly record struct Scalars(double Beta1, double Beta2, double Epsilon, double WeightDecay, double Shrink,
                                           double Sign, double StepSize, double BiasCorrection2Sqrt);

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TAdjust, TShrink, TAmsgrad>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv,
                                                           Span<Vector<double>> mv, Span<Vector<double>> vv,
                                                           Span<Vector<double>> xv, int k, double shrink, double sign,
                                                           double weightDecay, double beta1, double gradientShare,
                                                           double beta2, double squareShare, double biasCorrection2Sqrt,
                                                           Vector<double> eps, double stepSize)
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
        where TAmsgrad : struct, IFlag
    {
        var th = TShrink.IsOn ? t[k] * shrink : t[k];
        var g = TAdjust.IsOn ? gv[k] * sign + th * weightDecay : gv[k];
        var m = mv[k] * beta1 + gradientShare * g;
        var v = vv[k] * beta2 + squareShare * g * g;
        mv[k] = m;
        vv[k] = v;
        var vHat = v;
        if (TAmsgrad.IsOn)
        {
            vHat = Vector.Max(xv[k], v);
            xv[k] = vHat;
        }

        var denom = Vector.SquareRoot(vHat) / biasCorrection2Sqrt + eps;
        t[k] = th - stepSize * m / denom;
    }
}
