using System.Buffers.Binary;

namespace Optimizers.Tests.Demo;

/// <summary>Reads the facts a test needs from a PNG file's header.</summary>
internal static class PngFile
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Asserts that <paramref name="path"/> is a PNG (signature, then an IHDR chunk first) of the given size, with
    /// image data after the header, and returns its length in bytes.
    /// </summary>
    public static long ShouldBePng(string path, int width, int height)
    {
        File.Exists(path).Should().BeTrue($"{path} should have been written");
        var bytes = File.ReadAllBytes(path);
        bytes.Length.Should().BeGreaterThan(33 + 12, "a PNG needs its header and at least one more chunk");
        bytes.AsSpan(0, 8).ToArray().Should().Equal(Signature, "a PNG starts with its 8-byte signature");
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8, 4)).Should().Be(13, "IHDR holds 13 bytes");
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).Should().Be("IHDR");
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)).Should().Be(width, "IHDR's width");
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)).Should().Be(height, "IHDR's height");
        System.Text.Encoding.ASCII.GetString(bytes).Should().Contain("IDAT", "the image data chunk");
        return bytes.Length;
    }
}
