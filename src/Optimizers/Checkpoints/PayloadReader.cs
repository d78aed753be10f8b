using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Optimizers.Checkpoints;

/// <summary>
/// Reads little-endian primitives from a byte range, checking every length against the bytes that remain before
/// allocating, so that no count in hostile input can cause a large allocation or a read past the end. Every
/// failure is a <see cref="CheckpointException"/> with <see cref="CheckpointError.Malformed"/>.
/// </summary>
internal sealed class PayloadReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _data;
    private readonly int _end;
    private int _position;

    public PayloadReader(byte[] data, int start, int end, uint version)
    {
        _data = data;
        _position = start;
        _end = end;
        Version = version;
    }

    /// <summary>The format version of the checkpoint this reader reads (sections are laid out by version).</summary>
    public uint Version { get; }

    public int Remaining => _end - _position;

    public byte ReadByte() => Take(1, "a byte")[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4, "an int32"));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8, "an int64"));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "a double"));

    /// <summary>A count of items that each take at least <paramref name="minimumItemBytes"/> bytes.</summary>
    public int ReadCount(string what, int minimumItemBytes)
    {
        int count = ReadInt32();
        if (count < 0 || (long)count * minimumItemBytes > Remaining)
        {
            throw Malformed($"The count of {what} ({count}) is negative or larger than the bytes that follow allow.");
        }

        return count;
    }

    public double[] ReadDoubles(int count, string what)
    {
        if (count < 0 || (long)count * 8 > Remaining)
        {
            throw Malformed($"{what} needs {count} doubles but only {Remaining} bytes remain.");
        }

        var bytes = Take(count * 8, what);
        var values = new double[count];
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
            }
        }

        return values;
    }

    /// <summary>
    /// <paramref name="count"/> elements of <paramref name="elementSize"/> bytes (4: float32, 8: float64), little-endian
    /// in the data, returned in this machine's byte order.
    /// </summary>
    public byte[] ReadElements(int count, int elementSize, string what)
    {
        if (count < 0 || (long)count * elementSize > Remaining)
        {
            throw Malformed($"{what} needs {count} elements of {elementSize} bytes but only {Remaining} bytes remain.");
        }

        var bytes = Take(count * elementSize, what).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            Endian.Reverse(bytes, elementSize);
        }

        return bytes;
    }

    public string ReadString(string what)
    {
        int count = ReadInt32();
        if (count < 0 || count > CheckpointFormat.MaxNameBytes || count > Remaining)
        {
            throw Malformed($"The length of {what} ({count} bytes) is invalid.");
        }

        try
        {
            return s_strictUtf8.GetString(Take(count, what));
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointException(CheckpointError.Malformed, $"{what} is not valid UTF-8.", e);
        }
    }

    /// <summary>A reader over the next <paramref name="length"/> bytes, which this reader then skips.</summary>
    public PayloadReader Slice(long length, string what)
    {
        if (length < 0 || length > Remaining)
        {
            throw Malformed($"{what} claims {length} bytes but only {Remaining} remain.");
        }

        var slice = new PayloadReader(_data, _position, _position + (int)length, Version);
        _position += (int)length;
        return slice;
    }

    public void ExpectEnd(string what)
    {
        if (Remaining != 0)
        {
            throw Malformed($"{what} has {Remaining} unexpected bytes at its end.");
        }
    }

    public static CheckpointException Malformed(string message) => new(CheckpointError.Malformed, message);

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw Malformed($"The data ends inside {what}.");
        }

        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }
}
