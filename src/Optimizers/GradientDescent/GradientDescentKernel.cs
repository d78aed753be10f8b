using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>The gradient descent update as one fused pass over spans.</summary>
internal static class GradientDescentKernel
{
    /// <summary>
    /// Per element: <c>g = ±grad[i] + λ·θ[i];  θ[i] = θ[i] − α·g</c> (the sign is − when maximising).
    /// </summary>
    /// <remarks><paramref name="grad"/> may be <paramref name="theta"/> itself (each element is read before it is written).</remarks>
    /// <exception cref="ArgumentException"><paramref name="grad"/> is not as long as <paramref name="theta"/>; nothing is written.</exception>
    public static void Step(Span<double> theta, ReadOnlySpan<double> grad,
                            double lr, double weightDecay, bool maximize)
    {
        Kernel.CheckLengths(theta.Length, grad.Length);
        int head = Kernel.UnalignedHead(theta);
        if (head > 0)
        {
            Step(theta[..head], grad[..head], lr, weightDecay, maximize);
            Step(theta[head..], grad[head..], lr, weightDecay, maximize);
            return;
        }

        if (Kernel.AdjustsGradient(maximize, weightDecay))
        {
            Step<On>(theta, grad, lr, weightDecay, maximize);
        }
        else
        {
            Step<Off>(theta, grad, lr, weightDecay, maximize);
        }
    }

    /// <summary>The loop, compiled once per combination of options (see <see cref="IFlag"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the loop is the body of its own method (see Kernel's remarks)
    private static void Step<TAdjust>(Span<double> theta, ReadOnlySpan<double> grad,
                                      double lr, double weightDecay, bool maximize)
        where TAdjust : struct, IFlag
    {
        double sign = maximize ? -1.0 : 1.0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(grad);
            int q = Kernel.InterleavedQuarter(t.Length);
            for (int k = 0; k < q; k++)
            {
                Update<TAdjust>(t, gv, k, lr, weightDecay, sign);
                Update<TAdjust>(t, gv, k + q, lr, weightDecay, sign);
                Update<TAdjust>(t, gv, k + 2 * q, lr, weightDecay, sign);
                Update<TAdjust>(t, gv, k + 3 * q, lr, weightDecay, sign);
            }

            for (int k = 4 * q; k < t.Length; k++)
            {
                Update<TAdjust>(t, gv, k, lr, weightDecay, sign);
            }

            i = t.Length * Vector<double>.Count;
        }

        for (; i < theta.Length; i++)
        {
            double g = TAdjust.IsOn ? grad[i] * sign + theta[i] * weightDecay : grad[i];
            theta[i] -= g * lr;
        }
    }

    /// <summary>Vector k of the update (the loop's body; see <see cref="Kernel.InterleavedQuarter"/> for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TAdjust>(Span<Vector<double>> t, ReadOnlySpan<Vector<double>> gv, int k,
                                        double lr, double weightDecay, double sign)
        where TAdjust : struct, IFlag
    {
        var g = TAdjust.IsOn ? gv[k] * sign + t[k] * weightDecay : gv[k];
        t[k] -= g * lr;
    }
}
