using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Optimizers.Determinism;

/// <summary>
/// SHA-256 over the raw IEEE-754 bits of a sequence of numbers, little-endian: 8 bytes per double, 4 per float (so a
/// float32 item hashes exactly the bits it ends with, not a widened copy).
/// </summary>
internal sealed class BitHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[8 * 1024];
    private int _used;

    /// <summary>How many numbers went into the hash.</summary>
    public long Count { get; private set; }

    public void Add<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (_used + sizeof(double) > _buffer.Length)
        {
            Flush();
        }

        if (typeof(T) == typeof(float))
        {
            BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_used), float.CreateTruncating(value));
            _used += sizeof(float);
        }
        else
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_used), double.CreateTruncating(value));
            _used += sizeof(double);
        }

        Count++;
    }

    public void Add<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (T value in values)
        {
            Add(value);
        }
    }

    /// <summary>The lowercase hex SHA-256 of everything added.</summary>
    public string Finish()
    {
        Flush();
        return Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
    }

    public void Dispose() => _hash.Dispose();

    private void Flush()
    {
        _hash.AppendData(_buffer, 0, _used);
        _used = 0;
    }
}
