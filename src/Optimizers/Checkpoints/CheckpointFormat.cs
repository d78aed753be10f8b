namespace Optimizers.Checkpoints;

/// <summary>Constants of the checkpoint format, described in docs/checkpoint-format.md.</summary>
internal static class CheckpointFormat
{
    /// <summary>The first eight bytes of every checkpoint: ASCII "OPTMCKPT".</summary>
    public static ReadOnlySpan<byte> Magic => "OPTMCKPT"u8;

    /// <summary>The format version this library writes.</summary>
    public const uint Version = 2;

    /// <summary>The oldest format version this library still reads (version 1: double-precision state only).</summary>
    public const uint OldestReadableVersion = 1;

    /// <summary>Magic (8) + version (4) + payload length (8).</summary>
    public const int HeaderLength = 20;

    /// <summary>SHA-256 over header and payload.</summary>
    public const int HashLength = 32;

    /// <summary>The longest name (section, type, parameter, state or hyperparameter), in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 4096;

    /// <summary>Section holding an optimizer's complete state.</summary>
    public const string OptimizerSection = "optimizer";

    /// <summary>Section holding parameter values (model weights).</summary>
    public const string ParametersSection = "parameters";

    /// <summary>Section holding a learning-rate schedule's position.</summary>
    public const string ScheduleSection = "schedule";

    /// <summary>Optimizer layout byte: one optimizer.</summary>
    public const byte SingleLayout = 0;

    /// <summary>Optimizer layout byte: a <see cref="ParameterGroups"/> of optimizers.</summary>
    public const byte GroupsLayout = 1;
}
