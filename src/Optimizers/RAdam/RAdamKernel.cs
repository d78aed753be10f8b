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
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                            double beta1, double beta2, double epsilon, double weightDecay, bool maximize,
                            double stepSize, bool rectified)
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
            Step<On>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
        else
        {
            Step<Off>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
    }

    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                                      double beta1, double beta2, double epsilon, double weightDecay, bool maximize,
                                      double stepSize, bool rectified)
        where TAdjust : struct, IFlag
    {
        if (rectified)
        {
            Step<TAdjust, On>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
        else
        {
            Step<TAdjust, Off>(theta, grad, expAvg, expAvgSq, beta1, beta2, epsilon, weightDecay, maximize, stepSize, rectified);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<TAdjust, TRectified>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expAvgSq,
                                                  double beta1, double beta2, double epsilon, double weightDecay, bool maximize,
                                                  double stepSize, bool rectified)
        where TAdjust : struct, IFlag
        where TRectified : struct, IFlag
    {
        double sign = maximize ? -1.0 : 1.0;
        double gradientShare = 1 - beta1;
        double squareShare = 1 - beta2;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var mv = MemoryMarshal.Cast<double, Vector<double>>(expAvg);
            var vv = MemoryMarshal.Cast<double, Vector<double>>(expAvgSq);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust, TRectified>(t, gv, mv, vv, k, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
                Update<TAdjust, TRectified>(t, gv, mv, vv, k + q, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
                Update<TAdjust, TRectified>(t, gv, mv, vv, k + 2 * q, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
                Update<TAdjust, TRectified>(t, gv, mv, vv, k + 3 * q, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust, TRectified>(t, gv, mv, vv, k, sign, weightDecay, beta1, gradientShare, beta2,
                                            squareShare, stepSize, epsilon);
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            double m = expAvg[i] * beta1 + gradientShare * g;
            double v = expAvgSq[i] * beta2 + squareShare * g * g;
            expAvg[i] = m;
            expAvgSq[i] = v;
            double d = TRectified.IsOn ? stepSize * m / (Math.Sqrt(v) + epsilon) : stepSize * m;
            theta[i] -= d;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TAdjust, TRectified>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv,
                                                    Span<Vector<double>> mv, Span<Vector<double>> vv, int k,
                                                    double sign, double weightDecay, double beta1, double gradientShare,
                                                    double beta2, double squareShare, double stepSize, double epsilon)
        where TAdjust : struct, IFlag
        where TRectified : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var m = mv[k] * beta1 + gradientShare * g;
        var v = vv[k] * beta2 + squareShare * g * g;
        mv[k] = m;
        vv[k] = v;
        var d = TRectified.IsOn ? stepSize * m / (Vector.SquareRoot(v) + new Vector<double>(epsilon)) : stepSize * m;
        t[k] -= d;
    }
}
