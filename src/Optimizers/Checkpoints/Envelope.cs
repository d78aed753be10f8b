using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Optimizers.Checkpoints;

/// <summary>
/// The outer layer of a checkpoint: header (magic, version, payload length), the payload (a list of named
/// sections) and a SHA-256 over both. See docs/checkpoint-format.md.
/// </summary>
internal static class Envelope
{
    /// <summary>Writes header, <paramref name="payload"/> and checksum to <paramref name="destination"/>.</summary>
    public static void Write(Stream destination, PayloadWriter payload)
    {
        Span<byte> header = stackalloc byte[CheckpointFormat.HeaderLength];
        CheckpointFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], CheckpointFormat.Version);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], payload.Length);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(payload.Written);
        Span<byte> digest = stackalloc byte[CheckpointFormat.HashLength];
        hash.GetHashAndReset(digest);

        destination.Write(header);
        destination.Write(payload.Written);
        destination.Write(digest);
        destination.Flush();
    }

    /// <summary>
    /// Reads one checkpoint from <paramref name="source"/> (and nothing after it), checks signature, version, length
    /// and checksum, and returns its sections by name.
    /// </summary>
    public static IReadOnlyDictionary<string, PayloadReader> Read(Stream source)
    {
        var header = new byte[CheckpointFormat.HeaderLength];
        int got = ReadAtMost(source, header);
        int magicBytes = Math.Min(got, CheckpointFormat.Magic.Length);
        if (!header.AsSpan(0, magicBytes).SequenceEqual(CheckpointFormat.Magic[..magicBytes]))
        {
            throw new CheckpointException(CheckpointError.NotACheckpoint,
                "The data does not start with the checkpoint signature \"OPTMCKPT\"; it is not an optimizer checkpoint.");
        }

        if (got < 12)
        {
            throw Truncated($"The data ends inside the {CheckpointFormat.HeaderLength}-byte header (after {got} bytes).");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
        if (version < CheckpointFormat.OldestReadableVersion || version > CheckpointFormat.Version)
        {
            throw new CheckpointException(CheckpointError.UnsupportedVersion,
                $"The checkpoint has format version {version}; this library reads versions {CheckpointFormat.OldestReadableVersion} to {CheckpointFormat.Version}.");
        }

        if (got < CheckpointFormat.HeaderLength)
        {
            throw Truncated($"The data ends inside the {CheckpointFormat.HeaderLength}-byte header (after {got} bytes).");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(12));
        if (length < 4 || length > Array.MaxLength)
        {
            throw new CheckpointException(CheckpointError.Corrupted, $"The header declares an impossible payload length ({length} bytes).");
        }

        if (source.CanSeek && source.Length - source.Position < length + CheckpointFormat.HashLength)
        {
            throw Truncated($"The header declares {length} payload bytes and a checksum, but only {source.Length - source.Position} bytes follow.");
        }

        byte[] payload = ReadPayload(source, (int)length);
        var digest = new byte[CheckpointFormat.HashLength];
        if (ReadAtMost(source, digest) < digest.Length)
        {
            throw Truncated("The data ends inside the checksum.");
        }

        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(header);
            hash.AppendData(payload);
            if (!hash.GetHashAndReset().AsSpan().SequenceEqual(digest))
            {
                throw new CheckpointException(CheckpointError.Corrupted,
                    "The SHA-256 checksum does not match the content: the checkpoint is corrupted.");
            }
        }

        return ReadSections(payload, version);
    }

    private static Dictionary<string, PayloadReader> ReadSections(byte[] payload, uint version)
    {
        var reader = new PayloadReader(payload, 0, payload.Length, version);
        int count = reader.ReadCount("sections", minimumItemBytes: 12);
        var sections = new Dictionary<string, PayloadReader>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString("a section name");
            long bodyLength = reader.ReadInt64();
            var body = reader.Slice(bodyLength, $"section '{name}'");
            if (!sections.TryAdd(name, body))
            {
                throw PayloadReader.Malformed($"Section '{name}' appears twice.");
            }
        }

        reader.ExpectEnd("The payload");
        return sections;
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes, growing the buffer only as data arrives.</summary>
    private static byte[] ReadPayload(Stream source, int length)
    {
        const int chunk = 1 << 20;
        var buffer = new byte[Math.Min(length, chunk)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, 2L * buffer.Length));
            }

            int read = source.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw Truncated($"The data ends after {filled} of the {length} payload bytes.");
            }

            filled += read;
        }

        return buffer;
    }

    private static int ReadAtMost(Stream source, byte[] buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = source.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private static CheckpointException Truncated(string message) => new(CheckpointError.Truncated, message + " The checkpoint is truncated.");
}
