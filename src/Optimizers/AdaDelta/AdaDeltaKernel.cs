using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The AdaDelta (torch.optim.Adadelta) update as one fused pass over spans.</summary>
internal static class AdaDeltaKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  v[i] = ρ·v[i] + ((1 − ρ)·g)·g;  Δ = √((u[i] + ε) / (v[i] + ε))·g;</c>
    /// <c>u[i] = ρ·u[i] + ((1 − ρ)·Δ)·Δ;  θ[i] = θ[i] − γ·Δ</c>.
    /// </summary>
    /// <remarks>
    /// Departs from torch.optim.Adadelta's order in one place: torch takes two square roots and divides them,
    /// <c>std = (v + ε).sqrt_();  delta = (u + ε).sqrt_().div_(std).mul_(g)</c>; this kernel takes one square root of
    /// the quotient, √((u + ε)/(v + ε)), which halves the square roots per element (with the division, they bound the
    /// step in cache). Δ then differs from torch's by at most 4 units in the last place (ulps), and the (1 − ρ)·Δ² term
    /// of u by at most 11 ulps of itself (the most seen over 10⁷ random draws of u, v and g, in float64 and in
    /// float32); θ and u differ by no more than those shares of their updates. Only where (u + ε)/(v + ε) itself overflows or
    /// underflows T while the two roots would not (a ratio beyond ~10³⁰⁸ in float64, ~10³⁸ in float32) do the results
    /// part: ∞ or 0 here where torch's is finite.
    /// </remarks>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> accDelta,
                            double lr, double rho, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured no faster than Vector<T> for this rule, in cache or out of it; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: false, outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, maximize);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, maximize);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> accDelta,
                                  double lr, double rho, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, squareAvg.Length);
        Kernel.CheckLengths(theta.Length, accDelta.Length);

        // Formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(lr), T.CreateTruncating(rho), T.CreateTruncating(1 - rho),
                               T.CreateTruncating(eps), T.CreateTruncating(weightDecay), maximize ? -T.One : T.One,
                               Kernel.AdjustsGradient(maximize, weightDecay));
        Step<T, TV>(theta, grad, squareAvg, accDelta, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> accDelta,
                                 in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], Kernel.Head(squareAvg, head), Kernel.Head(accDelta, head), s);
            Step<T, TV>(theta[head..], grad[head..], Kernel.Tail(squareAvg, head), Kernel.Tail(accDelta, head), s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, squareAvg, accDelta, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, squareAvg, accDelta, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> accDelta,
                                          in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        T lr = s.Lr, rho = s.Rho, share = s.Share, eps = s.Epsilon, weightDecay = s.WeightDecay, sign = s.Sign;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T sq = ref MemoryMarshal.GetReference(squareAvg);
            ref T u = ref MemoryMarshal.GetReference(accDelta);
            var v = new VectorScalars<TV>(TV.Create(lr), TV.Create(rho), TV.Create(share), TV.Create(eps),
                                          TV.Create(weightDecay), TV.Create(sign));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, ref u, i, v);
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, ref u, i + q, v);
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, ref u, i + 2 * q, v);
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, ref u, i + 3 * q, v);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, ref sq, ref u, i, v);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T g = TAdjust.IsOn ? grad[j] * sign + theta[j] * weightDecay : grad[j];
            T v = squareAvg[j] * rho + g * share * g;
            squareAvg[j] = v;
            T delta = T.Sqrt((accDelta[j] + eps) / (v + eps)) * g;
            accDelta[j] = accDelta[j] * rho + delta * share * delta;
            theta[j] -= delta * lr;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust>(ref T theta, ref T grad, ref T squareAvg, ref T accDelta, nuint i,
                                            in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        var t = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + t * s.WeightDecay : TV.Load(ref grad, i);
        var v = TV.Load(ref squareAvg, i) * s.Rho + g * s.Share * g;
        v.Store(ref squareAvg, i);
        var u = TV.Load(ref accDelta, i);
        var delta = TV.Sqrt((u + s.Epsilon) / (v + s.Epsilon)) * g;
        (u * s.Rho + delta * s.Share * delta).Store(ref accDelta, i);
        (t - delta * s.Lr).Store(ref theta, i);
    }

    /// <summary>γ, ρ, 1 − ρ, ε, λ, the sign of the gradient (−1 when maximising), and whether g needs the sign or λ·θ.</summary>
    private readonly record struct Scalars<T>(T Lr, T Rho, T Share, T Epsilon, T WeightDecay, T Sign, bool Adjust)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV Lr, TV Rho, TV Share, TV Epsilon, TV WeightDecay, TV Sign)
        where TV : struct;
}
