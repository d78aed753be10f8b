using System.Numerics;

namespace Optimizers.Mpi;

/// <summary>
/// Every parameter's gradient laid end to end in one array, so that one collective moves all of them; allocated once.
/// </summary>
internal sealed class GradientBuffer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;

    public GradientBuffer(IReadOnlyList<Parameter<T>> parameters)
    {
        _parameters = [.. parameters];
        Offsets = new long[_parameters.Length + 1];
        for (int i = 0; i < _parameters.Length; i++)
        {
            Offsets[i + 1] = Offsets[i] + _parameters[i].Length;
        }

        Values = new T[checked((int)Offsets[^1])];
    }

    /// <summary>Where each parameter starts in <see cref="Values"/>; the last entry is the total length.</summary>
    public long[] Offsets { get; }

    /// <summary>The buffer.</summary>
    public T[] Values { get; }

    public IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>Averages every parameter's gradient over the processes in one all-reduce: g ← (Σᵣ gᵣ) / N.</summary>
    public void AverageGradients(Communicator communicator)
    {
        if (communicator.Size == 1)
        {
            return;
        }

        var all = Values.AsSpan();
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].GradientSpan.CopyTo(all[(int)Offsets[i]..]);
        }

        communicator.AllReduceSum(all);
        T size = T.CreateTruncating(communicator.Size);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var gradient = _parameters[i].GradientArray;
            var sum = all.Slice((int)Offsets[i], gradient.Length);
            for (int k = 0; k < gradient.Length; k++)
            {
                gradient[k] = sum[k] / size;
            }
        }
    }

    /// <summary>Copies every parameter's values from rank <paramref name="root"/> to every process.</summary>
    public void BroadcastValues(Communicator communicator, int root = 0)
    {
        if (communicator.Size == 1)
        {
            return;
        }

        var all = Values.AsSpan();
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].ValueSpan.CopyTo(all[(int)Offsets[i]..]);
        }

        communicator.Broadcast(all, root);
        for (int i = 0; i < _parameters.Length; i++)
        {
            all.Slice((int)Offsets[i], _parameters[i].Length).CopyTo(_parameters[i].ValueSpan);
        }
    }

    /// <summary>
    /// Checks that every process holds the same bits in every parameter as rank 0; throws on every process, naming the
    /// first differing parameter and element, when one does not.
    /// </summary>
    public void VerifySameValues(Communicator communicator, long step)
    {
        if (communicator.Size == 1)
        {
            return;
        }

        var all = Values.AsSpan();
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].ValueSpan.CopyTo(all[(int)Offsets[i]..]);
        }

        communicator.Broadcast(all, 0);
        long first = long.MaxValue;
        for (int i = 0; i < _parameters.Length && first == long.MaxValue; i++)
        {
            var mine = _parameters[i].ValueSpan;
            var root = all.Slice((int)Offsets[i], mine.Length);
            for (int k = 0; k < mine.Length; k++)
            {
                if (!SameBits(mine[k], root[k]))
                {
                    first = ((long)i << 32) | (uint)k;
                    break;
                }
            }
        }

        Span<long> found = [first];
        communicator.AllReduceMin(found);
        if (found[0] != long.MaxValue)
        {
            int parameter = (int)(found[0] >> 32);
            int element = (int)(found[0] & 0xFFFFFFFF);
            throw new InvalidOperationException(
                $"The processes hold different parameters after step {step}: parameter '{_parameters[parameter].Name}' "
                + $"(position {parameter}) differs from rank 0's first at element {element}. Every process must start from the "
                + "same values, average the same gradients and run the same optimizer with the same settings.");
        }
    }

    private static bool SameBits(T a, T b)
        => typeof(T) == typeof(double)
            ? BitConverter.DoubleToInt64Bits(double.CreateTruncating(a)) == BitConverter.DoubleToInt64Bits(double.CreateTruncating(b))
            : BitConverter.SingleToInt32Bits(float.CreateTruncating(a)) == BitConverter.SingleToInt32Bits(float.CreateTruncating(b));
}
