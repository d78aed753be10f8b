namespace Optimizers.Checkpoints;

/// <summary>
/// The one exception <see cref="Checkpoint"/> throws for a checkpoint that cannot be loaded: not a checkpoint, an
/// unknown version, truncated or corrupted bytes, malformed content, a missing section, or a checkpoint made for
/// another optimizer or other parameters. When it is thrown, the optimizer and the parameters are exactly as they
/// were before the call.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The kind of failure.</param>
    /// <param name="message">What is wrong, in words.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public CheckpointException(CheckpointError error, string message, Exception? innerException = null)
        : base(message + " Nothing was changed.", innerException)
    {
        Error = error;
    }

    /// <summary>The kind of failure.</summary>
    public CheckpointError Error { get; }
}
