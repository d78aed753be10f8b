namespace Optimizers;

/// <summary>Checks shared by the span kernels.</summary>
internal static class Kernel
{
    /// <summary>Throws when a stream's length differs from θ's: kernels read and write equal-length spans.</summary>
    public static void CheckLengths(int theta, int other)
    {
        if (theta != other)
        {
            throw new ArgumentException($"Span lengths differ: θ has {theta} elements, another stream has {other}.");
        }
    }

    /// <summary>
    /// Whether the gradient a rule sees, g = ±grad + λ·θ, needs computing: true when maximising or when λ ≠ 0.
    /// </summary>
    /// <remarks>
    /// When false the kernels take g = grad and do no arithmetic for the sign or the decay, as torch.optim skips
    /// its weight-decay term when λ = 0. The result is the same: grad·1 = grad and grad + 0·θ = grad for every
    /// finite θ, except that a gradient of −0 then stays −0 (as in torch) instead of becoming +0. Options that are
    /// off thus cost no per-element arithmetic: the kernels compile a separate loop without them (see <see cref="IFlag"/>).
    /// </remarks>
    public static bool AdjustsGradient(bool maximize, double weightDecay) => maximize || weightDecay != 0;
}
