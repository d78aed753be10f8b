using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Optimizers.Checkpoints;

/// <summary>Appends little-endian primitives to a growing byte buffer.</summary>
internal sealed class PayloadWriter
{
    /// <summary>Throws (an <see cref="EncoderFallbackException"/>, which is an <see cref="ArgumentException"/>) on a lone
    /// surrogate instead of writing U+FFFD, so that no name is ever stored other than it is.</summary>
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private byte[] _buffer = new byte[4096];
    private int _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public int Length => _length;

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    /// <summary>The raw IEEE-754 bits, so that every value (NaN payloads and −0 included) comes back identical.</summary>
    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    public void WriteDoubles(ReadOnlySpan<double> values)
    {
        var destination = Reserve(checked(values.Length * 8));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(destination);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(destination[(8 * i)..], values[i]);
            }
        }
    }

    /// <summary>Elements of <paramref name="elementSize"/> bytes (4: float32, 8: float64), given in this machine's byte
    /// order and written little-endian: the raw IEEE-754 bits of each.</summary>
    public void WriteElements(ReadOnlySpan<byte> elements, int elementSize)
    {
        var destination = Reserve(elements.Length);
        elements.CopyTo(destination);
        if (!BitConverter.IsLittleEndian)
        {
            Endian.Reverse(destination, elementSize);
        }
    }

    /// <summary>A UTF-8 string prefixed by its byte count (int32).</summary>
    public void WriteString(string value)
    {
        int count = s_strictUtf8.GetByteCount(value);
        if (count > CheckpointFormat.MaxNameBytes)
        {
            throw new ArgumentException(
                $"The name '{value[..Math.Min(value.Length, 40)]}…' is {count} UTF-8 bytes; checkpoints hold names up to {CheckpointFormat.MaxNameBytes} bytes.");
        }

        WriteInt32(count);
        s_strictUtf8.GetBytes(value, Reserve(count));
    }

    /// <summary>Starts a section: its name and a placeholder for its length, patched by <see cref="EndSection"/>.</summary>
    public int BeginSection(string name)
    {
        WriteString(name);
        WriteInt64(0);
        return _length;
    }

    public void EndSection(int bodyStart) =>
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(bodyStart - 8, 8), _length - bodyStart);

    private Span<byte> Reserve(int count)
    {
        long needed = (long)_length + count;
        if (needed > _buffer.Length)
        {
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException(
                    $"The checkpoint would exceed {Array.MaxLength} bytes, the largest this format writes in one piece.");
            }

            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _buffer.Length)));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
