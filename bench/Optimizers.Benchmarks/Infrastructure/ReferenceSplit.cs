namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// How the hand-fused reference kernels share work between threads: the parameters laid end to end and cut
/// into equal contiguous pieces (at multiples of 16 elements), but only when every piece has at least 32,768
/// elements — the same rule the library uses, written independently here.
/// </summary>
public sealed class ReferenceSplit
{
    private const int MinimumPiece = 1 << 15;

    /// <summary>Plans the pieces of <paramref name="lengths"/> for <paramref name="threads"/> threads.</summary>
    public ReferenceSplit(int[] lengths, int threads)
    {
        long total = lengths.Sum(n => (long)n);
        int parts = (int)Math.Clamp(total / MinimumPiece, 1, threads);
        var pieces = Enumerable.Range(0, parts).Select(_ => new List<(int Parameter, int Start, int Length)>()).ToArray();
        long offset = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            int start = 0;
            while (start < lengths[i])
            {
                int part = (int)Math.Min(parts - 1, (offset + start) * parts / total);
                long partEnd = total * (part + 1) / parts;
                int end = (int)Math.Min(lengths[i], partEnd - offset);
                if (end < lengths[i])
                {
                    end -= end % 16;
                }

                end = Math.Max(end, Math.Min(lengths[i], start + 16));
                pieces[part].Add((i, start, end - start));
                start = end;
            }

            offset += lengths[i];
        }

        Pieces = pieces.Select(p => p.ToArray()).ToArray();
    }

    /// <summary>For each thread, the (parameter, start, length) ranges it updates.</summary>
    public (int Parameter, int Start, int Length)[][] Pieces { get; }
}
