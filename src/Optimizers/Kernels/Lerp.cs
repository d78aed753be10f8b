using System.Numerics;
using System.Runtime.CompilerServices;

namespace Optimizers;

/// <summary>
/// Linear interpolation computed the way PyTorch's <c>lerp</c> computes it, for the running averages that
/// torch.optim 2.x updates with <c>avg.lerp_(grad, 1 − β)</c>.
/// </summary>
/// <remarks>
/// <code>
/// lerp(s, e, w) = s + w·(e − s)          when |w| &lt; 0.5
///               = e − (e − s)·(1 − w)    otherwise
/// </code>
/// Mathematically both branches equal (1 − w)·s + w·e; the switch keeps the rounding error small at both ends,
/// and following it reproduces PyTorch's rounding. The scalar and the vector overload do the same operations in
/// the same order, so a kernel's vector body and its scalar remainder agree bit for bit.
/// </remarks>
internal static class Lerp
{
    /// <summary><c>s + w·(e − s)</c> when |w| &lt; 0.5, else <c>e − (e − s)·(1 − w)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Of(double start, double end, double weight)
        => Math.Abs(weight) < 0.5
            ? start + (end - start) * weight
            : end - (end - start) * (1 - weight);

    /// <summary>The element-wise <see cref="Of(double, double, double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Of(Vector<double> start, Vector<double> end, double weight)
        => Math.Abs(weight) < 0.5
            ? start + (end - start) * weight
            : end - (end - start) * (1 - weight);
}
