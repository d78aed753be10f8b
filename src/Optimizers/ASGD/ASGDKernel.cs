using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The averaged-SGD update as one fused pass over spans.</summary>
internal static class ASGDKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ_wd·θ[i];  θ[i] = θ[i]·shrink;  θ[i] = θ[i] − η·g;  ax[i] = μ ≠ 1 ? ax[i] + (θ[i] − ax[i])·μ : θ[i]</c>.
    /// </summary>
    /// <remarks>
    /// Follows torch.optim.ASGD's single-tensor text operation by operation (<c>grad.add(param, alpha=weight_decay)</c>,
    /// <c>param.mul_(1 - lambd·eta)</c>, <c>param.add_(grad, alpha=-eta)</c>, <c>ax.add_(param.sub(ax).mul(mu))</c> or
    /// <c>ax.copy_(param)</c> when μ = 1), so every value is rounded where torch rounds it. The options that are off
    /// (no weight decay or maximize, shrink = 1 when λ = 0, μ = 1) are skipped rather than computed with their neutral
    /// value, which changes no bit (see <see cref="Kernel.AdjustsGradient"/>).
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="average">ax, the running average of θ, updated in place.</param>
    /// <param name="weightDecay">λ_wd, the L2 penalty added to the gradient.</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="shrink">1 − λ·η, the factor θ is multiplied by before the step (1 skips it).</param>
    /// <param name="eta">η, this step's step size.</param>
    /// <param name="mu">μ, this step's averaging weight (1: ax becomes θ).</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> average, double weightDecay, bool maximize,
                               double shrink, double eta, double mu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured faster in cache in float32 (1.12×) and slower there in float64 (Vector<T> 1.16× faster),
        // within 2 % out of cache; see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: typeof(T) == typeof(float), outOfCache: false))
        {
            Step<T, Simd512<T>>(theta, grad, average, weightDecay, maximize, shrink, eta, mu);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, average, weightDecay, maximize, shrink, eta, mu);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> average, double weightDecay, bool maximize,
                                     double shrink, double eta, double mu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, average.Length);

        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(weightDecay), maximize ? -T.One : T.One, T.CreateTruncating(shrink),
                               T.CreateTruncating(eta), T.CreateTruncating(mu), Kernel.AdjustsGradient(maximize, weightDecay),
                               T.CreateTruncating(shrink) != T.One, T.CreateTruncating(mu) != T.One);
        Step<T, TV>(theta, grad, average, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> average, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], average[..head], s);
            Step<T, TV>(theta[head..], grad[head..], average[head..], s);
        }
        else if (s.Adjust)
        {
            Step<T, TV, On>(theta, grad, average, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, average, s);
        }
    }

    private static void Step<T, TV, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> average, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
    {
        if (s.Shrinks)
        {
            Step<T, TV, TAdjust, On>(theta, grad, average, s);
        }
        else
        {
            Step<T, TV, TAdjust, Off>(theta, grad, average, s);
        }
    }

    private static void Step<T, TV, TAdjust, TShrink>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> average, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
    {
        if (s.Averages)
        {
            Step<T, TV, TAdjust, TShrink, On>(theta, grad, average, s);
        }
        else
        {
            Step<T, TV, TAdjust, TShrink, Off>(theta, grad, average, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and combination of options.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TAdjust, TShrink, TAverage>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> average,
                                                                in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
        where TAverage : struct, IFlag
    {
        T weightDecay = s.WeightDecay, sign = s.Sign, shrink = s.Shrink, eta = s.Eta, mu = s.Mu;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T a = ref MemoryMarshal.GetReference(average);
            var c = new VectorScalars<TV>(TV.Create(weightDecay), TV.Create(sign), TV.Create(shrink), TV.Create(eta), TV.Create(mu));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TAdjust, TShrink, TAverage>(ref t, ref g, ref a, i, c);
                Update<T, TV, TAdjust, TShrink, TAverage>(ref t, ref g, ref a, i + q, c);
                Update<T, TV, TAdjust, TShrink, TAverage>(ref t, ref g, ref a, i + 2 * q, c);
                Update<T, TV, TAdjust, TShrink, TAverage>(ref t, ref g, ref a, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TAdjust, TShrink, TAverage>(ref t, ref g, ref a, i, c);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T th = theta[j];
            T g = TAdjust.IsOn ? grad[j] * sign + th * weightDecay : grad[j];
            if (TShrink.IsOn)
            {
                th *= shrink;
            }

            th -= eta * g;
            theta[j] = th;
            average[j] = TAverage.IsOn ? average[j] + (th - average[j]) * mu : th;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TAdjust, TShrink, TAverage>(ref T theta, ref T grad, ref T average, nuint i,
                                                                  in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TAdjust : struct, IFlag
        where TShrink : struct, IFlag
        where TAverage : struct, IFlag
    {
        var th = TV.Load(ref theta, i);
        var g = TAdjust.IsOn ? TV.Load(ref grad, i) * s.Sign + th * s.WeightDecay : TV.Load(ref grad, i);
        if (TShrink.IsOn)
        {
            th *= s.Shrink;
        }

        th -= s.Eta * g;
        th.Store(ref theta, i);
        if (TAverage.IsOn)
        {
            var a = TV.Load(ref average, i);
            (a + (th - a) * s.Mu).Store(ref average, i);
        }
        else
        {
            th.Store(ref average, i);
        }
    }

    /// <summary>λ_wd, the sign of the gradient (−1 when maximising), 1 − λ·η, η, μ, and the options.</summary>
    private readonly record struct Scalars<T>(T WeightDecay, T Sign, T Shrink, T Eta, T Mu, bool Adjust, bool Shrinks, bool Averages)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV WeightDecay, TV Sign, TV Shrink, TV Eta, TV Mu)
        where TV : struct;
}
