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
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad, Span<double> sum,
                            double decayedLr, double eps, double weightDecay, bool maximize)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        Kernel.CheckLengths(theta.Length, sum.Length);
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], Kernel.Head(sum, head), decayedLr, eps, weightDecay, maximize);
            Step(theta[head..], grad[head..], Kernel.Tail(sum, head), decayedLr, eps, weightDecay, maximize);
            return;
        }

        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<On>(theta, grad, sum, decayedLr, eps, weightDecay, maximize);
        }
        else
        {
            Step<Off>(theta, grad, sum, decayedLr, eps, weightDecay, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad, Span<double> sum,
                                      double decayedLr, double eps, double weightDecay, bool maximize)
        where TAdjust : struct, IFlag
    {
        double sign = maximize ? -1.0 : 1.0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var epsilon = new Vector<double>(eps);
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            var sv = MemoryMarshal.Cast<double, Vector<double>>(sum);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust>(t, gv, sv, k, sign, weightDecay, decayedLr, epsilon);
                Update<TAdjust>(t, gv, sv, k + q, sign, weightDecay, decayedLr, epsilon);
                Update<TAdjust>(t, gv, sv, k + 2 * q, sign, weightDecay, decayedLr, epsilon);
                Update<TAdjust>(t, gv, sv, k + 3 * q, sign, weightDecay, decayedLr, epsilon);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust>(t, gv, sv, k, sign, weightDecay, decayedLr, epsilon);
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            double s = sum[i] + g * g;
            sum[i] = s;
            theta[i] -= g * decayedLr / (Math.Sqrt(s) + eps);
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TAdjust>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv,
                                        Span<Vector<double>> sv, int k, double sign, double weightDecay,
                                        double decayedLr, Vector<double> epsilon)
        where TAdjust : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        var s = sv[k] + g * g;
        sv[k] = s;
        t[k] -= g * decayedLr / (Vector.SquareRoot(s) + epsilon);
    }
}
