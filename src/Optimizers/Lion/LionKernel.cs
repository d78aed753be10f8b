using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The Lion update as one fused pass over spans.</summary>
internal static class LionKernel
{
    /// <summary>
    /// Per element:
    /// <c>θ[i] = θ[i]·shrink;  c = m[i]·β₁ + g[i]·(1 − β₁);  θ[i] = θ[i] − α·sign(c);  m[i] = m[i]·β₂ + (1 − β₂)·g[i]</c>.
    /// </summary>
    /// <remarks>
    /// The order of google/automl's <c>lion_pytorch.py</c>, operation by operation: <c>p.mul_(1 − lr·wd)</c>, then
    /// <c>update = exp_avg·β₁ + grad·(1 − β₁)</c>, <c>p.add_(update.sign_(), alpha=−lr)</c>,
    /// <c>exp_avg.mul_(β₂).add_(grad, alpha=1 − β₂)</c>. α·sign(c) is ±α or 0 exactly, so the step is θ ± α rounded
    /// once. The shrink is skipped when it is 1 (the reference multiplies by 1.0, which changes no bit). sign is
    /// <c>torch.sign</c> (sign(±0) = +0) except for a NaN c, whose sign is NaN here (as <c>jnp.sign</c>, the reference's
    /// Optax version) where torch's is 0: with the non-finite guard off a NaN gradient then reaches θ instead of
    /// freezing it silently.
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the momentum, updated in place.</param>
    /// <param name="learningRate">α.</param>
    /// <param name="beta1">β₁, the interpolation weight of the update direction.</param>
    /// <param name="beta2">β₂, the decay rate of the momentum.</param>
    /// <param name="shrink">The factor θ is multiplied by first: 1 − α·λ (1 without weight decay).</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, double learningRate, double beta1,
                               double beta2, double shrink)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Measured (bench/README.md, paired run F): Vector512 in cache (the bench's limit 1.15× faster in float64, 1.42×
        // in float32 than Vector<T>); out of cache the widths are within 2 %, and the narrow one stays.
        if (Kernel.UsesWide<T>(theta.Length, inCache: true, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, expAvg, learningRate, beta1, beta2, shrink);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, expAvg, learningRate, beta1, beta2, shrink);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, double learningRate, double beta1,
                                     double beta2, double shrink)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);

        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(learningRate), T.CreateTruncating(beta1), T.CreateTruncating(1 - beta1),
                               T.CreateTruncating(beta2), T.CreateTruncating(1 - beta2), T.CreateTruncating(shrink),
                               shrink != 1);
        Step<T, TV>(theta, grad, expAvg, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], expAvg[..head], s);
            Step<T, TV>(theta[head..], grad[head..], expAvg[head..], s);
        }
        else if (s.Shrinks)
        {
            Step<T, TV, On>(theta, grad, expAvg, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, expAvg, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and option.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TShrink>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TShrink : struct, IFlag
    {
        T lr = s.LearningRate, beta1 = s.Beta1, gradientShare = s.GradientShare, beta2 = s.Beta2, momentumShare = s.MomentumShare;
        T shrink = s.Shrink;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T m = ref MemoryMarshal.GetReference(expAvg);
            var c = new VectorScalars<TV>(TV.Create(lr), TV.Create(-lr), TV.Create(T.Zero), TV.Create(beta1), TV.Create(gradientShare),
                                          TV.Create(beta2), TV.Create(momentumShare), TV.Create(shrink));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TShrink>(ref t, ref g, ref m, i, c);
                Update<T, TV, TShrink>(ref t, ref g, ref m, i + q, c);
                Update<T, TV, TShrink>(ref t, ref g, ref m, i + 2 * q, c);
                Update<T, TV, TShrink>(ref t, ref g, ref m, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TShrink>(ref t, ref g, ref m, i, c);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T th = TShrink.IsOn ? theta[j] * shrink : theta[j];
            T g = grad[j];
            T direction = expAvg[j] * beta1 + g * gradientShare;
            theta[j] = th - Move(direction, lr);
            expAvg[j] = expAvg[j] * beta2 + momentumShare * g;
        }
    }

    /// <summary>
    /// α·sign(c) as a selection: α, −α, +0 for ±0, NaN for NaN — the same bits as the product α·sign(c), without the
    /// multiplication (α·(±1) is exact).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Move<T>(T direction, T lr)
        where T : unmanaged, IFloatingPointIeee754<T>
        => direction > T.Zero ? lr : direction < T.Zero ? -lr : direction - direction;

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TShrink>(ref T theta, ref T grad, ref T expAvg, nuint i, in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TShrink : struct, IFlag
    {
        var th = TShrink.IsOn ? TV.Load(ref theta, i) * s.Shrink : TV.Load(ref theta, i);
        var g = TV.Load(ref grad, i);
        var m = TV.Load(ref expAvg, i);
        var direction = m * s.Beta1 + g * s.GradientShare;
        var move = TV.IfGreater(direction, s.Zero, s.LearningRate,
                                TV.IfLess(direction, s.Zero, s.NegativeLearningRate, direction - direction));   // α·sign(c), selected
        (th - move).Store(ref theta, i);
        (m * s.Beta2 + s.MomentumShare * g).Store(ref expAvg, i);
    }

    /// <summary>α, β₁, 1 − β₁, β₂, 1 − β₂, the shrink factor, and whether it is not 1.</summary>
    private readonly record struct Scalars<T>(T LearningRate, T Beta1, T GradientShare, T Beta2, T MomentumShare, T Shrink,
                                              bool Shrinks)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV LearningRate, TV NegativeLearningRate, TV Zero, TV Beta1,
                                                     TV GradientShare, TV Beta2, TV MomentumShare, TV Shrink)
        where TV : struct;
}
