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
    /// <summary><c>s + w·(e − s)</c> when |w| &lt; 0.5, else <c>e − (e − s)·(1 − w)</c>, all in <typeparamref name="T"/> (as torch's kernel computes in the tensor's dtype).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Of<T>(T start, T end, T weight)
        where T : unmanaged, IFloatingPointIeee754<T>
        => IsSmall(weight)
            ? start + (end - start) * weight
            : end - (end - start) * (T.One - weight);

    /// <summary>
    /// The element-wise <see cref="Of{T}(T, T, T)"/> for a weight w: <paramref name="weight"/> holds w,
    /// <paramref name="complement"/> 1 − w (computed in <typeparamref name="T"/>), <paramref name="small"/> is |w| &lt; 0.5.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Of<T, TV>(TV start, TV end, TV weight, TV complement, bool small)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
        => small
            ? start + (end - start) * weight
            : end - (end - start) * complement;

    /// <summary>Whether lerp takes its first branch for this weight: |w| &lt; 0.5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSmall<T>(T weight)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.Abs(weight) < T.CreateTruncating(0.5);
}
