using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The schedule-free update (SGD and AdamW forms) as one fused pass over spans, and the switch between the training and evaluation points.</summary>
internal static class ScheduleFreeKernel
{
    /// <summary>
    /// Per element:
    /// <c>adaptive: v[i] = β₂·v[i] + (1 − β₂)·g·g;  u = k·g / (√v[i] + k·ε) with k = √b₂ (= g / (√(v[i] / b₂) + ε));  otherwise u = g;
    /// u = u + λ·y[i];  y[i] = lerp(y[i], z[i], c);  y[i] = y[i] + a·u;  z[i] = z[i] − γ·u</c>
    /// with g = grad[i], a = γ·(β·(1 − c) − 1), in the reference's order of operations.
    /// </summary>
    /// <remarks>
    /// The operations are those of the authors' single-tensor loop (facebookresearch/schedule_free,
    /// <c>adamw_schedulefree.py</c> and <c>sgd_schedulefree.py</c>), one by one and in the same order:
    /// <c>exp_avg_sq.mul_(β₂).addcmul_(g, g, value=1 − β₂)</c>, <c>denom = exp_avg_sq.div(b₂).sqrt_().add_(ε)</c>,
    /// <c>g.div_(denom)</c>, <c>g.add_(y, alpha=λ)</c>, <c>y.lerp_(z, c)</c>, <c>y.add_(g, alpha=a)</c>,
    /// <c>z.sub_(g, alpha=γ)</c>; lerp as torch computes it (<see cref="Lerp"/>). It departs from that order in one
    /// place, as <see cref="AdamKernel"/> does: the reference divides twice per element in the AdamW form
    /// (v/b₂, then g/denominator); here numerator and denominator are multiplied by k = √b₂, formed once per step with
    /// k·ε, so an element costs one division and one square root (in cache, the second division cost the step 1.4× of
    /// the bench's limit; bench/README.md). u then differs from the reference's by a few units in the last place; the
    /// traces (tests/Optimizers.Tests/ScheduleFree) are replayed within the library's tolerances. The reference writes
    /// its normalised gradient into <c>p.grad</c>, this kernel leaves the gradient untouched. Every scalar is formed in
    /// double and rounded to T once. The unused options, and lerp's branch, are chosen once per call rather than per
    /// element (see <see cref="IFlag"/>).
    /// </remarks>
    /// <param name="y">y, the training point (the parameter in training mode), updated in place.</param>
    /// <param name="grad">The gradient at y.</param>
    /// <param name="z">z, the base sequence, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment (AdamW form), updated in place; ignored, and may be empty, when <paramref name="adaptive"/> is false.</param>
    /// <param name="adaptive">The AdamW form: normalise the gradient by √(v/b₂) + ε.</param>
    /// <param name="beta2">β₂ (AdamW form).</param>
    /// <param name="epsilon">ε (AdamW form).</param>
    /// <param name="biasCorrection2">b₂ = 1 − β₂ᵗ (AdamW form).</param>
    /// <param name="weightDecay">λ, the L2 term added to the (normalised) gradient at y.</param>
    /// <param name="averageWeight">c, the weight of z in the average (the reference's <c>ckp1</c>), in [0, 1].</param>
    /// <param name="yStep">a = γ·(β·(1 − c) − 1), formed in double.</param>
    /// <param name="learningRate">γ, the scheduled learning rate (after warmup).</param>
    public static void Step<T>(Span<T> y, ReadOnlySpan<T> grad, Span<T> z, Span<T> expAvgSq, bool adaptive,
                               double beta2, double epsilon, double biasCorrection2, double weightDecay,
                               double averageWeight, double yStep, double learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Measured (bench/README.md, paired run F): the narrow width everywhere for the AdamW form, as for Adam; the SGD
        // form gains from Vector512 in cache in float32 (the bench's limit, 1.09×) and loses nothing in float64.
        if (Kernel.UsesWide<T>(y.Length, inCache: !adaptive, outOfCache: false))
        {
            Step<T, Simd512<T>>(y, grad, z, expAvgSq, adaptive, beta2, epsilon, biasCorrection2, weightDecay, averageWeight, yStep, learningRate);
        }
        else
        {
            Step<T, SimdVector<T>>(y, grad, z, expAvgSq, adaptive, beta2, epsilon, biasCorrection2, weightDecay, averageWeight, yStep, learningRate);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> y, ReadOnlySpan<T> grad, Span<T> z, Span<T> expAvgSq, bool adaptive,
                                     double beta2, double epsilon, double biasCorrection2, double weightDecay,
                                     double averageWeight, double yStep, double learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(y.Length, grad.Length);
        Kernel.CheckLengths(y.Length, z.Length);
        if (adaptive)
        {
            Kernel.CheckLengths(y.Length, expAvgSq.Length);
        }

        T c = T.CreateTruncating(averageWeight);
        double k = Math.Sqrt(biasCorrection2);   // √b₂: u = k·g / (√v + k·ε), one division per element
        var s = new Scalars<T>(T.CreateTruncating(beta2), T.CreateTruncating(1 - beta2), T.CreateTruncating(k),
                               T.CreateTruncating(epsilon * k), T.CreateTruncating(weightDecay), c, T.One - c, Lerp.IsSmall(c),
                               T.CreateTruncating(yStep), T.CreateTruncating(learningRate), adaptive, weightDecay != 0);
        Step<T, TV>(y, grad, z, expAvgSq, s);
    }

    private static void Step<T, TV>(Span<T> y, ReadOnlySpan<T> grad, Span<T> z, Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(y, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(y[..head], grad[..head], z[..head], Kernel.Head(expAvgSq, head), s);
            Step<T, TV>(y[head..], grad[head..], z[head..], Kernel.Tail(expAvgSq, head), s);
        }
        else if (s.Adaptive)
        {
            Step<T, TV, On>(y, grad, z, expAvgSq, s);
        }
        else
        {
            Step<T, TV, Off>(y, grad, z, expAvgSq, s);
        }
    }

    private static void Step<T, TV, TAdaptive>(Span<T> y, ReadOnlySpan<T> grad, Span<T> z, Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdaptive : struct, IFlag
    {
        if (s.Decays)
        {
            Step<T, TV, TAdaptive, On>(y, grad, z, expAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdaptive, Off>(y, grad, z, expAvgSq, s);
        }
    }

    private static void Step<T, TV, TAdaptive, TDecay>(Span<T> y, ReadOnlySpan<T> grad, Span<T> z, Span<T> expAvgSq, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdaptive : struct, IFlag
        where TDecay : struct, IFlag
    {
        if (s.Small)
        {
            Step<T, TV, TAdaptive, TDecay, On>(y, grad, z, expAvgSq, s);
        }
        else
        {
            Step<T, TV, TAdaptive, TDecay, Off>(y, grad, z, expAvgSq, s);
        }
    }

    /// <summary>The loop, compiled once per vector width, combination of options and lerp branch (TSmall: |c| &lt; 0.5).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdaptive, TDecay, TSmall>(Span<T> y, ReadOnlySpan<T> grad, Span<T> z, Span<T> expAvgSq,
                                                               in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdaptive : struct, IFlag
        where TDecay : struct, IFlag
        where TSmall : struct, IFlag
    {
        T beta2 = s.Beta2, squareShare = s.SquareShare, k = s.K, kEpsilon = s.KEpsilon;
        T weightDecay = s.WeightDecay, weight = s.Weight, complement = s.Complement, yStep = s.YStep, lr = s.LearningRate;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T yr = ref MemoryMarshal.GetReference(y);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T zr = ref MemoryMarshal.GetReference(z);
            ref T v = ref MemoryMarshal.GetReference(expAvgSq);
            var c = new VectorScalars<TV>(TV.Create(beta2), TV.Create(squareShare), TV.Create(k), TV.Create(kEpsilon),
                                          TV.Create(weightDecay), TV.Create(weight), TV.Create(complement),
                                          TV.Create(yStep), TV.Create(lr));
            nuint n = (nuint)y.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(y.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdaptive, TDecay, TSmall>(ref yr, ref g, ref zr, ref v, i, c);
                Update<T, TV, TAdaptive, TDecay, TSmall>(ref yr, ref g, ref zr, ref v, i + q, c);
                Update<T, TV, TAdaptive, TDecay, TSmall>(ref yr, ref g, ref zr, ref v, i + 2 * q, c);
                Update<T, TV, TAdaptive, TDecay, TSmall>(ref yr, ref g, ref zr, ref v, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdaptive, TDecay, TSmall>(ref yr, ref g, ref zr, ref v, i, c);
            }
        }

        for (int j = (int)i; j < y.Length; j++)
        {
            T u = grad[j];
            if (TAdaptive.IsOn)
            {
                T v = expAvgSq[j] * beta2 + squareShare * u * u;
                expAvgSq[j] = v;
                u = k * u / (T.Sqrt(v) + kEpsilon);
            }

            T yj = y[j], zj = z[j];
            if (TDecay.IsOn)
            {
                u += weightDecay * yj;
            }

            yj = TSmall.IsOn ? yj + (zj - yj) * weight : zj - (zj - yj) * complement;
            y[j] = yj + yStep * u;
            z[j] = zj - lr * u;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdaptive, TDecay, TSmall>(ref T y, ref T grad, ref T z, ref T expAvgSq, nuint i,
                                                                 in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdaptive : struct, IFlag
        where TDecay : struct, IFlag
        where TSmall : struct, IFlag
    {
        var u = TV.Load(ref grad, i);
        if (TAdaptive.IsOn)
        {
            var v = TV.Load(ref expAvgSq, i) * s.Beta2 + s.SquareShare * u * u;
            v.Store(ref expAvgSq, i);
            u = s.K * u / (TV.Sqrt(v) + s.KEpsilon);
        }

        var yv = TV.Load(ref y, i);
        var zv = TV.Load(ref z, i);
        if (TDecay.IsOn)
        {
            u += s.WeightDecay * yv;
        }

        yv = TSmall.IsOn ? yv + (zv - yv) * s.Weight : zv - (zv - yv) * s.Complement;
        (yv + s.YStep * u).Store(ref y, i);
        (zv - s.LearningRate * u).Store(ref z, i);
    }

    /// <summary>
    /// <c>p[i] = lerp(p[i], z[i], w)</c> (torch's <c>p.lerp_(z, w)</c>, w formed in double and rounded to T once):
    /// the switch from y to x (w = 1 − 1/β) or from x to y (w = 1 − β).
    /// </summary>
    /// <param name="point">The parameter, moved in place.</param>
    /// <param name="z">z, the base sequence.</param>
    /// <param name="weight">w.</param>
    public static void Interpolate<T>(Span<T> point, ReadOnlySpan<T> z, double weight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(point.Length, z.Length);
        T w = T.CreateTruncating(weight), complement = T.One - w;
        bool small = Lerp.IsSmall(w);
        int i = 0;
        if (SimdVector<T>.IsAccelerated)
        {
            ref T p = ref MemoryMarshal.GetReference(point);
            ref T zr = ref MemoryMarshal.GetReference(z);
            var wv = SimdVector<T>.Create(w);
            var cv = SimdVector<T>.Create(complement);
            for (; i + SimdVector<T>.Count <= point.Length; i += SimdVector<T>.Count)
            {
                Lerp.Of<T, SimdVector<T>>(SimdVector<T>.Load(ref p, (nuint)i), SimdVector<T>.Load(ref zr, (nuint)i), wv, cv, small)
                    .Store(ref p, (nuint)i);
            }
        }

        for (; i < point.Length; i++)
        {
            point[i] = small ? point[i] + (z[i] - point[i]) * w : z[i] - (z[i] - point[i]) * complement;
        }
    }

    /// <summary>β₂, 1 − β₂, k = √b₂, k·ε, λ, c, 1 − c (in T), whether lerp takes its first branch, a, γ, and the options.</summary>
    private readonly record struct Scalars<T>(T Beta2, T SquareShare, T K, T KEpsilon, T WeightDecay,
                                              T Weight, T Complement, bool Small, T YStep, T LearningRate,
                                              bool Adaptive, bool Decays)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV Beta2, TV SquareShare, TV K, TV KEpsilon, TV WeightDecay,
                                                     TV Weight, TV Complement, TV YStep, TV LearningRate)
        where TV : struct;
}
