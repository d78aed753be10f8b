using System.Text;

namespace Optimizers.Checkpoints;

/// <summary>Constants of the checkpoint format, described in docs/checkpoint-format.md.</summary>
internal static class CheckpointFormat
{
    /// <summary>The first eight bytes of every checkpoint: ASCII "OPTMCKPT".</summary>
    public static ReadOnlySpan<byte> Magic => "OPTMCKPT"u8;

    /// <summary>The format version this library writes.</summary>
    public const uint Version = 3;

    /// <summary>
    /// The oldest format version this library still reads. Version 1 (written until the element type became generic)
    /// held double-precision state only and named the rule and the schedule by their .NET full names.
    /// </summary>
    public const uint OldestReadableVersion = 1;

    /// <summary>Magic (8) + version (4) + payload length (8).</summary>
    public const int HeaderLength = 20;

    /// <summary>SHA-256 over header and payload.</summary>
    public const int HashLength = 32;

    /// <summary>The longest name (section, rule, schedule, parameter, state, hyperparameter or setting), in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 4096;

    /// <summary>Section holding an optimizer's complete state.</summary>
    public const string OptimizerSection = "optimizer";

    /// <summary>Section holding parameter values (model weights).</summary>
    public const string ParametersSection = "parameters";

    /// <summary>Section holding a learning-rate schedule's position.</summary>
    public const string ScheduleSection = "schedule";

    /// <summary>Section holding weight averages (<see cref="Averaging.AveragedParameters{T}"/>): mode, decay, count and averages.</summary>
    public const string AveragingSection = "averaging";

    /// <summary>Optimizer layout byte: one optimizer.</summary>
    public const byte SingleLayout = 0;

    /// <summary>Optimizer layout byte: a <see cref="ParameterGroups"/> of optimizers.</summary>
    public const byte GroupsLayout = 1;

    /// <summary>
    /// Optimizer layout byte: a wrapper (<see cref="Lookahead{T}"/>, <see cref="GradientAccumulation{T}"/>), its own
    /// record followed by the section of the optimizer it wraps (version 2 on).
    /// </summary>
    public const byte WrapperLayout = 2;

    /// <summary>
    /// Optimizer layout byte: an <see cref="LBFGS{T}"/>, its own record (<see cref="LbfgsRecord"/>) instead of groups
    /// (version 2 and later).
    /// </summary>
    public const byte LbfgsLayout = 3;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> (naming <paramref name="argumentName"/>) unless <paramref name="name"/>
    /// can be written to a checkpoint and read back identical: well-formed UTF-16 (no lone surrogate, which UTF-8 cannot
    /// encode) of at most <see cref="MaxNameBytes"/> UTF-8 bytes.
    /// </summary>
    /// <param name="name">The name to check (not null).</param>
    /// <param name="argumentName">The argument that holds it.</param>
    /// <param name="what">What the name names, to begin the message ("The parameter name").</param>
    public static void CheckName(string name, string argumentName, string what)
    {
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                throw new ArgumentException(
                    $"{what} holds a lone surrogate (U+{(int)name[i]:X4} at index {i}), which has no UTF-8 form, so a " +
                    "checkpoint could not store the name and read it back.", argumentName);
            }
        }

        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxNameBytes)
        {
            throw new ArgumentException(
                $"{what} is {bytes} bytes long in UTF-8; checkpoints hold names of up to {MaxNameBytes} bytes.", argumentName);
        }
    }

    /// <summary>
    /// A version-1 .NET full name without its namespace (<c>"Optimizers.Adam"</c> → <c>"Adam"</c>) when it is in
    /// <paramref name="ns"/> itself; any other name unchanged, so that it matches nothing.
    /// </summary>
    public static string WithoutNamespace(string fullName, string ns)
        => fullName.StartsWith(ns, StringComparison.Ordinal) && fullName.IndexOf('.', ns.Length) < 0 ? fullName[ns.Length..] : fullName;
}
