using System.Runtime.InteropServices;

namespace Optimizers.Checkpoints;

/// <summary>Converts packed float32/float64 elements (in this machine's byte order) for <see cref="ElementConversion.RoundToNearest"/>.</summary>
internal static class ElementConverter
{
    /// <summary>The name of an element size in messages: "float32" or "float64".</summary>
    public static string NameOf(int elementSize) => elementSize == sizeof(float) ? "float32" : "float64";

    /// <summary>
    /// <paramref name="elements"/> (each <paramref name="fromSize"/> bytes) as elements of <paramref name="toSize"/>
    /// bytes, in a new array: widened exactly or rounded to nearest.
    /// </summary>
    /// <exception cref="CheckpointException">A finite float64 is beyond float32's range (<see cref="CheckpointError.Mismatch"/>).</exception>
    public static byte[] Convert(byte[] elements, int fromSize, int toSize, string what)
    {
        if (fromSize == toSize)
        {
            return elements;
        }

        if (fromSize == sizeof(float))
        {
            var source = MemoryMarshal.Cast<byte, float>(elements);
            var widened = new double[source.Length];
            for (int i = 0; i < source.Length; i++)
            {
                widened[i] = source[i];
            }

            return MemoryMarshal.AsBytes(widened.AsSpan()).ToArray();
        }

        var wide = MemoryMarshal.Cast<byte, double>(elements);
        var narrowed = new float[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            narrowed[i] = (float)wide[i];
            if (float.IsInfinity(narrowed[i]) && double.IsFinite(wide[i]))
            {
                throw new CheckpointException(CheckpointError.Mismatch,
                    $"Element {i} of {what} is {wide[i]:R} in the float64 checkpoint, beyond the range of float32 (±{float.MaxValue:R}); " +
                    "it cannot be converted.");
            }
        }

        return MemoryMarshal.AsBytes(narrowed.AsSpan()).ToArray();
    }
}
