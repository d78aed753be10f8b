using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The NAdam update as one fused pass over spans.</summary>
internal static class NAdamKernel
{
    /// <summary>
    /// Per element:
    /// <c>θ[i] = θ[i]·shrink;  g = ±grad[i] + λ·θ[i];  m[i] = β₁·m[i] + (1 − β₁)·g;  v[i] = β₂·v[i] + (1 − β₂)·g·g;
    /// θ[i] = θ[i] − ((a·√c₂)·g + (b·√c₂)·m[i]) / (√v[i] + ε·√c₂)</c>, which is (a·g + b·m[i]) / (√(v[i]/c₂) + ε) with
    /// numerator and denominator multiplied by √c₂.
    /// </summary>
    /// <remarks>
    /// NAdam passes its L2 coefficient as λ and shrink = 1; with decoupled weight decay (torch's NAdamW) it passes λ = 0
    /// and shrink = 1 − α·λ, applied to θ before anything else, as torch's <c>param.mul_(1 − lr·λ)</c>. The unused form
    /// is skipped rather than computed with its neutral value, so it changes no bit (one loop per combination, see
    /// <see cref="IFlag"/>).
    /// <para>
    /// Departs from torch.optim.NAdam's order: torch divides three times per element (v / c₂, then g / d and m / d in
    /// two addcdiv calls that round θ twice). Here the two terms share one division, and √c₂ is folded into a, b and ε
    /// once per call: one division and one square root per element instead of three divisions and a root, which is
    /// what keeps NAdam memory-bound like Adam (and, in cache, not scaling v per element made it ~1.1× faster in
    /// float32). The step differs from torch's two terms by at most 10 units in the last place (ulps) of the larger
    /// term (the most seen over 10⁷ random draws: 8 in float64, 10 in float32); where the two terms nearly cancel,
    /// that is more ulps of their small sum. The first moment is torch 1.13's <c>mul_().add_()</c>
    /// (2.x's <c>lerp_</c> is the same value, rounded differently).
    /// </para>
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the first moment, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment, updated in place.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added after the square root.</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient (0 when the decay is decoupled).</param>
    /// <param name="shrink">The factor θ is multiplied by before the step (1 − α·λ when the decay is decoupled, else 1).</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="biasCorrection2">c₂ = 1 − β₂ᵗ (its square root is folded into a, b and ε once per call).</param>
    /// <param name="gradientStep">a = α·(1 − μₜ)/(1 − Πₜ), the weight of the current gradient.</param>
    /// <param name="momentumStep">b = α·μₜ₊₁/(1 − Πₜ·μₜ₊₁), the weight of the first moment.</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                            double beta1, double beta2, double epsilon, double weightDecay, double shrink, bool maximize,
                            double biasCorrection2, double gradientStep, double momentumStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured no faster than Vector<T> for this rule, in cache or out of it; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: false, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, shrink, maximize, biasCorrection2, gradientStep, momentumStep);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, shrink, maximize, biasCorrection2, gradientStep, momentumStep);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                  double beta1, double beta2, double epsilon, double weightDecay, double shrink, bool maximize,
                                  double biasCorrection2, double gradientStep, double momentumStep)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars;
        // a·√c₂, b·√c₂ and ε·√c₂ too (once per call), so that each element divides once and scales nothing.
        double root = Math.Sqrt(biasCorrection2);
        var s = new Scalars<T>(T.CreateTruncating(beta1), T.CreateTruncating(1 - beta1), T.CreateTruncating(beta2),
                               T.CreateTruncating(1 - beta2), T.CreateTruncating(epsilon * root), T.CreateTruncating(weightDecay),
                               T.CreateTruncating(shrink), maximize ? -T.One : T.One, T.CreateTruncating(gradientStep * root),
                               T.CreateTruncating(momentumStep * root), Kernel.AdjustsGradient(maximize, weightDecay), shrink != 1);
        Step<T, TV>(theta, grad, expAvg, expAvgSq, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], Kernel.Head(expAvg, head), Kernel.Head(expAvgSq, head), s);
            Step<T, TV>(theta[head..], grad[head..], Kernel.Tail(expAvg, head), Kernel.Tail(expAvgSq, head), s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, expAvg, expAvgSq, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, expAvg, expAvgSq, s);
        }
    }

    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                          in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        if (s.Shrinks)
        {
            Step<T, TV, TAdjust, On>(theta, grad, expAvg, expAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdjust, Off>(theta, grad, expAvg, expAvgSq, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust, TShrink>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                                   in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
    {
        T beta1 = s.Beta1, gradientShare = s.GradientShare, beta2 = s.Beta2, squareShare = s.SquareShare;
        T epsilon = s.Epsilon, weightDecay = s.WeightDecay, shrink = s.Shrink, sign = s.Sign;
        T gradientStep = s.GradientStep, momentumStep = s.MomentumStep;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T m = ref MemoryMarshal.GetReference(expAvg);
            ref T v = ref MemoryMarshal.GetReference(expAvgSq);
            var c = new VectorScalars<TV>(TV.Create(beta1), TV.Create(gradientShare), TV.Create(beta2),
                                          TV.Create(squareShare), TV.Create(epsilon), TV.Create(weightDecay),
                                          TV.Create(shrink), TV.Create(sign), TV.Create(gradientStep), TV.Create(momentumStep));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust, TShrink>(ref t, ref g, ref m, ref v, i, c);
                Update<T, TV, TAdjust, TShrink>(ref t, ref g, ref m, ref v, i + q, c);
                Update<T, TV, TAdjust, TShrink>(ref t, ref g, ref m, ref v, i + 2 * q, c);
                Update<T, TV, TAdjust, TShrink>(ref t, ref g, ref m, ref v, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust, TShrink>(ref t, ref g, ref m, ref v, i, c);
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
            T denom = T.Sqrt(v) + epsilon;
            theta[j] = th - (gradientStep * g + momentumStep * m) / denom;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust, TShrink>(ref T theta, ref T grad, ref T expAvg, ref T expAvgSq, nuint i,
                                                     in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
    {
        var t = TShrink.IsOn ? TV.Load(ref theta, i) * s.Shrink : TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + t * s.WeightDecay : TV.Load(ref grad, i);
        var m = TV.Load(ref expAvg, i) * s.Beta1 + s.GradientShare * g;
        var v = TV.Load(ref expAvgSq, i) * s.Beta2 + s.SquareShare * g * g;
        m.Store(ref expAvg, i);
        v.Store(ref expAvgSq, i);
        var denom = TV.Sqrt(v) + s.Epsilon;
        (t - (s.GradientStep * g + s.MomentumStep * m) / denom).Store(ref theta, i);
    }

    /// <summary>β₁, 1 − β₁, β₂, 1 − β₂, ε·√c₂, λ, the shrink factor, the sign of the gradient (−1 when maximising), a·√c₂, b·√c₂, whether g needs the sign or λ·θ, and whether θ shrinks.</summary>
    private readonly record struct Scalars<T>(T Beta1, T GradientShare, T Beta2, T SquareShare, T Epsilon, T WeightDecay,
                                              T Shrink, T Sign, T GradientStep, T MomentumStep, bool Adjust, bool Shrinks)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV Beta1, TV GradientShare, TV Beta2, TV SquareShare, TV Epsilon,
                                                     TV WeightDecay, TV Shrink, TV Sign, TV GradientStep, TV MomentumStep)
        where TV : struct;
}
