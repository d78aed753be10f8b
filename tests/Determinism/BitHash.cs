using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Optimizers.Determinism;

/// <summary>SHA-256 over the raw IEEE-754 bits of a sequence of doubles (little-endian int64 each).</summary>
internal sealed class BitHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[8 * 1024];
    private int _used;

    /// <summary>How many doubles went into the hash.</summary>
    public long Count { get; private set; }

    public void Add(double value)
    {
        if (_used == _buffer.Length)
        {
            Flush();
        }

        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_used), BitConverter.DoubleToInt64Bits(value));
        _used += 8;
        Count++;
    }

    public void Add(ReadOnlySpan<double> values)
    {
        foreach (double value in values)
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
