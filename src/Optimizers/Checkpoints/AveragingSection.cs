using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Optimizers.Averaging;

namespace Optimizers.Checkpoints;

/// <summary>
/// The "averaging" section: an <see cref="AveragedParameters{T}"/>'s element type, mode (SWA or EMA) and decay, its
/// <see cref="AveragedParameters{T}.AveragedCount"/> (torch's <c>n_averaged</c>), and each averaged parameter's name,
/// length and average as raw elements. See docs/checkpoint-format.md.
/// </summary>
internal sealed class AveragingSection
{
    /// <summary>Mode byte: equal weights (SWA, decay null).</summary>
    private const byte Equal = 0;

    /// <summary>Mode byte: exponential moving average (EMA) with the decay that follows.</summary>
    private const byte Exponential = 1;

    private AveragingSection(int elementSize, double? decay, long count, KeyValuePair<string, byte[]>[] averages)
    {
        ElementSize = elementSize;
        Decay = decay;
        Count = count;
        Averages = averages;
    }

    /// <summary>Bytes per element: 4 (float32) or 8 (float64).</summary>
    public int ElementSize { get; }

    /// <summary>The decay of the EMA, or null for SWA's equal weights.</summary>
    public double? Decay { get; }

    /// <summary>n, the number of updates folded into the averages.</summary>
    public long Count { get; }

    /// <summary>Per averaged parameter: its name and its average as raw elements.</summary>
    public KeyValuePair<string, byte[]>[] Averages { get; }

    /// <summary>The averaging as one that can be saved or loaded now.</summary>
    /// <exception cref="ArgumentException">The averages are swapped into the parameters.</exception>
    public static AveragedParameters<T> Checkable<T>(AveragedParameters<T> averaged, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
        => averaged.IsSwapped
            ? throw new ArgumentException(
                "The averages are swapped into the parameters; call Swap() again before saving or loading them, so that the " +
                "averages and the training values are each where a checkpoint expects them. Nothing changed.", argumentName)
            : averaged;

    public static void Write<T>(PayloadWriter writer, AveragedParameters<T> averaged)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = Unsafe.SizeOf<T>();
        writer.WriteByte((byte)elementSize);
        writer.WriteByte(averaged.Decay is null ? Equal : Exponential);
        writer.WriteDouble(averaged.Decay ?? 0);
        writer.WriteInt64(averaged.AveragedCount);
        writer.WriteInt32(averaged.Parameters.Count);
        for (int i = 0; i < averaged.Parameters.Count; i++)
        {
            writer.WriteString(averaged.Parameters[i].Name);
            writer.WriteInt32(averaged.Averages[i].Length);
            writer.WriteElements(MemoryMarshal.AsBytes(averaged.Averages[i].ValueSpan), elementSize);
        }
    }

    /// <summary>Parses the whole section, checking what the format requires (sizes, mode, a decay in [0, 1], 0 ≤ n &lt; 2⁶³ − 1).</summary>
    public static AveragingSection Parse(PayloadReader reader)
    {
        int elementSize = reader.ReadByte();
        if (elementSize is not (sizeof(float) or sizeof(double)))
        {
            throw PayloadReader.Malformed($"Unknown element size {elementSize} of the averages; checkpoints hold float32 (4) or float64 (8) values.");
        }

        byte mode = reader.ReadByte();
        double decay = reader.ReadDouble();
        double? d = mode switch
        {
            Equal when BitConverter.DoubleToInt64Bits(decay) == 0 => null,
            Equal => throw PayloadReader.Malformed($"Equal-weight (SWA) averages record a decay of {decay:R}; they record 0."),
            Exponential when decay is >= 0 and <= 1 => decay,
            Exponential => throw PayloadReader.Malformed($"The averages record an EMA decay of {decay:R}, outside [0, 1]."),
            _ => throw PayloadReader.Malformed($"Unknown averaging mode {mode}; 0 is equal weights (SWA), 1 an exponential moving average."),
        };

        long count = reader.ReadInt64();
        if (count is < 0 or long.MaxValue)
        {
            throw PayloadReader.Malformed(count < 0
                ? $"The averages record {count} updates; the count is never negative."
                : $"The averages record {count} updates; the next update could not be counted.");
        }

        var averages = new KeyValuePair<string, byte[]>[reader.ReadCount("averaged parameters", minimumItemBytes: 8)];
        for (int i = 0; i < averages.Length; i++)
        {
            string name = reader.ReadString("an averaged parameter's name");
            int length = reader.ReadInt32();
            averages[i] = new(name, reader.ReadElements(length, elementSize, $"the average of parameter '{name}'"));
        }

        reader.ExpectEnd("The averaging section");
        return new AveragingSection(elementSize, d, count, averages);
    }

    /// <summary>
    /// Throws <see cref="CheckpointError.Mismatch"/> unless this section fits <paramref name="averaged"/>: the same mode
    /// and decay (bit for bit), the same parameter names and lengths in the same order, and the same element type unless
    /// <paramref name="conversion"/> allows converting. Returns what to commit (this, or a converted copy). Changes nothing.
    /// </summary>
    public AveragingSection Fit<T>(AveragedParameters<T> averaged, ElementConversion conversion)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = Unsafe.SizeOf<T>();
        if (ElementSize != elementSize && conversion == ElementConversion.None)
        {
            throw new CheckpointException(CheckpointError.Mismatch,
                $"The checkpoint holds {ElementConverter.NameOf(ElementSize)} averages; these averages are {ElementTypes.NameOf<T>()}. " +
                "Load with ElementConversion.RoundToNearest to convert them.");
        }

        if (Decay is null != averaged.Decay is null
            || (Decay is double saved && BitConverter.DoubleToInt64Bits(saved) != BitConverter.DoubleToInt64Bits(averaged.Decay!.Value)))
        {
            throw new CheckpointException(CheckpointError.Mismatch,
                $"The checkpoint holds {Describe(Decay)}; these averages are {Describe(averaged.Decay)}. Build them with the decay of the run saved.");
        }

        if (Averages.Length != averaged.Parameters.Count)
        {
            throw new CheckpointException(CheckpointError.Mismatch,
                $"The checkpoint holds the averages of {Averages.Length} parameters; these average {averaged.Parameters.Count}.");
        }

        for (int i = 0; i < Averages.Length; i++)
        {
            var (name, values) = Averages[i];
            int length = values.Length / ElementSize;
            var parameter = averaged.Parameters[i];
            if (name != parameter.Name || length != parameter.Length)
            {
                throw new CheckpointException(CheckpointError.Mismatch,
                    $"Averaged parameter {i} is '{name}' of length {length} in the checkpoint but '{parameter.Name}' of length {parameter.Length} here.");
            }
        }

        return ElementSize == elementSize
            ? this
            : new AveragingSection(elementSize, Decay, Count, Averages.Select(a => new KeyValuePair<string, byte[]>(
                a.Key, ElementConverter.Convert(a.Value, ElementSize, elementSize, $"the average of parameter '{a.Key}'"))).ToArray());
    }

    /// <summary>Copies the averages and the count <see cref="Fit"/> returned into <paramref name="averaged"/>. Cannot fail.</summary>
    public void Commit<T>(AveragedParameters<T> averaged)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < Averages.Length; i++)
        {
            Averages[i].Value.CopyTo(MemoryMarshal.AsBytes(averaged.Averages[i].ValueSpan));
        }

        averaged.AveragedCount = Count;
    }

    private static string Describe(double? decay) => decay is double d
        ? $"an exponential moving average of decay {d:R}"
        : "equal-weight (SWA) averages";
}
