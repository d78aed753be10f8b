using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The Rprop update as one fused pass over spans.</summary>
internal static class RpropKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i];  p = g·prev[i];  η = p &gt; 0 ? η₊ : p &lt; 0 ? η₋ : 1;  s[i] = clamp(s[i]·η, sₘᵢₙ, sₘₐₓ);
    /// g = p &lt; 0 ? 0 : g;  prev[i] = g;  θ[i] = θ[i] − sign(g)·s[i]</c>.
    /// </summary>
    /// <remarks>
    /// Follows torch.optim.Rprop's single-tensor text operation by operation (<c>sign = grad.mul(prev).sign()</c>, the three
    /// replacements, <c>step_size.mul_(sign).clamp_(min, max)</c>, <c>grad[sign.eq(etaminus)] = 0</c>,
    /// <c>param.addcmul_(grad.sign(), step_size, value=-1)</c>): each result is one product or a selection, so the
    /// values are torch's bit for bit in either element type. One departure, for non-finite input only: where p or g is
    /// NaN, torch 1.13's <c>sign()</c> gives 0 (η = 1 and θ unchanged), here NaN propagates into s, prev and θ, as the
    /// library's <see cref="NonFiniteGradientPolicy.Propagate"/> promises.
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="prev">The previous step's (possibly zeroed) gradient, updated in place.</param>
    /// <param name="stepSize">s, the per-element step sizes, updated in place.</param>
    /// <param name="etaMinus">η₋, the factor applied to s when the gradient changes sign.</param>
    /// <param name="etaPlus">η₊, the factor applied to s when the gradient keeps its sign.</param>
    /// <param name="minStepSize">sₘᵢₙ, the smallest step size.</param>
    /// <param name="maxStepSize">sₘₐₓ, the largest step size.</param>
    /// <param name="maximize">Negate the gradient.</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> prev, Span<T> stepSize, double etaMinus,
                               double etaPlus, double minStepSize, double maxStepSize, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vector512 measured faster in cache in float32 (1.35×) and float64 (1.03×), and out of it in float32 (1.06×;
        // float64 1.01×); see bench/README.md.
        if (Kernel.UsesWide<T>(theta.Length, inCache: true, outOfCache: typeof(T) == typeof(float)))
        {
            Step<T, Simd512<T>>(theta, grad, prev, stepSize, etaMinus, etaPlus, minStepSize, maxStepSize, maximize);
        }
        else
        {
            Step<T, SimdVector<T>>(theta, grad, prev, stepSize, etaMinus, etaPlus, minStepSize, maxStepSize, maximize);
        }
    }

    /// <summary><see cref="Step{T}"/> with the vector width chosen by the caller (the tests compare the widths bit for bit).</summary>
    internal static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> prev, Span<T> stepSize, double etaMinus,
                                     double etaPlus, double minStepSize, double maxStepSize, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, prev.Length);
        Kernel.CheckLengths(theta.Length, stepSize.Length);

        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        var s = new Scalars<T>(T.CreateTruncating(etaMinus), T.CreateTruncating(etaPlus), T.CreateTruncating(minStepSize),
                               T.CreateTruncating(maxStepSize), maximize);
        Step<T, TV>(theta, grad, prev, stepSize, s);
    }

    private static void Step<T, TV>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> prev, Span<T> stepSize, in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        int head = Kernel.UnalignedHead(theta, TV.Bytes);
        if (head > 0)
        {
            Step<T, TV>(theta[..head], grad[..head], prev[..head], stepSize[..head], s);
            Step<T, TV>(theta[head..], grad[head..], prev[head..], stepSize[head..], s);
        }
        else if (s.Maximize)
        {
            Step<T, TV, On>(theta, grad, prev, stepSize, s);
        }
        else
        {
            Step<T, TV, Off>(theta, grad, prev, stepSize, s);
        }
    }

    /// <summary>The loop, compiled once per vector width and option.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TV, TMaximize>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> prev, Span<T> stepSize,
                                               in Scalars<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TMaximize : struct, IFlag
    {
        T etaMinus = s.EtaMinus, etaPlus = s.EtaPlus, min = s.Min, max = s.Max, minusOne = -T.One;
        nuint i = 0;
        if (TV.IsAccelerated)
        {
            ref T t = ref MemoryMarshal.GetReference(theta);
            ref T g = ref MemoryMarshal.GetReference(grad);
            ref T p = ref MemoryMarshal.GetReference(prev);
            ref T z = ref MemoryMarshal.GetReference(stepSize);
            var c = new VectorScalars<TV>(TV.Create(etaMinus), TV.Create(etaPlus), TV.Create(min), TV.Create(max),
                                          TV.Create(T.Zero), TV.Create(T.One), TV.Create(minusOne));
            nuint n = (nuint)theta.Length, w = (nuint)TV.Count, q = Kernel.InterleavedQuarter<T, TV>(theta.Length);
            for (; i < q; i += w)
            {
                Update<T, TV, TMaximize>(ref t, ref g, ref p, ref z, i, c);
                Update<T, TV, TMaximize>(ref t, ref g, ref p, ref z, i + q, c);
                Update<T, TV, TMaximize>(ref t, ref g, ref p, ref z, i + 2 * q, c);
                Update<T, TV, TMaximize>(ref t, ref g, ref p, ref z, i + 3 * q, c);
            }

            for (i = 4 * q; i + w <= n; i += w)
            {
                Update<T, TV, TMaximize>(ref t, ref g, ref p, ref z, i, c);
            }
        }

        for (int j = (int)i; j < theta.Length; j++)
        {
            T g = TMaximize.IsOn ? grad[j] * minusOne : grad[j];
            T product = g * prev[j];
            T eta = product > T.Zero ? etaPlus : product < T.Zero ? etaMinus : product * T.Zero + T.One;
            T step = stepSize[j] * eta;
            step = step < min ? min : step > max ? max : step;
            g = product < T.Zero ? T.Zero : g;
            stepSize[j] = step;
            prev[j] = g;
            theta[j] -= g > T.Zero ? step : g < T.Zero ? step * minusOne : g;
        }
    }

    /// <summary>The vector at offset i (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TV, TMaximize>(ref T theta, ref T grad, ref T prev, ref T stepSize, nuint i,
                                                 in VectorScalars<TV> s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        where TMaximize : struct, IFlag
    {
        var g = TMaximize.IsOn ? TV.Load(ref grad, i) * s.MinusOne : TV.Load(ref grad, i);
        var product = g * TV.Load(ref prev, i);
        var eta = TV.IfGreater(product, s.Zero, s.EtaPlus, TV.IfLess(product, s.Zero, s.EtaMinus, product * s.Zero + s.One));
        var step = TV.Load(ref stepSize, i) * eta;
        step = TV.IfLess(step, s.Min, s.Min, TV.IfGreater(step, s.Max, s.Max, step));
        g = TV.IfLess(product, s.Zero, s.Zero, g);
        step.Store(ref stepSize, i);
        g.Store(ref prev, i);
        var move = TV.IfGreater(g, s.Zero, step, TV.IfLess(g, s.Zero, step * s.MinusOne, g));
        (TV.Load(ref theta, i) - move).Store(ref theta, i);
    }

    /// <summary>η₋, η₊, sₘᵢₙ, sₘₐₓ, and the option.</summary>
    private readonly record struct Scalars<T>(T EtaMinus, T EtaPlus, T Min, T Max, bool Maximize)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The scalars, 0, 1 and −1 in every lane of a vector (broadcast once per call, outside the loop).</summary>
    private readonly record struct VectorScalars<TV>(TV EtaMinus, TV EtaPlus, TV Min, TV Max, TV Zero, TV One, TV MinusOne)
        where TV : struct;
}
