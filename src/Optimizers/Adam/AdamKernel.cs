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
    /// v̂ = amsgrad ? (vmax[i] = max(vmax[i], v[i])) : v[i];  θ[i] = θ[i] − (s·c₂)·m[i] / (√v̂ + ε·c₂)</c>,
    /// which is s·m[i] / (√v̂/c₂ + ε) with numerator and denominator multiplied by c₂.
    /// </summary>
    /// <remarks>
    /// Adam passes its L2 coefficient as <paramref name="weightDecay"/> and <paramref name="shrink"/> = 1; AdamW passes
    /// <paramref name="weightDecay"/> = 0 and <paramref name="shrink"/> = 1 − α·λ (decoupled decay). The unused form is
    /// skipped rather than computed with its neutral value (θ·1, g + 0·θ: see <see cref="Kernel.AdjustsGradient"/>), so it
    /// costs no per-element work and changes no bit; one loop is compiled per combination of options (see <see cref="IFlag"/>).
    /// <para>
    /// Departs from torch.optim.Adam's order in one place: torch divides twice per element,
    /// <c>denom = (v.sqrt() / c₂).add_(ε);  param.addcdiv_(m, denom, value=−s)</c>; this kernel multiplies numerator and
    /// denominator by c₂, with s·c₂ and ε·c₂ formed once per call (in double, then rounded to T), so that an element
    /// takes one square root, one division and no scaling of √v̂. The step then differs from torch's by at most 6 units
    /// in the last place (ulps) of the step (the most seen over 10⁷ random draws of v, m, s and t: 5 in float64, 6 in
    /// float32), and θ by no more than that share of its update. In cache, where the square root and the divisions
    /// bound Adam, torch's second division cost ~1.4× per step, and multiplying √v̂ by 1/c₂ instead still ~1.1× in
    /// float32. The first moment is torch 1.13's <c>m.mul_(β₁).add_(g, alpha=1 − β₁)</c> (2.x's <c>lerp_</c> is the
    /// same value, rounded differently).
    /// </para>
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
        // Vector512 measured no faster than Vector<T> for this rule, in cache or out of it; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: false, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, beta1, beta2, epsilon, weightDecay, shrink, maximize, amsgrad, stepSize, biasCorrection2Sqrt);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, beta1, beta2, epsilon, weightDecay, shrink, maximize, amsgrad, stepSize, biasCorrection2Sqrt);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                  Span<T> maxExpAvgSq, double beta1, double beta2, double epsilon,
                                  double weightDecay, double shrink, bool maximize, bool amsgrad,
                                  double stepSize, double biasCorrection2Sqrt)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        if (amsgrad)
        {
            Kernel.CheckLengths(theta.Length, maxExpAvgSq.Length);
        }

        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars;
        // s·c₂ and ε·c₂ too (once per call), so that each element divides once and scales nothing.
        var s = new Scalars<T>(T.CreateTruncating(beta1), T.CreateTruncating(1 - beta1), T.CreateTruncating(beta2),
                               T.CreateTruncating(1 - beta2), T.CreateTruncating(epsilon * biasCorrection2Sqrt),
                               T.CreateTruncating(weightDecay), T.CreateTruncating(shrink), maximize ? -T.One : T.One,
                               T.CreateTruncating(stepSize * biasCorrection2Sqrt), Kernel.AdjustsGradient(maximize, weightDecay),
                               shrink != 1, amsgrad);
        Step<T, TV>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                 Span<T> maxExpAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], Kernel.Head(expAvg, head), Kernel.Head(expAvgSq, head),
                        Kernel.Head(maxExpAvgSq, head), s);
            Step<T, TV>(theta[head..], grad[head..], Kernel.Tail(expAvg, head), Kernel.Tail(expAvgSq, head),
                        Kernel.Tail(maxExpAvgSq, head), s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
    }

    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                          Span<T> maxExpAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        if (s.Shrinks)
        {
            Step<T, TV, TAdjust, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdjust, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
    }

    private static void Step<T, TV, TAdjust, TShrink>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg,
                                                   Span<T> expAvgSq, Span<T> maxExpAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
    {
        if (s.Amsgrad)
        {
            Step<T, TV, TAdjust, TShrink, On>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdjust, TShrink, Off>(theta, grad, expAvg, expAvgSq, maxExpAvgSq, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust, TShrink, TAmsgrad>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg,
                                                             Span<T> expAvgSq, Span<T> maxExpAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
        where TAmsgrad : struct, IFlag
    {
        T beta1 = s.Beta1, gradientShare = s.GradientShare, beta2 = s.Beta2, squareShare = s.SquareShare;
        T epsilon = s.Epsilon, weightDecay = s.WeightDecay, shrink = s.Shrink;
        T sign = s.Sign, stepSize = s.StepSize;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T m = ref MemoryMarshal.GetReference(expAvg);
            ref T v = ref MemoryMarshal.GetReference(expAvgSq);
            ref T x = ref MemoryMarshal.GetReference(maxExpAvgSq);
            var c = new VectorScalars<TV>(TV.Create(beta1), TV.Create(gradientShare), TV.Create(beta2),
                                          TV.Create(squareShare), TV.Create(epsilon), TV.Create(weightDecay),
                                          TV.Create(shrink), TV.Create(sign), TV.Create(stepSize));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust, TShrink, TAmsgrad>(ref t, ref g, ref m, ref v, ref x, i, c);
                Update<T, TV, TAdjust, TShrink, TAmsgrad>(ref t, ref g, ref m, ref v, ref x, i + q, c);
                Update<T, TV, TAdjust, TShrink, TAmsgrad>(ref t, ref g, ref m, ref v, ref x, i + 2 * q, c);
                Update<T, TV, TAdjust, TShrink, TAmsgrad>(ref t, ref g, ref m, ref v, ref x, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust, TShrink, TAmsgrad>(ref t, ref g, ref m, ref v, ref x, i, c);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T th = TShrink.IsOn ? theta[j] * shrink : theta[j];
            T g = TAdjust.IsOn ? grad[j] * sign + th * weightDecay : grad[j];
            T m = expAvg[j] * beta1 + gradientShare * g;
            T v = expAvgSq[j] * beta2 + squareShare * g * g;
            expAvg[j] = m;
            expAvgSq[j] = v;
            T vHat = v;
            if (TAmsgrad.IsOn)
            {
                vHat = T.Max(maxExpAvgSq[j], v);
                maxExpAvgSq[j] = vHat;
            }

            T denom = T.Sqrt(vHat) + epsilon;
            theta[j] = th - stepSize * m / denom;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust, TShrink, TAmsgrad>(ref T theta, ref T grad, ref T expAvg, ref T expAvgSq,
                                                               ref T maxExpAvgSq, nuint i, in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
        where TAmsgrad : struct, IFlag
    {
        var th = TShrink.IsOn ? TV.Load(ref theta, i) * s.Shrink : TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + th * s.WeightDecay : TV.Load(ref grad, i);
        var m = TV.Load(ref expAvg, i) * s.Beta1 + s.GradientShare * g;
        var v = TV.Load(ref expAvgSq, i) * s.Beta2 + s.SquareShare * g * g;
        m.Store(ref expAvg, i);
        v.Store(ref expAvgSq, i);
        var vHat = v;
        if (TAmsgrad.IsOn)
        {
            vHat = TV.Max(TV.Load(ref maxExpAvgSq, i), v);
            vHat.Store(ref maxExpAvgSq, i);
        }

        var denom = TV.Sqrt(vHat) + s.Epsilon;
        (th - s.StepSize * m / denom).Store(ref theta, i);
    }

    /// <summary>β₁, 1 − β₁, β₂, 1 − β₂, ε·c₂, λ, the shrink factor, the sign of the gradient (−1 when maximising), s·c₂, and the options.</summary>
    private readonly record struct Scalars<T>(T Beta1, T GradientShare, T Beta2, T SquareShare, T Epsilon, T WeightDecay,
                                              T Shrink, T Sign, T StepSize,
                                              bool Adjust, bool Shrinks, bool Amsgrad)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV Beta1, TV GradientShare, TV Beta2, TV SquareShare, TV Epsilon,
                                                     TV WeightDecay, TV Shrink, TV Sign, TV StepSize)
        where TV : struct;
}
