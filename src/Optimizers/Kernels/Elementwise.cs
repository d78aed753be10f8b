using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>Read-only span helpers shared by the optimizers.</summary>
internal static class Elementwise
{
    /// <summary>
    /// The index of the first NaN or ±∞ in <paramref name="x"/>, or −1 when every element is finite.
    /// One vectorised read-only pass: x − x is 0 for finite x and NaN otherwise.
    /// </summary>
    public static int IndexOfNonFinite(ReadOnlySpan<double> x)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(x);
            var acc = Vector<double>.Zero;
            foreach (var v in vectors)
            {
                acc += v - v;
            }

            if (acc == Vector<double>.Zero)
            {
                i = vectors.Length * Vector<double>.Count;
            }
        }

        for (; i < x.Length; i++)
        {
            if (!double.IsFinite(x[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
