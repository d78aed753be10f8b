namespace Optimizers;

/// <summary>
/// A yes/no fixed when a kernel is compiled rather than tested per element: a kernel generic over a flag type
/// (<c>where TNesterov : struct, IFlag</c>) gets its own machine code for <see cref="On"/> and for <see cref="Off"/>,
/// in which <c>TNesterov.IsOn</c> is a constant and the branch and the arithmetic of an option that is off disappear.
/// </summary>
/// <remarks>
/// The arithmetic is written once; the public <c>Step</c> of a kernel turns its bools into flag types once per call.
/// Measured on Momentum: with the options tested as bools inside the loop the JIT spilled the scalars and re-broadcast
/// them every iteration (~10–15 % slower than a loop written for the defaults alone); with flags the loop is the same
/// as the hand-written one.
/// </remarks>
internal interface IFlag
{
    /// <summary>Whether the option is on.</summary>
    static abstract bool IsOn { get; }
}

/// <summary>The option is on.</summary>
internal readonly struct On : IFlag
{
    /// <inheritdoc />
    public static bool IsOn => true;
}

/// <summary>The option is off.</summary>
internal readonly struct Off : IFlag
{
    /// <inheritdoc />
    public static bool IsOn => false;
}
