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
    /// <remarks>
    /// The vectors are read as four quarters side by side, each into its own accumulator: four independent
    /// sequential streams keep more cache-line loads in flight than one (a single stream is limited by memory
    /// latency, not bandwidth: measured ~1.5× faster at 10⁷ elements), and four accumulators break the chain of
    /// dependent additions. Only when some element is not finite is the span scanned again, element by element,
    /// for the first one.
    /// </remarks>
    public static int IndexOfNonFinite(ReadOnlySpan<double> x)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(x);
            int quarter = vectors.Length / 4;
            var q0 = vectors[..quarter];
            var q1 = vectors.Slice(quarter, quarter);
            var q2 = vectors.Slice(2 * quarter, quarter);
            var q3 = vectors.Slice(3 * quarter, quarter);
            Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (int k = 0; k < q0.Length; k++)
            {
                a0 += q0[k] - q0[k];
                a1 += q1[k] - q1[k];
                a2 += q2[k] - q2[k];
                a3 += q3[k] - q3[k];
            }

            foreach (var v in vectors[(4 * quarter)..])
            {
                a0 += v - v;
            }

            if (a0 + a1 + a2 + a3 == Vector<double>.Zero)
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
