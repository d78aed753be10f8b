using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The ADOPT update as one fused pass over spans, and its first step (which only sets the second moment).</summary>
internal static class AdoptKernel
{
    /// <summary>
    /// The first step: per element <c>g = ±grad[i] + λ·θ[i];  v[i] = g·g</c>; θ and m are left as they are.
    /// </summary>
    /// <remarks>
    /// The reference's <c>exp_avg_sq.addcmul_(grad, grad)</c> on a v of zeros. It runs once per parameter in a whole
    /// training, so it is one plain loop rather than a vector one.
    /// </remarks>
    /// <param name="theta">θ (read for the L2 term only).</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvgSq">v, overwritten with g².</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient (0 when the decay is decoupled).</param>
    /// <param name="maximize">Negate the gradient.</param>
    public static void Initialise<T>(ReadOnlySpan<T> theta, ReadOnlySpan<T> grad, Span<T> expAvgSq, double weightDecay,
                                     bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        T lambda = T.CreateTruncating(weightDecay), sign = maximize ? -T.One : T.One;
        bool adjust = Kernel.AdjustsGradient(maximize, weightDecay);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = adjust ? grad[i] * sign + theta[i] * lambda : grad[i];
            expAvgSq[i] = g * g;
        }
    }

    /// <summary>
    /// Every later step, per element:
    /// <c>g = ±grad[i] + λ·θ[i];  θ[i] = θ[i] + d·θ[i];  n = clamp(g / max(√v[i], ε), −c, c);  m[i] = lerp(m[i], n, 1 − β₁);
    /// θ[i] = θ[i] − α·m[i];  v[i] = v[i]·β₂ + (1 − β₂)·g·g</c>.
    /// </summary>
    /// <remarks>
    /// The order of the reference's <c>_single_tensor_adopt</c>, operation by operation: <c>grad.add(param, alpha=λ)</c>
    /// (coupled decay), <c>param.add_(param, alpha=−lr·λ)</c> (decoupled decay: d = −α·λ, added as d·θ rather than
    /// multiplied in as 1 − α·λ, as there), <c>torch.clamp(exp_avg_sq.sqrt(), eps)</c>, <c>grad.div(denom)</c>,
    /// <c>clamp_(−clip, clip)</c>, <c>exp_avg.lerp_(normed_grad, 1 − β₁)</c>, <c>param.add_(exp_avg, alpha=−lr)</c>,
    /// <c>exp_avg_sq.mul_(β₂).addcmul_(grad, grad, value=1 − β₂)</c>. v is updated after θ, with the unclipped g. The
    /// maximum and the clamp propagate NaN, as torch's do. Options that are off (maximize, either decay) are skipped
    /// rather than computed with their neutral values (see <see cref="Kernel.AdjustsGradient"/>).
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the first moment of the normalised gradient, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment of the gradient, updated in place.</param>
    /// <param name="learningRate">α.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, the least value of the denominator √v.</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient (0 when the decay is decoupled).</param>
    /// <param name="decoupledDecay">d = −α·λ when the decay is decoupled (0 otherwise): θ gains d·θ first.</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="clip">c, the bound on |n|: (t − 1)^¼ at step t.</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, double learningRate,
                               double beta1, double beta2, double epsilon, double weightDecay, double decoupledDecay,
                               bool maximize, double clip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Measured (bench/README.md, paired run F): the widths within 3 % in and out of cache; the narrow one stays.
        if (Kernel.UsesWide<T>(theta.Length, inCache: false, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, expAvg, expAvgSq, learningRate, beta1, beta2, epsilon, weightDecay, decoupledDecay, maximize, clip);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, expAvg, expAvgSq, learningRate, beta1, beta2, epsilon, weightDecay, decoupledDecay, maximize, clip);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, double learningRate,
                                     double beta1, double beta2, double epsilon, double weightDecay, double decoupledDecay,
                                     bool maximize, double clip)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);

        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        T weight = T.CreateTruncating(1 - beta1);
        var s = new Scalars<T>(T.CreateTruncating(learningRate), weight, T.One - weight, T.CreateTruncating(beta2),
                               T.CreateTruncating(1 - beta2), T.CreateTruncating(epsilon), T.CreateTruncating(weightDecay),
                               T.CreateTruncating(decoupledDecay), maximize ? -T.One : T.One, T.CreateTruncating(clip),
                               Kernel.AdjustsGradient(maximize, weightDecay), decoupledDecay != 0, Lerp.IsSmall(weight));
        Step<T, TV>(theta, grad, expAvg, expAvgSq, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], expAvg[..head], expAvgSq[..head], s);
            Step<T, TV>(theta[head..], grad[head..], expAvg[head..], expAvgSq[head..], s);
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

    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        if (s.Decouples)
        {
            Step<T, TV, TAdjust, On>(theta, grad, expAvg, expAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdjust, Off>(theta, grad, expAvg, expAvgSq, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust, TDecouple>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                                        in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TDecouple : struct, IFlag
    {
        T lr = s.LearningRate, weight = s.Weight, beta2 = s.Beta2, squareShare = s.SquareShare;
        T epsilon = s.Epsilon, weightDecay = s.WeightDecay, decay = s.DecoupledDecay, sign = s.Sign, clip = s.Clip;
        bool small = s.Small;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T m = ref MemoryMarshal.GetReference(expAvg);
            ref T v = ref MemoryMarshal.GetReference(expAvgSq);
            var c = new VectorScalars<TV>(TV.Create(lr), TV.Create(weight), TV.Create(s.Complement), TV.Create(beta2),
                                          TV.Create(squareShare), TV.Create(epsilon), TV.Create(weightDecay), TV.Create(decay),
                                          TV.Create(sign), TV.Create(clip), TV.Create(-clip));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust, TDecouple>(ref t, ref g, ref m, ref v, i, c, small);
                Update<T, TV, TAdjust, TDecouple>(ref t, ref g, ref m, ref v, i + q, c, small);
                Update<T, TV, TAdjust, TDecouple>(ref t, ref g, ref m, ref v, i + 2 * q, c, small);
                Update<T, TV, TAdjust, TDecouple>(ref t, ref g, ref m, ref v, i + 3 * q, c, small);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust, TDecouple>(ref t, ref g, ref m, ref v, i, c, small);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T th = theta[j];
            T g = TAdjust.IsOn ? grad[j] * sign + th * weightDecay : grad[j];
            if (TDecouple.IsOn)
            {
                th = th + decay * th;
            }

            T denom = T.Max(T.Sqrt(expAvgSq[j]), epsilon);
            T normed = T.Min(T.Max(g / denom, -clip), clip);
            T m = Lerp.Of(expAvg[j], normed, weight);
            expAvg[j] = m;
            theta[j] = th - lr * m;
            expAvgSq[j] = expAvgSq[j] * beta2 + squareShare * g * g;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust, TDecouple>(ref T theta, ref T grad, ref T expAvg, ref T expAvgSq, nuint i,
                                                          in VectorScalars<TV> s, bool small)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TDecouple : struct, IFlag
    {
        var th = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + th * s.WeightDecay : TV.Load(ref grad, i);
        if (TDecouple.IsOn)
        {
            th = th + s.DecoupledDecay * th;
        }

        var v = TV.Load(ref expAvgSq, i);
        var denom = TV.Max(TV.Sqrt(v), s.Epsilon);
        var normed = TV.Min(TV.Max(g / denom, s.NegativeClip), s.Clip);
        var m = Lerp.Of<T, TV>(TV.Load(ref expAvg, i), normed, s.Weight, s.Complement, small);
        m.Store(ref expAvg, i);
        (th - s.LearningRate * m).Store(ref theta, i);
        (v * s.Beta2 + s.SquareShare * g * g).Store(ref expAvgSq, i);
    }

    /// <summary>
    /// α, the lerp weight 1 − β₁ and its complement (1 − (1 − β₁) in T, as torch's lerp forms it), β₂, 1 − β₂, ε, λ (L2),
    /// d = −α·λ (decoupled), the sign of the gradient, the clip bound, and the options.
    /// </summary>
    private readonly record struct Scalars<T>(T LearningRate, T Weight, T Complement, T Beta2, T SquareShare, T Epsilon,
                                              T WeightDecay, T DecoupledDecay, T Sign, T Clip,
                                              bool Adjust, bool Decouples, bool Small)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV LearningRate, TV Weight, TV Complement, TV Beta2, TV SquareShare,
                                                     TV Epsilon, TV WeightDecay, TV DecoupledDecay, TV Sign, TV Clip,
                                                     TV NegativeClip)
        where TV : struct;
}
