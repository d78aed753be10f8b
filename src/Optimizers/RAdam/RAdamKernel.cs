using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The RAdam update as one fused pass over spans.</summary>
internal static class RAdamKernel
{
    /// <summary>
    /// Per element:
    /// <c>θ[i] = θ[i]·shrink;  g = ±grad[i] + λ·θ[i];  m[i] = β₁·m[i] + (1 − β₁)·g;  v[i] = β₂·v[i] + (1 − β₂)·g·g;
    /// θ[i] = θ[i] − (rectified ? s·m[i] / (√v[i] + ε) : s·m[i])</c>.
    /// </summary>
    /// <remarks>
    /// RAdam passes its L2 coefficient as λ and shrink = 1; with decoupled weight decay (torch's RAdamW) it passes λ = 0
    /// and shrink = 1 − α·λ, applied to θ before anything else (rectified or not), as torch's <c>param.mul_(1 − lr·λ)</c>.
    /// The unused form is skipped rather than computed with its neutral value, so it changes no bit (one loop per
    /// combination, see <see cref="IFlag"/>).
    /// <para>
    /// Departs from torch.optim.RAdam's order: torch divides twice per element in the rectified step
    /// (<c>m / (1 − β₁ᵗ)</c>, then <c>√(1 − β₂ᵗ) / (√v + ε)</c>) and multiplies the product out term by term; here every
    /// scalar is folded into s, formed once per step, so an element takes one division: s·m/(√v + ε). The step differs
    /// from torch's by at most 6 units in the last place (ulps) of the step (the most seen over 10⁷ random draws, in
    /// float64 and in float32). The first moment is torch 1.13's <c>mul_().add_()</c> (2.x's <c>lerp_</c> is the same
    /// value, rounded differently).
    /// </para>
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the first moment, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment, updated in place (also when not rectified).</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added to the uncorrected √v.</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient (0 when the decay is decoupled).</param>
    /// <param name="shrink">The factor θ is multiplied by before the step (1 − α·λ when the decay is decoupled, else 1).</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="stepSize">s: α·rₜ·√(1 − β₂ᵗ)/(1 − β₁ᵗ) when rectified, else α/(1 − β₁ᵗ).</param>
    /// <param name="rectified">Whether to take the adaptive (rectified) step, that is ρₜ &gt; 5.</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                            double beta1, double beta2, double epsilon, double weightDecay, double shrink, bool maximize,
                            double stepSize, bool rectified)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured no faster than Vector<T> for this rule, in cache or out of it; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: false, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, shrink, maximize, stepSize, rectified);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, shrink, maximize, stepSize, rectified);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                  double beta1, double beta2, double epsilon, double weightDecay, double shrink, bool maximize,
                                  double stepSize, bool rectified)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(beta1), T.CreateTruncating(1 - beta1), T.CreateTruncating(beta2),
                               T.CreateTruncating(1 - beta2), T.CreateTruncating(epsilon), T.CreateTruncating(weightDecay),
                               T.CreateTruncating(shrink), maximize ? -T.One : T.One, T.CreateTruncating(stepSize),
                               Kernel.AdjustsGradient(maximize, weightDecay), rectified, shrink != 1);
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
        if (s.Rectified)
        {
            Step<T, TV, TAdjust, On>(theta, grad, expAvg, expAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdjust, Off>(theta, grad, expAvg, expAvgSq, s);
        }
    }

    private static void Step<T, TV, TAdjust, TRectified>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg,
                                                      Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TRectified : struct, IFlag
    {
        if (s.Shrinks)
        {
            Step<T, TV, TAdjust, TRectified, On>(theta, grad, expAvg, expAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdjust, TRectified, Off>(theta, grad, expAvg, expAvgSq, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust, TRectified, TShrink>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg,
                                                               Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TRectified : struct, IFlag
        where TShrink : struct, IFlag
    {
        T beta1 = s.Beta1, gradientShare = s.GradientShare, beta2 = s.Beta2, squareShare = s.SquareShare;
        T epsilon = s.Epsilon, weightDecay = s.WeightDecay, shrink = s.Shrink, sign = s.Sign, stepSize = s.StepSize;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T m = ref MemoryMarshal.GetReference(expAvg);
            ref T v = ref MemoryMarshal.GetReference(expAvgSq);
            var c = new VectorScalars<TV>(TV.Create(beta1), TV.Create(gradientShare), TV.Create(beta2),
                                          TV.Create(squareShare), TV.Create(epsilon), TV.Create(weightDecay),
                                          TV.Create(shrink), TV.Create(sign), TV.Create(stepSize));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust, TRectified, TShrink>(ref t, ref g, ref m, ref v, i, c);
                Update<T, TV, TAdjust, TRectified, TShrink>(ref t, ref g, ref m, ref v, i + q, c);
                Update<T, TV, TAdjust, TRectified, TShrink>(ref t, ref g, ref m, ref v, i + 2 * q, c);
                Update<T, TV, TAdjust, TRectified, TShrink>(ref t, ref g, ref m, ref v, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust, TRectified, TShrink>(ref t, ref g, ref m, ref v, i, c);
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
            T d = TRectified.IsOn ? stepSize * m / (T.Sqrt(v) + epsilon) : stepSize * m;
            theta[j] = th - d;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust, TRectified, TShrink>(ref T theta, ref T grad, ref T expAvg, ref T expAvgSq,
                                                                 nuint i, in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TRectified : struct, IFlag
        where TShrink : struct, IFlag
    {
        var t = TShrink.IsOn ? TV.Load(ref theta, i) * s.Shrink : TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + t * s.WeightDecay : TV.Load(ref grad, i);
        var m = TV.Load(ref expAvg, i) * s.Beta1 + s.GradientShare * g;
        var v = TV.Load(ref expAvgSq, i) * s.Beta2 + s.SquareShare * g * g;
        m.Store(ref expAvg, i);
        v.Store(ref expAvgSq, i);
        var d = TRectified.IsOn ? s.StepSize * m / (TV.Sqrt(v) + s.Epsilon) : s.StepSize * m;
        (t - d).Store(ref theta, i);
    }

    /// <summary>β₁, 1 − β₁, β₂, 1 − β₂, ε, λ, the shrink factor, the sign of the gradient (−1 when maximising), s, and the options.</summary>
    private readonly record struct Scalars<T>(T Beta1, T GradientShare, T Beta2, T SquareShare, T Epsilon, T WeightDecay,
                                              T Shrink, T Sign, T StepSize, bool Adjust, bool Rectified, bool Shrinks)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV Beta1, TV GradientShare, TV Beta2, TV SquareShare, TV Epsilon,
                                                     TV WeightDecay, TV Shrink, TV Sign, TV StepSize)
        where TV : struct;
}
