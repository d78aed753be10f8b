namespace Optimizers.Mpi;

/// <summary>
/// The cut of the parameters, laid end to end, into one contiguous share per process: rank r owns elements
/// [<see cref="Start"/>(r), <see cref="Start"/>(r + 1)) of the concatenation.
/// </summary>
public sealed class ShardLayout
{
    private readonly long[] _starts;
    private readonly long[] _offsets;

    /// <summary>Cuts parameters of the given lengths among <paramref name="processCount"/> processes.</summary>
    /// <param name="parameterLengths">Each parameter's element count, in order; at least one, none negative.</param>
    /// <param name="processCount">The number of processes, ≥ 1.</param>
    /// <param name="granularity">Ranges of equal length, or runs of whole parameters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameterLengths"/> is null.</exception>
    /// <exception cref="ArgumentException">No lengths, or a negative one.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="processCount"/> is below 1, or the granularity is unknown.</exception>
    public ShardLayout(IReadOnlyList<int> parameterLengths, int processCount, ShardGranularity granularity)
    {
        ArgumentNullException.ThrowIfNull(parameterLengths);
        if (parameterLengths.Count == 0 || parameterLengths.Any(n => n < 0))
        {
            throw new ArgumentException("parameterLengths needs at least one length, none negative.", nameof(parameterLengths));
        }

        if (processCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(processCount), processCount, $"processCount must be at least 1; got {processCount}.");
        }

        if (granularity is not (ShardGranularity.Range or ShardGranularity.WholeParameter))
        {
            throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "granularity must be Range or WholeParameter.");
        }

        _offsets = new long[parameterLengths.Count + 1];
        for (int i = 0; i < parameterLengths.Count; i++)
        {
            _offsets[i + 1] = _offsets[i] + parameterLengths[i];
        }

        long total = _offsets[^1];
        _starts = new long[processCount + 1];
        for (int r = 1; r <= processCount; r++)
        {
            // Equal shares, the remainder spread over the first ranks: rank r starts at r·q + min(r, total mod N).
            long equal = (r * (total / processCount)) + Math.Min(r, total % processCount);
            _starts[r] = granularity == ShardGranularity.Range ? equal : NextBoundary(Math.Max(equal, _starts[r - 1]));
        }

        _starts[processCount] = total;
        Granularity = granularity;
    }

    /// <summary>The number of processes.</summary>
    public int ProcessCount => _starts.Length - 1;

    /// <summary>How the shares are cut.</summary>
    public ShardGranularity Granularity { get; }

    /// <summary>The number of elements of all parameters together.</summary>
    public long TotalLength => _offsets[^1];

    /// <summary>The first element of rank <paramref name="rank"/>'s share in the concatenation (<see cref="TotalLength"/> for r = N).</summary>
    /// <param name="rank">0 … <see cref="ProcessCount"/>.</param>
    /// <returns>The offset of the share.</returns>
    public long Start(int rank) => _starts[rank];

    /// <summary>The number of elements rank <paramref name="rank"/> owns.</summary>
    /// <param name="rank">0 … <see cref="ProcessCount"/> − 1.</param>
    /// <returns>The length of the share (0 when there are fewer elements, or parameters, than processes).</returns>
    public long Length(int rank) => _starts[rank + 1] - _starts[rank];

    /// <summary>The pieces of parameters that make up rank <paramref name="rank"/>'s share, in order.</summary>
    /// <param name="rank">0 … <see cref="ProcessCount"/> − 1.</param>
    /// <returns>Each piece's parameter position, first element inside that parameter, and length; none empty.</returns>
    public IReadOnlyList<(int Parameter, int Start, int Length)> Pieces(int rank)
    {
        long from = _starts[rank];
        long to = _starts[rank + 1];
        var pieces = new List<(int, int, int)>();
        for (int i = 0; i < _offsets.Length - 1; i++)
        {
            long start = Math.Max(from, _offsets[i]);
            long end = Math.Min(to, _offsets[i + 1]);
            if (end > start)
            {
                pieces.Add((i, (int)(start - _offsets[i]), (int)(end - start)));
            }
        }

        return pieces;
    }

    /// <summary>The first parameter boundary at or after <paramref name="offset"/>.</summary>
    private long NextBoundary(long offset)
    {
        foreach (long boundary in _offsets)
        {
            if (boundary >= offset)
            {
                return boundary;
            }
        }

        return _offsets[^1];
    }
}
