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
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                            Span<T> maxExpAvgSq, double beta1, double beta2, double epsilon,
                            double weightDecay, double shrink, bool maximize, bool amsgrad,
                            double stepSize, double biasCorrection2Sqrt)
        where T : unmanaged, IFloatingPointIeee754<T>
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

        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(beta1), T.CreateTruncating(1 - beta1), T.CreateTruncating(beta2),
                               T.CreateTruncating(1 - beta2), T.CreateTruncating(epsilon), T.CreateTruncating(weightDecay),
                               T.CreateTruncating(shrink), maximize ? -T.One : T.One, T.CreateTruncating(stepSize),
                               T.CreateTruncating(biasCorrection2Sqrt));
        bool shrinks = shrink != 1;
        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, shrinks, amsgrad);
        }
        else
        {
            Step<T, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, shrinks, amsgrad);
        }
    }

    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                      Span<T> maxExpAvgSq, in Scalars<T> s, bool shrinks, bool amsgrad)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        if (shrinks)
        {
            Step<T, TAdjust, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, amsgrad);
        }
        else
        {
            Step<T, TAdjust, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s, amsgrad);
        }
    }

    private static void Step<T, TAdjust, TShrink>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg,
                                               Span<T> expAvgSq, Span<T> maxExpAvgSq, in Scalars<T> s, bool amsgrad)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
    {
        if (amsgrad)
        {
            Step<T, TAdjust, TShrink, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
        else
        {
            Step<T, TAdjust, TShrink, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
    }

    /// <summary>The loop, compiled once per combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust, TShrink, TAmsgrad>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg,
                                                         Span<T> expAvgSq, Span<T> maxExpAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
        where TAmsgrad : struct, IFlag
    {
        T beta1 = s.Beta1, gradientShare = s.GradientShare, beta2 = s.Beta2, squareShare = s.SquareShare;
        T epsilon = s.Epsilon, weightDecay = s.WeightDecay, shrink = s.Shrink;
        T sign = s.Sign, stepSize = s.StepSize, biasCorrection2Sqrt = s.BiasCorrection2Sqrt;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var eps = new Vector<T>(epsilon);
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var mv = MemoryMarshal.Cast<T, Vector<T>>(expAvg);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(expAvgSq);
            var xv = MemoryMarshal.Cast<T, Vector<T>>(maxExpAvgSq);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
                Update<T, TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k + q, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
                Update<T, TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k + 2 * q, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
                Update<T, TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k + 3 * q, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust, TShrink, TAmsgrad>(t, gv, mv, vv, xv, k, shrink, sign, weightDecay, beta1,
                                                   gradientShare, beta2, squareShare, biasCorrection2Sqrt, eps,
                                                   stepSize);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T th = TShrink.IsOn ? theta[i] * shrink : theta[i];
            T g = TAdjust.IsOn ? grad[i] * sign + th * weightDecay : grad[i];
            T m = expAvg[i] * beta1 + gradientShare * g;
            T v = expAvgSq[i] * beta2 + squareShare * g * g;
            expAvg[i] = m;
            expAvgSq[i] = v;
            T vHat = v;
            if (TAmsgrad.IsOn)
            {
                vHat = T.Max(maxExpAvgSq[i], v);
                maxExpAvgSq[i] = vHat;
            }

            T denom = T.Sqrt(vHat) / biasCorrection2Sqrt + epsilon;
            theta[i] = th - stepSize * m / denom;
        }
    }

    /// <summary>β₁, 1 − β₁, β₂, 1 − β₂, ε, λ, the shrink factor, the sign of the gradient (−1 when maximising), s and c₂.</summary>
    private readonly record struct Scalars<T>(T Beta1, T GradientShare, T Beta2, T SquareShare, T Epsilon, T WeightDecay,
                                              T Shrink, T Sign, T StepSize, T BiasCorrection2Sqrt)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust, TShrink, TAmsgrad>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                                           Span<Vector<T>> mv, Span<Vector<T>> vv,
                                                           Span<Vector<T>> xv, int k, T shrink, T sign,
                                                           T weightDecay, T beta1, T gradientShare,
                                                           T beta2, T squareShare, T biasCorrection2Sqrt,
                                                           Vector<T> eps, T stepSize)
        where T : unmanaged, IFloatingPointIeee754<T>
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
