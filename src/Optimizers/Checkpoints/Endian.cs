using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Optimizers.Checkpoints;

/// <summary>Byte-order reversal of packed elements (checkpoints are little-endian; only big-endian machines need it).</summary>
internal static class Endian
{
    /// <summary>Reverses the bytes of each <paramref name="elementSize"/>-byte element of <paramref name="bytes"/> in place.</summary>
    public static void Reverse(Span<byte> bytes, int elementSize)
    {
        if (elementSize == 8)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(bytes);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        else
        {
            var words = MemoryMarshal.Cast<byte, uint>(bytes);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }
}
