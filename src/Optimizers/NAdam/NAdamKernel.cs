using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The NAdam update as one fused pass over spans.</summary>
internal static class NAdamKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  m[i] = β₁·m[i] + (1 − β₁)·g;  v[i] = β₂·v[i] + (1 − β₂)·g·g;
    /// d = √(v[i]·(1/c₂)) + ε;  θ[i] = θ[i] − (a·g + b·m[i]) / d</c>.
    /// </summary>
    /// <remarks>
    /// torch.optim.NAdam divides three times per element (v / c₂, then g / d and m / d in two addcdiv calls). Here the
    /// two terms share one division and c₂ is inverted once per call: one division and one square root per element
    /// instead of three divisions and a root, which is what keeps NAdam memory-bound like Adam. Each value differs from
    /// torch's order by a few units in the last place (the parity traces agree within 1e-12 relative).
    /// </remarks>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the first moment, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment, updated in place.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added after the square root.</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient.</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="biasCorrection2">c₂ = 1 − β₂ᵗ (inverted once per call).</param>
    /// <param name="gradientStep">a = α·(1 − μₜ)/(1 − Πₜ), the weight of the current gradient.</param>
    /// <param name="momentumStep">b = α·μₜ₊₁/(1 − Πₜ·μₜ₊₁), the weight of the first moment.</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                            double beta1, double beta2, double epsilon, double weightDecay, bool maximize,
                            double biasCorrection2, double gradientStep, double momentumStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(expAvg, head), Kernel.Head(expAvgSq, head), beta1, beta2,
                 epsilon, weightDecay, maximize, biasCorrection2, gradientStep, momentumStep);
            Step(theta[head..], grad[head..], Kernel.Tail(expAvg, head), Kernel.Tail(expAvgSq, head), beta1, beta2,
                 epsilon, weightDecay, maximize, biasCorrection2, gradientStep, momentumStep);
            return;
        }

        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, biasCorrection2, gradientStep, momentumStep);
        }
        else
        {
            Step<T, Off>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, biasCorrection2, gradientStep, momentumStep);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                      double beta1Double, double beta2Double, double epsilonDouble, double weightDecayDouble, bool maximize,
                                      double biasCorrection2Double, double gradientStepDouble, double momentumStepDouble)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        T beta1 = T.CreateTruncating(beta1Double);
        T beta2 = T.CreateTruncating(beta2Double);
        T epsilon = T.CreateTruncating(epsilonDouble);
        T weightDecay = T.CreateTruncating(weightDecayDouble);
        T biasCorrection2 = T.CreateTruncating(biasCorrection2Double);
        T gradientStep = T.CreateTruncating(gradientStepDouble);
        T momentumStep = T.CreateTruncating(momentumStepDouble);
        T sign = maximize ? -T.One : T.One;
        T gradientShare = T.CreateTruncating(1 - beta1Double);
        T squareShare = T.CreateTruncating(1 - beta2Double);
        T inverseBiasCorrection2 = T.CreateTruncating(1 / biasCorrection2Double);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<T, Vector<T>>(theta);
            var gv = MemoryMarshal.Cast<T, Vector<T>>(grad);
            var mv = MemoryMarshal.Cast<T, Vector<T>>(expAvg);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(expAvgSq);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<T, TAdjust>(t, gv, mv, vv, k, sign, weightDecay, beta1, gradientShare, beta2, squareShare,
                                inverseBiasCorrection2, epsilon, gradientStep, momentumStep);
                Update<T, TAdjust>(t, gv, mv, vv, k + q, sign, weightDecay, beta1, gradientShare, beta2, squareShare,
                                inverseBiasCorrection2, epsilon, gradientStep, momentumStep);
                Update<T, TAdjust>(t, gv, mv, vv, k + 2 * q, sign, weightDecay, beta1, gradientShare, beta2, squareShare,
                                inverseBiasCorrection2, epsilon, gradientStep, momentumStep);
                Update<T, TAdjust>(t, gv, mv, vv, k + 3 * q, sign, weightDecay, beta1, gradientShare, beta2, squareShare,
                                inverseBiasCorrection2, epsilon, gradientStep, momentumStep);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust>(t, gv, mv, vv, k, sign, weightDecay, beta1, gradientShare, beta2, squareShare,
                                inverseBiasCorrection2, epsilon, gradientStep, momentumStep);
            }

            i = t.Length * Vector<T>.Count;
        }

        for (; i < theta.Length; i++)
        {
            T g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            T m = expAvg[i] * beta1 + gradientShare * g;
            T v = expAvgSq[i] * beta2 + squareShare * g * g;
            expAvg[i] = m;
            expAvgSq[i] = v;
            T denom = T.Sqrt(v * inverseBiasCorrection2) + epsilon;
            theta[i] -= (gradientStep * g + momentumStep * m) / denom;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                        Span<Vector<T>> mv, Span<Vector<T>> vv, int k, T sign,
                                        T weightDecay, T beta1, T gradientShare, T beta2,
                                        T squareShare, T inverseBiasCorrection2, T epsilon,
                                        T gradientStep, T momentumStep)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var m = mv[k] * beta1 + gradientShare * g;
        var v = vv[k] * beta2 + squareShare * g * g;
        mv[k] = m;
        vv[k] = v;
        var denom = Vector.SquareRoot(v * inverseBiasCorrection2) + new Vector<T>(epsilon);
        t[k] -= (gradientStep * g + momentumStep * m) / denom;
    }
}
