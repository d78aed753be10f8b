using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The AdaGrad (torch.optim.Adagrad) update as one fused pass over spans.</summary>
internal static class AdaGradKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  s[i] = s[i] + g·g;  θ[i] = θ[i] − (γ̃·g) / (√s[i] + ε)</c>,
    /// where γ̃ is the already decayed learning rate.
    /// </summary>
    /// <remarks>
    /// torch.optim.Adagrad's order exactly (<c>state_sum.addcmul_(g, g)</c>, <c>std = state_sum.sqrt().add_(ε)</c>,
    /// <c>param.addcdiv_(g, std, value=−γ̃)</c>, which divides once per element): the same bits as its text, in
    /// float64 and float32.
    /// </remarks>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> sum,
                            double decayedLr, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured no faster than Vector<T> for this rule, in cache or out of it; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: false, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, sum, decayedLr, eps, weightDecay, maximize);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, sum, decayedLr, eps, weightDecay, maximize);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> sum,
                                  double decayedLr, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, sum.Length);

        // Rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(decayedLr), T.CreateTruncating(eps), T.CreateTruncating(weightDecay),
                               maximize ? -T.One : T.One, Kernel.AdjustsGradient(maximize, weightDecay));
        Step<T, TV>(theta, grad, sum, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> sum, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], Kernel.Head(sum, head), s);
            Step<T, TV>(theta[head..], grad[head..], Kernel.Tail(sum, head), s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, sum, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, sum, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> sum, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        T lr = s.Lr, eps = s.Epsilon, weightDecay = s.WeightDecay, sign = s.Sign;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T sq = ref MemoryMarshal.GetReference(sum);
            TV lrv = TV.Create(lr), epsv = TV.Create(eps), decay = TV.Create(weightDecay), signv = TV.Create(sign);
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, i, lrv, epsv, decay, signv);
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, i + q, lrv, epsv, decay, signv);
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, i + 2 * q, lrv, epsv, decay, signv);
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, i + 3 * q, lrv, epsv, decay, signv);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, i, lrv, epsv, decay, signv);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T g = TAdjust.IsOn ? grad[j] * sign + theta[j] * weightDecay : grad[j];
            T sj = sum[j] + g * g;
            sum[j] = sj;
            theta[j] -= g * lr / (T.Sqrt(sj) + eps);
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust>(ref T theta, ref T grad, ref T sum, nuint i,
                                            TV lr, TV eps, TV weightDecay, TV sign)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        var t = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * sign + t * weightDecay : TV.Load(ref grad, i);
        var s = TV.Load(ref sum, i) + g * g;
        s.Store(ref sum, i);
        (t - g * lr / (TV.Sqrt(s) + eps)).Store(ref theta, i);
    }

    /// <summary>γ̃, ε, λ, the sign of the gradient (−1 when maximising), and whether g needs the sign or λ·θ.</summary>
    private readonly record struct Scalars<T>(T Lr, T Epsilon, T WeightDecay, T Sign, bool Adjust)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
