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
    /// torch.optim.RMSprop's order (<c>square_avg.mul_(α).addcmul_(g, g, value=1 − α)</c>, <c>grad_avg.lerp_(g, 1 − α)</c>,
    /// <c>addcmul(grad_avg, grad_avg, value=−1).sqrt_().add_(ε)</c> or <c>sqrt().add_(ε)</c>,
    /// <c>buf.mul_(μ).addcdiv_(g, avg)</c> or <c>param.addcdiv_(g, avg, value=−γ)</c>: one division per element), the
    /// same bits as its text in float64 and float32, with one exception: the centred variance v − ḡ² is ≥ 0 in exact
    /// arithmetic but can round to a tiny negative number once v and ḡ² agree to the last bits (a gradient that stays
    /// constant for a while: a few steps at α = 0.001, thousands at α = 0.99). torch.optim takes the square root of it as
    /// it is and returns NaN from then on; this kernel clamps it at 0 (a NaN variance, from ∞ − ∞, stays NaN). Results
    /// that torch computes without NaN are unchanged bit for bit.
    /// </remarks>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg,
                            Span<T> gradAvg, Span<T> momentumBuffer,
                            double lr, double alpha, double eps, double weightDecay, double momentum,
                            bool centered, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured no faster than Vector<T> for this rule, in cache or out of it; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: false, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered, maximize);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg,
                                  Span<T> gradAvg, Span<T> momentumBuffer,
                                  double lr, double alpha, double eps, double weightDecay, double momentum,
                                  bool centered, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
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

        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(lr), T.CreateTruncating(alpha), T.CreateTruncating(1 - alpha),
                               T.CreateTruncating(eps), T.CreateTruncating(weightDecay), T.CreateTruncating(momentum),
                               maximize ? -T.One : T.One, Kernel.AdjustsGradient(maximize, weightDecay), centered,
                               useMomentum);
        Step<T, TV>(theta, grad, squareAvg, gradAvg, momentumBuffer, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> gradAvg,
                                 Span<T> momentumBuffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], Kernel.Head(squareAvg, head), Kernel.Head(gradAvg, head),
                        Kernel.Head(momentumBuffer, head), s);
            Step<T, TV>(theta[head..], grad[head..], Kernel.Tail(squareAvg, head), Kernel.Tail(gradAvg, head),
                        Kernel.Tail(momentumBuffer, head), s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, s);
        }
    }

    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> gradAvg,
                                          Span<T> momentumBuffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        if (s.Centered)
        {
            Step<T, TV, TAdjust, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, s);
        }
        else
        {
            Step<T, TV, TAdjust, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, s);
        }
    }

    private static void Step<T, TV, TAdjust, TCentered>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg,
                                                     Span<T> gradAvg, Span<T> momentumBuffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
    {
        if (s.UseMomentum)
        {
            Step<T, TV, TAdjust, TCentered, On>(theta, grad, squareAvg, gradAvg, momentumBuffer, s);
        }
        else
        {
            Step<T, TV, TAdjust, TCentered, Off>(theta, grad, squareAvg, gradAvg, momentumBuffer, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust, TCentered, TMomentum>(Span<T> theta, ReadOnlySpan<T> grad,
                                                                Span<T> squareAvg, Span<T> gradAvg,
                                                                Span<T> momentumBuffer, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
        where TMomentum : struct, IFlag
    {
        T lr = s.Lr, alpha = s.Alpha, gradientShare = s.GradientShare, eps = s.Epsilon, weightDecay = s.WeightDecay;
        T momentum = s.Momentum, sign = s.Sign;
        bool small = Lerp.IsSmall(gradientShare);
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T sq = ref MemoryMarshal.GetReference(squareAvg);
            ref T a = ref MemoryMarshal.GetReference(gradAvg);
            ref T b = ref MemoryMarshal.GetReference(momentumBuffer);
            var v = new VectorScalars<TV>(TV.Create(lr), TV.Create(alpha), TV.Create(gradientShare),
                                          TV.Create(T.One - gradientShare), TV.Create(eps), TV.Create(weightDecay),
                                          TV.Create(momentum), TV.Create(sign), small);
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust, TCentered, TMomentum>(ref t, ref g, ref sq, ref a, ref b, i, v);
                Update<T, TV, TAdjust, TCentered, TMomentum>(ref t, ref g, ref sq, ref a, ref b, i + q, v);
                Update<T, TV, TAdjust, TCentered, TMomentum>(ref t, ref g, ref sq, ref a, ref b, i + 2 * q, v);
                Update<T, TV, TAdjust, TCentered, TMomentum>(ref t, ref g, ref sq, ref a, ref b, i + 3 * q, v);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust, TCentered, TMomentum>(ref t, ref g, ref sq, ref a, ref b, i, v);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T g = TAdjust.IsOn ? grad[j] * sign + theta[j] * weightDecay : grad[j];
            T v = squareAvg[j] * alpha + g * gradientShare * g;
            squareAvg[j] = v;
            T d;
            if (TCentered.IsOn)
            {
                T mean = Lerp.Of(gradAvg[j], g, gradientShare);
                gradAvg[j] = mean;
                T variance = v - mean * mean;
                d = T.Sqrt(variance < T.Zero ? T.Zero : variance) + eps;
            }
            else
            {
                d = T.Sqrt(v) + eps;
            }

            if (TMomentum.IsOn)
            {
                T b = momentumBuffer[j] * momentum + g / d;
                momentumBuffer[j] = b;
                theta[j] -= b * lr;
            }
            else
            {
                theta[j] -= g * lr / d;
            }
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust, TCentered, TMomentum>(ref T theta, ref T grad, ref T squareAvg,
                                                                  ref T gradAvg, ref T buffer, nuint i,
                                                                  in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TCentered : struct, IFlag
        where TMomentum : struct, IFlag
    {
        var t = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + t * s.WeightDecay : TV.Load(ref grad, i);
        var v = TV.Load(ref squareAvg, i) * s.Alpha + g * s.GradientShare * g;
        v.Store(ref squareAvg, i);
        TV d;
        if (TCentered.IsOn)
        {
            var mean = Lerp.Of<T, TV>(TV.Load(ref gradAvg, i), g, s.GradientShare, s.LerpComplement, s.LerpSmall);
            mean.Store(ref gradAvg, i);
            d = TV.Sqrt(TV.ZeroIfNegative(v - mean * mean)) + s.Epsilon;
        }
        else
        {
            d = TV.Sqrt(v) + s.Epsilon;
        }

        if (TMomentum.IsOn)
        {
            var b = TV.Load(ref buffer, i) * s.Momentum + g / d;
            b.Store(ref buffer, i);
            (t - b * s.Lr).Store(ref theta, i);
        }
        else
        {
            (t - g * s.Lr / d).Store(ref theta, i);
        }
    }

    /// <summary>γ, α, 1 − α, ε, λ, μ, the sign of the gradient (−1 when maximising), and the options.</summary>
    private readonly record struct Scalars<T>(T Lr, T Alpha, T GradientShare, T Epsilon, T WeightDecay, T Momentum,
                                              T Sign, bool Adjust, bool Centered, bool UseMomentum)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call), with lerp's 1 − w and branch.</summary>
    private readonly record struct VectorScalars<TV>(TV Lr, TV Alpha, TV GradientShare, TV LerpComplement, TV Epsilon,
                                                     TV WeightDecay, TV Momentum, TV Sign, bool LerpSmall)
        where TV : struct;
}
