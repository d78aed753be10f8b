using Optimizers.Mpi.Native;

namespace Optimizers.Mpi;

/// <summary>
/// The processes of one MPI job (MPI_COMM_WORLD): this process's rank, their number, and the collective operations
/// data-parallel training needs. A process started without an MPI launcher is a world of one that never loads MPI.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="World"/> looks at the environment once: <c>OMPI_COMM_WORLD_SIZE</c> (set by Open MPI's <c>mpirun</c>)
/// loads Open MPI's <c>libmpi.so.40</c>; <c>PMI_SIZE</c> (set by MPICH's Hydra launcher) loads MPICH's
/// <c>libmpich.so.12</c>; <c>OPTIMIZERS_MPI_LIBRARY</c> names another file. Without either variable the process is a
/// world of one (rank 0 of 1): every collective is then a copy or nothing, and no MPI library is needed, so the same
/// program runs alone or under <c>mpirun</c>. Under a launcher a library that cannot be loaded is a
/// <see cref="DllNotFoundException"/> saying "MPI library not found".
/// </para>
/// <para>
/// Every collective must be called by every process in the same order with the same lengths, as in MPI itself.
/// Calls allocate nothing. Call <see cref="Shutdown"/> at the end of the program (MPI_Finalize); it is also called when
/// the process exits normally.
/// </para>
/// <para>Thread safety: MPI is initialised for one thread (MPI_THREAD_SINGLE); call the collectives from one thread.</para>
/// </remarks>
public sealed unsafe class Communicator
{
    private static readonly Lazy<Communicator> LazyWorld = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly MpiLibrary? _mpi;
    private bool _shutDown;

    private Communicator(MpiLibrary? mpi)
    {
        _mpi = mpi;
        if (mpi is null)
        {
            Rank = 0;
            Size = 1;
            return;
        }

        if (!mpi.IsInitialized())
        {
            mpi.Init();
        }

        Rank = mpi.Rank();
        Size = mpi.Size();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Shutdown();
    }

    /// <summary>All processes of this job; a world of one when the process was not started by an MPI launcher.</summary>
    /// <exception cref="DllNotFoundException">Started by a launcher, but the MPI library could not be loaded.</exception>
    public static Communicator World => LazyWorld.Value;

    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int Size { get; }

    /// <summary>True on rank 0, the process that writes checkpoints and prints.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The MPI library file in use, or null in a world of one started without a launcher.</summary>
    public string? LibraryName => _mpi?.Name;

    /// <summary>Ends MPI (MPI_Finalize) once; later collectives throw. Does nothing in a world of one.</summary>
    public static void Shutdown()
    {
        if (LazyWorld.IsValueCreated)
        {
            LazyWorld.Value.FinalizeOnce();
        }
    }

    /// <summary>Waits until every process has called it (MPI_Barrier).</summary>
    public void Barrier()
    {
        if (Mpi() is { } mpi)
        {
            mpi.Barrier();
        }
    }

    /// <summary>Replaces <paramref name="values"/> on every process by their element-wise sum over all processes (MPI_Allreduce, MPI_SUM).</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="long"/>.</typeparam>
    /// <param name="values">The same length on every process.</param>
    /// <remarks>
    /// The order in which the library adds the processes' values is its own (it depends on the process count and the
    /// algorithm it picks), so the sum can differ in the last bits from a sum in rank order; it is the same on every
    /// process.
    /// </remarks>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the supported types.</exception>
    public void AllReduceSum<T>(Span<T> values) where T : unmanaged => AllReduce(values, Op.Sum);

    /// <summary>Replaces <paramref name="values"/> by their element-wise maximum over all processes (MPI_MAX).</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="long"/>.</typeparam>
    /// <param name="values">The same length on every process.</param>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the supported types.</exception>
    public void AllReduceMax<T>(Span<T> values) where T : unmanaged => AllReduce(values, Op.Max);

    /// <summary>Replaces <paramref name="values"/> by their element-wise minimum over all processes (MPI_MIN).</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="long"/>.</typeparam>
    /// <param name="values">The same length on every process.</param>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the supported types.</exception>
    public void AllReduceMin<T>(Span<T> values) where T : unmanaged => AllReduce(values, Op.Min);

    /// <summary>The mean of <paramref name="value"/> over all processes, the same bits on every process.</summary>
    /// <param name="value">This process's value (for example its validation loss).</param>
    /// <returns>The sum over processes divided by <see cref="Size"/>.</returns>
    public double Mean(double value)
    {
        Span<double> one = [value];
        AllReduceSum(one);
        return one[0] / Size;
    }

    /// <summary>Copies <paramref name="values"/> from process <paramref name="root"/> to every process (MPI_Bcast).</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="long"/> or <see cref="byte"/>.</typeparam>
    /// <param name="values">The same length on every process; read on the root, written elsewhere.</param>
    /// <param name="root">The rank whose values are sent.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the supported types.</exception>
    public void Broadcast<T>(Span<T> values, int root = 0) where T : unmanaged
    {
        CheckRoot(root);
        var type = TypeOf<T>();
        if (Mpi() is { } mpi)
        {
            fixed (T* p = values)
            {
                mpi.Broadcast(p, values.Length, Handle(mpi, type), root);
            }
        }
    }

    /// <summary>
    /// Gathers every process's <paramref name="local"/> into <paramref name="all"/> on every process, in rank order
    /// (MPI_Allgatherv): rank r's values land at the sum of the counts of the ranks before it.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="long"/> or <see cref="byte"/>.</typeparam>
    /// <param name="local">This process's values: counts[<see cref="Rank"/>] of them.</param>
    /// <param name="all">Receives all values: the sum of the counts.</param>
    /// <param name="counts">How many values each rank sends, one per rank.</param>
    /// <param name="displacements">Where each rank's values start in <paramref name="all"/>, one per rank.</param>
    /// <exception cref="ArgumentException">The lengths do not match the counts.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the supported types.</exception>
    public void AllGather<T>(ReadOnlySpan<T> local, Span<T> all, ReadOnlySpan<int> counts, ReadOnlySpan<int> displacements)
        where T : unmanaged
    {
        if (counts.Length != Size || displacements.Length != Size)
        {
            throw new ArgumentException($"counts and displacements need one entry per rank ({Size}); got {counts.Length} and {displacements.Length}.", nameof(counts));
        }

        if (local.Length != counts[Rank])
        {
            throw new ArgumentException($"local holds {local.Length} values; counts[{Rank}] is {counts[Rank]}.", nameof(local));
        }

        var type = TypeOf<T>();
        if (Mpi() is not { } mpi)
        {
            local.CopyTo(all[displacements[0]..]);
            return;
        }

        fixed (T* send = local)
        fixed (T* receive = all)
        fixed (int* c = counts)
        fixed (int* d = displacements)
        {
            mpi.AllGatherV(send, local.Length, receive, c, d, Handle(mpi, type));
        }
    }

    /// <summary>Every rank's bytes, in rank order, on <paramref name="root"/> (MPI_Gatherv); null elsewhere.</summary>
    internal byte[][]? GatherBytes(byte[] local, int root)
    {
        Span<long> lengths = stackalloc long[Size];
        lengths.Clear();
        lengths[Rank] = local.Length;
        AllReduceSum(lengths);
        var counts = new int[Size];
        var displacements = new int[Size];
        long total = 0;
        for (int r = 0; r < Size; r++)
        {
            counts[r] = checked((int)lengths[r]);
            displacements[r] = checked((int)total);
            total += lengths[r];
        }

        byte[]? all = Rank == root ? new byte[checked((int)total)] : null;
        if (Mpi() is { } mpi)
        {
            fixed (byte* send = local)
            fixed (byte* receive = all)
            fixed (int* c = counts)
            fixed (int* d = displacements)
            {
                mpi.GatherV(send, local.Length, receive, c, d, mpi.Byte, root);
            }
        }
        else
        {
            local.CopyTo(all!, 0);
        }

        return all is null ? null : [.. Enumerable.Range(0, Size).Select(r => all.AsSpan(displacements[r], counts[r]).ToArray())];
    }

    /// <summary>Sends parts[r] from <paramref name="root"/> to rank r (MPI_Scatterv); parts is read on the root only.</summary>
    internal byte[] ScatterBytes(byte[][]? parts, int root)
    {
        Span<long> lengths = stackalloc long[Size];
        lengths.Clear();
        if (Rank == root)
        {
            for (int r = 0; r < Size; r++)
            {
                lengths[r] = parts![r].Length;
            }
        }

        Broadcast(lengths, root);
        var counts = new int[Size];
        var displacements = new int[Size];
        long total = 0;
        for (int r = 0; r < Size; r++)
        {
            counts[r] = checked((int)lengths[r]);
            displacements[r] = checked((int)total);
            total += lengths[r];
        }

        var mine = new byte[counts[Rank]];
        if (Mpi() is not { } mpi)
        {
            return parts![0].ToArray();
        }

        byte[]? all = Rank == root ? [.. parts!.SelectMany(p => p)] : null;
        fixed (byte* send = all)
        fixed (byte* receive = mine)
        fixed (int* c = counts)
        fixed (int* d = displacements)
        {
            mpi.ScatterV(send, c, d, receive, mine.Length, mpi.Byte, root);
        }

        return mine;
    }

    /// <summary>Creates the world from the environment (see the class remarks).</summary>
    private static Communicator Create()
    {
        bool openMpi = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"));
        bool mpich = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PMI_SIZE"));
        return openMpi || mpich ? new Communicator(MpiLibrary.Load(openMpi)) : new Communicator(null);
    }

    private void AllReduce<T>(Span<T> values, Op op) where T : unmanaged
    {
        var type = TypeOf<T>();
        if (type == ElementKind.Byte)
        {
            throw new NotSupportedException("Reductions take float, double or long values, not bytes.");
        }

        if (Mpi() is not { } mpi)
        {
            return;
        }

        fixed (T* p = values)
        {
            mpi.AllReduceInPlace(p, values.Length, Handle(mpi, type), op switch
            {
                Op.Sum => mpi.Sum,
                Op.Max => mpi.Max,
                _ => mpi.Min,
            });
        }
    }

    private MpiLibrary? Mpi() => !_shutDown
        ? _mpi
        : throw new InvalidOperationException("MPI was shut down (Communicator.Shutdown); no collective can run after it.");

    private void FinalizeOnce()
    {
        if (_shutDown)
        {
            return;
        }

        _shutDown = true;
        if (_mpi is not null && !_mpi.IsFinalized())
        {
            _mpi.FinalizeMpi();
        }
    }

    private void CheckRoot(int root)
    {
        if ((uint)root >= (uint)Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank, 0 to {Size - 1}; got {root}.");
        }
    }

    private static ElementKind TypeOf<T>() where T : unmanaged
        => typeof(T) == typeof(double) ? ElementKind.Double
            : typeof(T) == typeof(float) ? ElementKind.Float
            : typeof(T) == typeof(long) ? ElementKind.Int64
            : typeof(T) == typeof(byte) ? ElementKind.Byte
            : throw new NotSupportedException($"MPI transfers here take float, double, long or byte values; got {typeof(T).Name}.");

    private static nint Handle(MpiLibrary mpi, ElementKind kind) => kind switch
    {
        ElementKind.Double => mpi.Double,
        ElementKind.Float => mpi.Float,
        ElementKind.Int64 => mpi.Int64,
        _ => mpi.Byte,
    };

    private enum Op
    {
        Sum,
        Max,
        Min,
    }

    private enum ElementKind
    {
        Float,
        Double,
        Int64,
        Byte,
    }
}
