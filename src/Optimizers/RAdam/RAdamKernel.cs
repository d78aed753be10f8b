using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The RAdam update as one fused pass over spans.</summary>
internal static class RAdamKernel
{
    /// <summary>
    /// Per element:
    /// <c>g = ±grad[i] + λ·θ[i];  m[i] = β₁·m[i] + (1 − β₁)·g;  v[i] = β₂·v[i] + (1 − β₂)·g·g;
    /// θ[i] = θ[i] − (rectified ? s·m[i] / (√v[i] + ε) : s·m[i])</c>.
    /// </summary>
    /// <param name="theta">θ, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="expAvg">m, the first moment, updated in place.</param>
    /// <param name="expAvgSq">v, the second moment, updated in place (also when not rectified).</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε, added to the uncorrected √v.</param>
    /// <param name="weightDecay">λ of the L2 penalty added to the gradient.</param>
    /// <param name="maximize">Negate the gradient.</param>
    /// <param name="stepSize">s: α·rₜ·√(1 − β₂ᵗ)/(1 − β₁ᵗ) when rectified, else α/(1 − β₁ᵗ).</param>
    /// <param name="rectified">Whether to take the adaptive (rectified) step, that is ρₜ &gt; 5.</param>
    public static void Step<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                            double beta1, double beta2, double epsilon, double weightDecay, bool maximize,
                            double stepSize, bool rectified)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, expAvg.Length);
        Kernel.CheckLengths(theta.Length, expAvgSq.Length);
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(expAvg, head), Kernel.Head(expAvgSq, head), beta1, beta2,
                 epsilon, weightDecay, maximize, stepSize, rectified);
            Step(theta[head..], grad[head..], Kernel.Tail(expAvg, head), Kernel.Tail(expAvgSq, head), beta1, beta2,
                 epsilon, weightDecay, maximize, stepSize, rectified);
            return;
        }

        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<T, On>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
        else
        {
            Step<T, Off>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
    }

    private static void Step<T, TAdjust>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                      double beta1, double beta2, double epsilon, double weightDecay, bool maximize,
                                      double stepSize, bool rectified)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
    {
        if (rectified)
        {
            Step<T, TAdjust, On>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
        else
        {
            Step<T, TAdjust, Off>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<T, TAdjust, TRectified>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                                  double beta1Double, double beta2Double, double epsilonDouble, double weightDecayDouble, bool maximize,
                                                  double stepSizeDouble, bool rectified)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TRectified : struct, IFlag
    {
        // Every scalar is formed in double and rounded to T once, as torch's float32 path casts its Python scalars.
        T beta1 = T.CreateTruncating(beta1Double);
        T beta2 = T.CreateTruncating(beta2Double);
        T epsilon = T.CreateTruncating(epsilonDouble);
        T weightDecay = T.CreateTruncating(weightDecayDouble);
        T stepSize = T.CreateTruncating(stepSizeDouble);
        T sign = maximize ? -T.One : T.One;
        T gradientShare = T.CreateTruncating(1 - beta1Double);
        T squareShare = T.CreateTruncating(1 - beta2Double);
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
                Update<T, TAdjust, TRectified>(t, gv, mv, vv, k, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
                Update<T, TAdjust, TRectified>(t, gv, mv, vv, k + q, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
                Update<T, TAdjust, TRectified>(t, gv, mv, vv, k + 2 * q, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
                Update<T, TAdjust, TRectified>(t, gv, mv, vv, k + 3 * q, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<T, TAdjust, TRectified>(t, gv, mv, vv, k, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
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
            T d = TRectified.IsOn ? stepSize * m / (T.Sqrt(v) + epsilon) : stepSize * m;
            theta[i] -= d;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<T, TAdjust, TRectified>(Span<Vector<T>> t, ReadOnlySpan<Vector<T>> gv,
                                                    Span<Vector<T>> mv, Span<Vector<T>> vv, int k,
                                                    T sign, T weightDecay, T beta1, T gradientShare,
                                                    T beta2, T squareShare, T stepSize, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAdjust : struct, IFlag
        where TRectified : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var m = mv[k] * beta1 + gradientShare * g;
        var v = vv[k] * beta2 + squareShare * g * g;
        mv[k] = m;
        vv[k] = v;
        var d = TRectified.IsOn ? stepSize * m / (Vector.SquareRoot(v) + new Vector<T>(epsilon)) : stepSize * m;
        t[k] -= d;
    }
}
