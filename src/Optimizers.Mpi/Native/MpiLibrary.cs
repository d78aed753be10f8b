using System.Runtime.InteropServices;

namespace Optimizers.Mpi.Native;

/// <summary>
/// The MPI C library of the launcher that started this process, loaded at run time: the entry points this package
/// calls and the handles they take, which Open MPI and MPICH spell differently.
/// </summary>
/// <remarks>
/// <para>
/// Open MPI (<c>libmpi.so.40</c>): a communicator, datatype or operation handle is the address of an exported global
/// (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_double</c>, <c>ompi_mpi_op_sum</c>) and <c>MPI_IN_PLACE</c> is 1.
/// MPICH (<c>libmpich.so.12</c>, or its <c>libmpi.so.12</c>): handles are 32-bit integer constants
/// (<c>MPI_COMM_WORLD</c> = 0x44000000) and <c>MPI_IN_PLACE</c> is −1. Every handle is passed here as a native-sized
/// integer: on the 64-bit System V and Windows calling conventions an <c>int</c> argument occupies the low half of the
/// same register or stack slot, so one declaration serves both libraries.
/// </para>
/// <para>
/// Open MPI's plug-ins expect the library's symbols to be global, so it is opened with <c>RTLD_GLOBAL</c> (as
/// mpi4py does); <see cref="NativeLibrary.Load(string)"/> alone would open it local and MPI_Init would fail.
/// </para>
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

    /// <summary>Environment variable naming the library file to load instead of the defaults (a path or a file name).</summary>
    internal const string LibraryVariable = "OPTIMIZERS_MPI_LIBRARY";

    private static readonly string[] OpenMpiNames = ["libmpi.so.40", "libmpi.so"];
    private static readonly string[] MpichNames = ["libmpich.so.12", "libmpi.so.12", "libmpich.so"];

    private readonly delegate* unmanaged<int*, byte***, int> _init;
    private readonly delegate* unmanaged<int*, int> _initialized;
    private readonly delegate* unmanaged<int*, int> _finalized;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<nint, int*, int> _commRank;
    private readonly delegate* unmanaged<nint, int*, int> _commSize;
    private readonly delegate* unmanaged<nint, int> _barrier;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int> _allgatherv;
    private readonly delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, int, nint, int> _gatherv;
    private readonly delegate* unmanaged<void*, int*, int*, nint, void*, int, nint, int, nint, int> _scatterv;

    private MpiLibrary(string name, nint handle, bool openMpi)
    {
        Name = name;
        _init = (delegate* unmanaged<int*, byte***, int>)Export(handle, "MPI_Init");
        _initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
        _finalized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Finalized");
        _finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
        _commRank = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_size");
        _barrier = (delegate* unmanaged<nint, int>)Export(handle, "MPI_Barrier");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export(handle, "MPI_Bcast");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export(handle, "MPI_Allreduce");
        _allgatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, nint, int>)Export(handle, "MPI_Allgatherv");
        _gatherv = (delegate* unmanaged<void*, int, nint, void*, int*, int*, nint, int, nint, int>)Export(handle, "MPI_Gatherv");
        _scatterv = (delegate* unmanaged<void*, int*, int*, nint, void*, int, nint, int, nint, int>)Export(handle, "MPI_Scatterv");
        if (openMpi)
        {
            World = Export(handle, "ompi_mpi_comm_world");
            Float = Export(handle, "ompi_mpi_float");
            Double = Export(handle, "ompi_mpi_double");
            Byte = Export(handle, "ompi_mpi_byte");
            Int64 = Export(handle, "ompi_mpi_int64_t");
            Sum = Export(handle, "ompi_mpi_op_sum");
            Max = Export(handle, "ompi_mpi_op_max");
            Min = Export(handle, "ompi_mpi_op_min");
            InPlace = 1;
        }
        else
        {
            World = 0x44000000;
            Float = 0x4c00040a;
            Double = 0x4c00080b;
            Byte = 0x4c00010d;
            Int64 = 0x4c00083a;
            Sum = 0x58000003;
            Max = 0x58000001;
            Min = 0x58000002;
            InPlace = -1;
        }
    }

    /// <summary>The file that was loaded.</summary>
    public string Name { get; }

    /// <summary>MPI_COMM_WORLD.</summary>
    public nint World { get; }

    /// <summary>MPI_FLOAT.</summary>
    public nint Float { get; }

    /// <summary>MPI_DOUBLE.</summary>
    public nint Double { get; }

    /// <summary>MPI_BYTE.</summary>
    public nint Byte { get; }

    /// <summary>MPI_INT64_T.</summary>
    public nint Int64 { get; }

    /// <summary>MPI_SUM.</summary>
    public nint Sum { get; }

    /// <summary>MPI_MAX.</summary>
    public nint Max { get; }

    /// <summary>MPI_MIN.</summary>
    public nint Min { get; }

    /// <summary>MPI_IN_PLACE: 1 in Open MPI, −1 in MPICH.</summary>
    public nint InPlace { get; }

    /// <summary>
    /// Loads the library for the launcher (<paramref name="openMpi"/>: Open MPI, otherwise MPICH): the file named by
    /// <see cref="LibraryVariable"/> if set, otherwise that launcher's usual file names.
    /// </summary>
    /// <exception cref="DllNotFoundException">No candidate could be loaded: the message names them and the variable.</exception>
    public static MpiLibrary Load(bool openMpi)
    {
        string? chosen = Environment.GetEnvironmentVariable(LibraryVariable);
        string[] names = string.IsNullOrEmpty(chosen) ? (openMpi ? OpenMpiNames : MpichNames) : [chosen];
        var failures = new List<string>();
        foreach (string name in names)
        {
            nint handle = Open(name, out string? error);
            if (handle != 0)
            {
                // A file named by the variable may be either library: Open MPI exports ompi_mpi_comm_world, MPICH does not.
                bool isOpenMpi = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _);
                return new MpiLibrary(name, handle, isOpenMpi);
            }

            failures.Add($"{name}: {error}");
        }

        throw new DllNotFoundException(
            $"MPI library not found: this process was started by an {(openMpi ? "Open MPI" : "MPICH")} launcher, but none of "
            + $"{string.Join(", ", names)} could be loaded ({string.Join("; ", failures)}). Install the MPI runtime "
            + $"(Debian: openmpi-bin or mpich) or set {LibraryVariable} to the library's path.");
    }

    public void Init() => Check(_init(null, null), "MPI_Init");

    public bool IsInitialized()
    {
        int flag;
        Check(_initialized(&flag), "MPI_Initialized");
        return flag != 0;
    }

    public bool IsFinalized()
    {
        int flag;
        Check(_finalized(&flag), "MPI_Finalized");
        return flag != 0;
    }

    public void FinalizeMpi() => Check(_finalize(), "MPI_Finalize");

    public int Rank()
    {
        int rank;
        Check(_commRank(World, &rank), "MPI_Comm_rank");
        return rank;
    }

    public int Size()
    {
        int size;
        Check(_commSize(World, &size), "MPI_Comm_size");
        return size;
    }

    public void Barrier() => Check(_barrier(World), "MPI_Barrier");

    public void Broadcast(void* buffer, int count, nint type, int root)
        => Check(_bcast(buffer, count, type, root, World), "MPI_Bcast");

    public void AllReduceInPlace(void* buffer, int count, nint type, nint op)
        => Check(_allreduce((void*)InPlace, buffer, count, type, op, World), "MPI_Allreduce");

    public void AllGatherV(void* send, int sendCount, void* receive, int* counts, int* displacements, nint type)
        => Check(_allgatherv(send, sendCount, type, receive, counts, displacements, type, World), "MPI_Allgatherv");

    public void GatherV(void* send, int sendCount, void* receive, int* counts, int* displacements, nint type, int root)
        => Check(_gatherv(send, sendCount, type, receive, counts, displacements, type, root, World), "MPI_Gatherv");

    public void ScatterV(void* send, int* counts, int* displacements, void* receive, int receiveCount, nint type, int root)
        => Check(_scatterv(send, counts, displacements, type, receive, receiveCount, type, root, World), "MPI_Scatterv");

    private static nint Open(string name, out string? error)
    {
        error = null;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                nint handle = DlOpen(name, RtldNow | RtldGlobal);
                if (handle != 0)
                {
                    return handle;
                }

                nint message = DlError();
                error = message == 0 ? "dlopen failed" : Marshal.PtrToStringUTF8(message);
                return 0;
            }
            catch (EntryPointNotFoundException)
            {
                // A C library without dlopen in libc (glibc before 2.34): fall back to the runtime's loader.
            }
            catch (DllNotFoundException)
            {
            }
        }

        if (NativeLibrary.TryLoad(name, out nint loaded))
        {
            return loaded;
        }

        error ??= "not found";
        return 0;
    }

    private static nint Export(nint handle, string symbol)
        => NativeLibrary.TryGetExport(handle, symbol, out nint address)
            ? address
            : throw new EntryPointNotFoundException($"The MPI library has no symbol '{symbol}'; is it Open MPI 4 or later, or MPICH 3 or later?");

    private static void Check(int code, string function)
    {
        if (code != 0)
        {
            throw new MpiException(function, code);
        }
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern nint DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern nint DlError();
}
