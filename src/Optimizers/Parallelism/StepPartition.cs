namespace Optimizers;

/// <summary>
/// Cuts the concatenation of an optimizer's parameters (all elements laid end to end, global offsets
/// 0 … total) into contiguous parts of nearly equal size, one per unit of parallel work.
/// </summary>
/// <remarks>
/// A large parameter is cut inside, at offsets that are multiples of <see cref="Alignment"/> elements from its
/// start (so every vectorised kernel sees whole vectors and cache lines, and only a parameter's own end takes
/// the scalar remainder); many small parameters are grouped whole. Built once per setting (construction or a
/// change of <see cref="Optimizer.MaxDegreeOfParallelism"/>); walking it allocates nothing.
/// </remarks>
internal sealed class StepPartition
{
    /// <summary>Cut points inside a parameter are multiples of this many elements (128 bytes: two cache lines,
    /// a whole number of <see cref="System.Numerics.Vector{T}"/> or Vector512 lanes).</summary>
    public const int Alignment = 16;

    private readonly long[] _parameterStarts;   // prefix sums of the lengths: parameter i is [starts[i], starts[i+1])
    private readonly long[] _cuts;              // part p is [cuts[p], cuts[p+1])
    private readonly int[] _firstParameter;     // the parameter holding cuts[p]

    /// <summary>Plans at most <paramref name="maxParts"/> parts of at least <paramref name="minimumPartLength"/> elements.</summary>
    public StepPartition(IReadOnlyList<int> lengths, int maxParts, int minimumPartLength)
    {
        _parameterStarts = new long[lengths.Count + 1];
        for (int i = 0; i < lengths.Count; i++)
        {
            _parameterStarts[i + 1] = _parameterStarts[i] + lengths[i];
        }

        long total = _parameterStarts[^1];
        Parts = (int)Math.Clamp(total / Math.Max(1, minimumPartLength), 1, Math.Max(1, maxParts));
        _cuts = new long[Parts + 1];
        _firstParameter = new int[Parts];
        _cuts[Parts] = total;
        for (int p = 1; p < Parts; p++)
        {
            long target = total * p / Parts;
            int owner = Owner(target);
            long local = target - _parameterStarts[owner];
            _cuts[p] = _parameterStarts[owner] + (local - local % Alignment);
        }

        for (int p = 0; p < Parts; p++)
        {
            _firstParameter[p] = Owner(_cuts[p]);
        }
    }

    /// <summary>The number of parts (1 means: do not split).</summary>
    public int Parts { get; }

    /// <summary>The pieces of parameters that make up part <paramref name="part"/>, in parameter order.</summary>
    public SliceEnumerable Slices(int part) => new(this, part);

    /// <summary>The last parameter whose start is ≤ <paramref name="offset"/> and that is not empty there.</summary>
    private int Owner(long offset)
    {
        int n = _parameterStarts.Length - 1;
        int i = Array.BinarySearch(_parameterStarts, 0, n, offset);
        if (i < 0)
        {
            i = ~i - 1;
        }

        while (i < n - 1 && _parameterStarts[i + 1] <= offset)
        {
            i++;   // skip empty parameters that share the start
        }

        return Math.Clamp(i, 0, Math.Max(0, n - 1));
    }

    /// <summary>A piece of one parameter: elements [<see cref="Start"/>, <see cref="Start"/> + <see cref="Length"/>) of parameter <see cref="Index"/>.</summary>
    internal readonly record struct Slice(int Index, int Start, int Length);

    /// <summary>Allocation-free <c>foreach</c> support for <see cref="Slices"/>.</summary>
    internal readonly struct SliceEnumerable(StepPartition partition, int part)
    {
        public SliceEnumerator GetEnumerator() => new(partition, part);
    }

    /// <summary>Walks the parameters overlapping one part.</summary>
    internal struct SliceEnumerator
    {
        private readonly long[] _starts;
        private readonly long _begin;
        private readonly long _end;
        private int _index;

        public SliceEnumerator(StepPartition partition, int part)
        {
            _starts = partition._parameterStarts;
            _begin = partition._cuts[part];
            _end = partition._cuts[part + 1];
            _index = partition._firstParameter[part] - 1;
            Current = default;
        }

        public Slice Current { get; private set; }

        public bool MoveNext()
        {
            while (++_index < _starts.Length - 1 && _starts[_index] < _end)
            {
                long from = Math.Max(_begin, _starts[_index]);
                long to = Math.Min(_end, _starts[_index + 1]);
                if (to > from)
                {
                    Current = new Slice(_index, (int)(from - _starts[_index]), (int)(to - from));
                    return true;
                }
            }

            return false;
        }
    }
}
