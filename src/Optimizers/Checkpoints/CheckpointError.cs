namespace Optimizers.Checkpoints;

/// <summary>Why a checkpoint could not be loaded (<see cref="CheckpointException.Error"/>).</summary>
public enum CheckpointError
{
    /// <summary>The bytes do not start with the checkpoint signature: not a checkpoint at all.</summary>
    NotACheckpoint,

    /// <summary>The format version is one this library cannot read.</summary>
    UnsupportedVersion,

    /// <summary>The data ends before the checkpoint does.</summary>
    Truncated,

    /// <summary>The SHA-256 checksum does not match the bytes, or the declared length is impossible: the bytes were changed.</summary>
    Corrupted,

    /// <summary>The checksum matches but the content breaks the format's rules (a hand-made or foreign file).</summary>
    Malformed,

    /// <summary>The checkpoint lacks a section the caller asked to load (for example parameter values).</summary>
    MissingSection,

    /// <summary>
    /// The checkpoint is valid but was made for something else: another optimizer type, other hyperparameters, or
    /// other parameter counts, names or lengths.
    /// </summary>
    Mismatch,
}
