using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Optimizers.Checkpoints;

/// <summary>
/// The "parameters" section: the element type (version 2 on) and each parameter's name, length and values (model
/// weights) as raw elements.
/// </summary>
internal sealed class ParametersSection
{
    private ParametersSection(int elementSize, KeyValuePair<string, byte[]>[] values)
    {
        ElementSize = elementSize;
        Values = values;
    }

    /// <summary>Bytes per element: 4 (float32) or 8 (float64; always in version 1).</summary>
    public int ElementSize { get; }

    public KeyValuePair<string, byte[]>[] Values { get; }

    public static void Write<T>(PayloadWriter writer, IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = Unsafe.SizeOf<T>();
        writer.WriteByte((byte)elementSize);
        writer.WriteInt32(parameters.Count);
        foreach (var parameter in parameters)
        {
            writer.WriteString(parameter.Name);
            writer.WriteInt32(parameter.Length);
            writer.WriteElements(MemoryMarshal.AsBytes(parameter.ValueSpan), elementSize);
        }
    }

    public static ParametersSection Parse(PayloadReader reader)
    {
        int elementSize = reader.Version == 1 ? sizeof(double) : reader.ReadByte();
        if (elementSize is not (sizeof(float) or sizeof(double)))
        {
            throw PayloadReader.Malformed($"Unknown element size {elementSize}; checkpoints hold float32 (4) or float64 (8) values.");
        }

        var values = new KeyValuePair<string, byte[]>[reader.ReadCount("parameters", minimumItemBytes: 8)];
        for (int i = 0; i < values.Length; i++)
        {
            string name = reader.ReadString("a parameter name");
            int length = reader.ReadInt32();
            values[i] = new(name, reader.ReadElements(length, elementSize, $"the values of parameter '{name}'"));
        }

        reader.ExpectEnd("The parameters section");
        return new ParametersSection(elementSize, values);
    }

    /// <summary>
    /// Throws <see cref="CheckpointError.Mismatch"/> unless these values fit <paramref name="parameters"/> (their element
    /// type too, unless <paramref name="conversion"/> allows converting), and returns the values to commit: these, or a
    /// copy converted to <typeparamref name="T"/>. Changes nothing.
    /// </summary>
    public ParametersSection Fit<T>(IReadOnlyList<Parameter<T>> parameters, ElementConversion conversion)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = Unsafe.SizeOf<T>();
        if (ElementSize != elementSize && conversion == ElementConversion.None)
        {
            throw new CheckpointException(CheckpointError.Mismatch,
                $"The checkpoint holds {ElementConverter.NameOf(ElementSize)} parameter values; these parameters are {ElementTypes.NameOf<T>()}. " +
                "Load with ElementConversion.RoundToNearest to convert them.");
        }

        if (Values.Length != parameters.Count)
        {
            throw new CheckpointException(CheckpointError.Mismatch,
                $"The checkpoint holds the values of {Values.Length} parameters; {parameters.Count} were given.");
        }

        for (int i = 0; i < Values.Length; i++)
        {
            var (name, values) = Values[i];
            int length = values.Length / ElementSize;
            if (name != parameters[i].Name || length != parameters[i].Length)
            {
                throw new CheckpointException(CheckpointError.Mismatch,
                    $"Parameter {i} is '{name}' of length {length} in the checkpoint but '{parameters[i].Name}' of length {parameters[i].Length} here.");
            }
        }

        return ElementSize == elementSize
            ? this
            : new ParametersSection(elementSize, Values.Select(v => new KeyValuePair<string, byte[]>(
                v.Key, ElementConverter.Convert(v.Value, ElementSize, elementSize, $"the values of parameter '{v.Key}'"))).ToArray());
    }

    /// <summary>Copies the values <see cref="Fit"/> returned into <paramref name="parameters"/>. Cannot fail.</summary>
    public void Commit<T>(IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < Values.Length; i++)
        {
            Values[i].Value.CopyTo(MemoryMarshal.AsBytes(parameters[i].ValueSpan));
        }
    }
}
