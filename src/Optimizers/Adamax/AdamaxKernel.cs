using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The Adamax (torch.optim.Adamax) update as one fused pass over spans.</summary>
internal static class AdamaxKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  m[i] = lerp(m[i], g, 1 − β₁);  u[i] = max(β₂·u[i], |g| + ε);  θ[i] = θ[i] − (γ̂·m[i]) / u[i]</c>,
    /// where γ̂ = γ / (1 − β₁ᵗ) is the bias-corrected learning rate. The maximum keeps a NaN of |g| + ε.
    /// </summary>
    /// <remarks>
    /// torch.optim.Adamax's order (2.x: <c>m.lerp_(g, 1 − β₁)</c>, <c>u = max(u·β₂, |g| + ε)</c>,
    /// <c>param.addcdiv_(m, u, value=−γ̂)</c>, one division per element) without departure.
    /// </remarks>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf,
                            double correctedLr, double beta1, double beta2, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured 1.07–1.09× faster in cache in float32, no faster otherwise; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: typeof(T) == typeof(float), outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf,
                                  double correctedLr, double beta1, double beta2, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expInf.Length);
        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(correctedLr), T.CreateTruncating(beta2), T.CreateTruncating(1 - beta1),
                               T.CreateTruncating(eps), T.CreateTruncating(weightDecay), maximize ? -T.One : T.One,
                               Kernel.AdjustsGradient(maximize, weightDecay));
        Step<T, TV>(theta, grad, expAvg, expInf, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], Kernel.Head(expAvg, head), Kernel.Head(expInf, head), s);
            Step<T, TV>(theta[head..], grad[head..], Kernel.Tail(expAvg, head), Kernel.Tail(expInf, head), s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, expAvg, expInf, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, expAvg, expInf, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf,
                                          in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        T correctedLr = s.CorrectedLr, beta2 = s.Beta2, gradientShare = s.GradientShare, eps = s.Epsilon;
        T weightDecay = s.WeightDecay, sign = s.Sign;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T m = ref MemoryMarshal.GetReference(expAvg);
            ref T u = ref MemoryMarshal.GetReference(expInf);
            var c = new VectorScalars<TV>(TV.Create(correctedLr), TV.Create(beta2), TV.Create(gradientShare),
                                          TV.Create(T.One - gradientShare), TV.Create(eps), TV.Create(weightDecay),
                                          TV.Create(sign), Lerp.IsSmall(gradientShare));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, ref m, ref u, i, c);
                Update<T, TV, TAdjust>(ref t, ref g, ref m, ref u, i + q, c);
                Update<T, TV, TAdjust>(ref t, ref g, ref m, ref u, i + 2 * q, c);
                Update<T, TV, TAdjust>(ref t, ref g, ref m, ref u, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust>(ref t, ref g, ref m, ref u, i, c);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T g = TAdjust.IsOn ? grad[j] * sign + theta[j] * weightDecay : grad[j];
            T m = Lerp.Of(expAvg[j], g, gradientShare);
            expAvg[j] = m;
            T decayed = expInf[j] * beta2;
            T current = T.Abs(g) + eps;
            T u = decayed > current ? decayed : current;
            expInf[j] = u;
            theta[j] -= m * correctedLr / u;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust>(ref T theta, ref T grad, ref T expAvg, ref T expInf, nuint i,
                                            in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        var t = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + t * s.WeightDecay : TV.Load(ref grad, i);
        var m = Lerp.Of<T, TV>(TV.Load(ref expAvg, i), g, s.GradientShare, s.LerpComplement, s.LerpSmall);
        m.Store(ref expAvg, i);
        var u = TV.GreaterOr(TV.Load(ref expInf, i) * s.Beta2, TV.Abs(g) + s.Epsilon);
        u.Store(ref expInf, i);
        (t - m * s.CorrectedLr / u).Store(ref theta, i);
    }

    /// <summary>γ̂, β₂, 1 − β₁, ε, λ, the sign of the gradient (−1 when maximising), and whether g needs the sign or λ·θ.</summary>
    private readonly record struct Scalars<T>(T CorrectedLr, T Beta2, T GradientShare, T Epsilon, T WeightDecay, T Sign,
                                              bool Adjust)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call), with lerp's 1 − w and branch.</summary>
    private readonly record struct VectorScalars<TV>(TV CorrectedLr, TV Beta2, TV GradientShare, TV LerpComplement,
                                                     TV Epsilon, TV WeightDecay, TV Sign, bool LerpSmall)
        where TV : struct;
}
