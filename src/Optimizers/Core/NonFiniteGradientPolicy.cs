namespace Optimizers;

/// <summary>What <see cref="Optimizer.Step"/> does when a gradient holds NaN or ±∞.</summary>
/// <remarks>
/// Under <see cref="Throw"/> and <see cref="Skip"/> every gradient is read once, before anything is written, so
/// a bad gradient leaves every parameter and all optimizer state untouched. That check costs one extra
/// read-only pass over the gradients; <see cref="Propagate"/> drops it.
/// </remarks>
public enum NonFiniteGradientPolicy
{
    /// <summary>
    /// The default: throw <see cref="NonFiniteGradientException"/> naming the parameter; nothing is modified and
    /// the step count does not change.
    /// </summary>
    Throw = 0,

    /// <summary>
    /// Skip the whole step, as a mixed-precision loss scaler does when it finds an infinity: nothing is
    /// modified, the step count does not change, the skipped-step count grows by one and
    /// <see cref="Optimizer.TryStep"/> returns false.
    /// </summary>
    Skip = 1,

    /// <summary>
    /// No check at all (the raw-speed opt-out): NaN and ±∞ flow into the parameters and the state exactly as in
    /// PyTorch, which never checks. Use it only when the gradients are known to be finite.
    /// </summary>
    Propagate = 2,
}
