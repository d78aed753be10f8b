using System.Numerics;
using System.Text;
using Optimizers.Checkpoints;
using Optimizers.Schedules;

namespace Optimizers.Mpi;

/// <summary>
/// Saves and resumes a data-parallel run: one file, written by rank 0, that every process reads back through rank 0.
/// </summary>
/// <remarks>
/// <para>
/// Choice: gather to rank 0, one file. Each process serialises its part as an ordinary <see cref="Checkpoint"/> in
/// memory; rank 0 gathers them (MPI_Gatherv) and writes one file: a manifest (process count, sharding, total length),
/// the parameters' values and the schedule once, then for <see cref="ShardedOptimizer{T}"/> one checkpoint of each
/// process's shard state. On load rank 0 reads the file and sends each process its part (MPI_Bcast for the common
/// part, MPI_Scatterv for the shards). So a run over several machines needs no shared file system, the run's state is
/// one file to copy or delete, and the write is atomic (a crash leaves the previous file). One file per process with a
/// manifest would avoid passing the state through rank 0's memory, but needs a shared file system or a copy per
/// machine and can leave a half-written set behind; the state per process is 1/N of the optimizer's, small next to the
/// model, and rank 0 holds the gathered shares only while it writes them.
/// </para>
/// <para>
/// A <see cref="DataParallel{T}"/> run has the same state on every process: rank 0's wrapped optimizer, the parameters
/// and the schedule are saved, and the part inside the file is an ordinary checkpoint. Resuming requires the same
/// process count (and, for a sharded run, the same sharding), so that the state resumes bit for bit; a mismatch is a
/// <see cref="CheckpointException"/> on every process before anything changes.
/// </para>
/// <para>Every process must call <c>Save</c> and <c>Load</c> together.</para>
/// </remarks>
public static class DistributedCheckpoint
{
    private const string Magic = "OPTMPI01";
    private const int DataParallelKind = -1;

    /// <summary>Writes rank 0's wrapped optimizer, the parameters' values and <paramref name="schedule"/> to <paramref name="path"/> on rank 0.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="path">The file on rank 0's machine; replaced atomically.</param>
    /// <param name="optimizer">The data-parallel wrapper; its inner optimizer must be one <see cref="Checkpoint"/> saves.</param>
    /// <param name="schedule">A schedule to save with it, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="optimizer"/> is null.</exception>
    /// <exception cref="IOException">Rank 0 could not write the file (thrown on every process).</exception>
    public static void Save<T>(string path, DataParallel<T> optimizer, ISchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(optimizer);
        var communicator = optimizer.Communicator;
        byte[][]? parts = communicator.IsRoot ? [Serialize(s => Checkpoint.Save(s, optimizer.Inner, optimizer.Parameters, schedule))] : null;
        Write(path, communicator, DataParallelKind, optimizer.Parameters.Sum(p => (long)p.Length), parts);
    }

    /// <summary>Restores what <see cref="Save{T}(string, DataParallel{T}, ISchedule?)"/> wrote, on every process.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="path">The file on rank 0's machine.</param>
    /// <param name="optimizer">The data-parallel wrapper, built as in the saved run.</param>
    /// <param name="schedule">The schedule saved with it, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="optimizer"/> is null.</exception>
    /// <exception cref="CheckpointException">The file is not a data-parallel checkpoint of this many processes, or its
    /// contents do not match the optimizer (thrown on every process).</exception>
    public static void Load<T>(string path, DataParallel<T> optimizer, ISchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(optimizer);
        var communicator = optimizer.Communicator;
        var main = Read(path, communicator, DataParallelKind, optimizer.Parameters.Sum(p => (long)p.Length), out _);
        Checkpoint.Load(new MemoryStream(main, writable: false), optimizer.Inner, optimizer.Parameters, schedule);
    }

    /// <summary>
    /// Gathers every process's shard state to rank 0 and writes it, with the parameters' values and
    /// <paramref name="schedule"/>, to <paramref name="path"/> on rank 0.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="path">The file on rank 0's machine; replaced atomically.</param>
    /// <param name="optimizer">The sharded optimizer.</param>
    /// <param name="schedule">A schedule to save with it, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="optimizer"/> is null.</exception>
    /// <exception cref="IOException">Rank 0 could not write the file (thrown on every process).</exception>
    public static void Save<T>(string path, ShardedOptimizer<T> optimizer, ISchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(optimizer);
        var communicator = optimizer.Communicator;
        byte[] shard = Serialize(s => Checkpoint.Save<T>(s, optimizer.Shard, null));
        byte[][]? shards = communicator.GatherBytes(shard, 0);
        byte[][]? parts = communicator.IsRoot
            ? [Serialize(s => Checkpoint.Save(s, null, optimizer.Parameters, schedule)), .. shards!]
            : null;
        Write(path, communicator, (int)optimizer.Layout.Granularity, optimizer.Layout.TotalLength, parts);
    }

    /// <summary>Restores what <see cref="Save{T}(string, ShardedOptimizer{T}, ISchedule?)"/> wrote: each process gets its own shard.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="path">The file on rank 0's machine.</param>
    /// <param name="optimizer">The sharded optimizer, built as in the saved run (same process count and sharding).</param>
    /// <param name="schedule">The schedule saved with it, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="optimizer"/> is null.</exception>
    /// <exception cref="CheckpointException">The file is not a sharded checkpoint of this many processes with this sharding,
    /// or its contents do not match the optimizer (thrown on every process).</exception>
    public static void Load<T>(string path, ShardedOptimizer<T> optimizer, ISchedule? schedule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(optimizer);
        var communicator = optimizer.Communicator;
        var main = Read(path, communicator, (int)optimizer.Layout.Granularity, optimizer.Layout.TotalLength, out var shards);
        byte[] mine = communicator.ScatterBytes(shards, 0);
        Exception? failure = null;
        try
        {
            // The shard first: it fails (rule, hyperparameters, shard lengths) before the parameters change.
            Checkpoint.Load<T>(new MemoryStream(mine, writable: false), optimizer.Shard, null);
            Checkpoint.Load(new MemoryStream(main, writable: false), null, optimizer.Parameters, schedule);
        }
        catch (CheckpointException e)
        {
            failure = e;
        }

        Span<long> failed = [failure is null ? 0 : 1];
        communicator.AllReduceMax(failed);
        if (failure is not null)
        {
            throw failure;
        }

        if (failed[0] != 0)
        {
            throw new CheckpointException(CheckpointError.Mismatch,
                $"Another process could not load its shard from '{path}' (see its error); this process's shard was restored, "
                + "so load the file again once the cause is fixed.");
        }
    }

    private static byte[] Serialize(Action<Stream> save)
    {
        using var stream = new MemoryStream();
        save(stream);
        return stream.ToArray();
    }

    /// <summary>Rank 0 writes the manifest and the parts; every process learns whether it worked.</summary>
    private static void Write(string path, Communicator communicator, int kind, long totalLength, byte[][]? parts)
    {
        string? error = null;
        if (communicator.IsRoot)
        {
            string temporary = path + ".tmp";
            try
            {
                using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
                using (var writer = new BinaryWriter(file, Encoding.UTF8))
                {
                    writer.Write(Encoding.ASCII.GetBytes(Magic));
                    writer.Write(communicator.Size);
                    writer.Write(kind);
                    writer.Write(totalLength);
                    writer.Write(parts!.Length);
                    foreach (var part in parts)
                    {
                        writer.Write((long)part.Length);
                        writer.Write(part);
                    }
                }

                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = e.Message;
                File.Delete(temporary);
            }
        }

        ShareError(communicator, ref error);
        if (error is not null)
        {
            throw new IOException($"Rank 0 could not write the checkpoint '{path}': {error}");
        }
    }

    /// <summary>
    /// Rank 0 reads and checks the manifest; every process receives the common part (and rank 0 keeps the shards); a
    /// bad file throws on every process.
    /// </summary>
    private static byte[] Read(string path, Communicator communicator, int kind, long totalLength, out byte[][]? shards)
    {
        string? error = null;
        byte[] main = [];
        shards = null;
        if (communicator.IsRoot)
        {
            try
            {
                using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
                string magic = Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length));
                int size = reader.ReadInt32();
                int savedKind = reader.ReadInt32();
                long savedLength = reader.ReadInt64();
                int count = reader.ReadInt32();
                error = magic != Magic ? "it is not a distributed checkpoint"
                    : savedLength != totalLength ? $"it holds {savedLength} parameter elements; this model has {totalLength}"
                    : savedKind != kind ? $"it was saved by {KindName(savedKind)}; this run is {KindName(kind)}"
                    : size != communicator.Size ? $"it was saved by {size} processes; this run has {communicator.Size} (resume with the same process count)"
                    : count != (kind == DataParallelKind ? 1 : size + 1) ? "its manifest is damaged"
                    : null;
                if (error is null)
                {
                    var parts = new byte[count][];
                    for (int i = 0; i < count; i++)
                    {
                        long length = reader.ReadInt64();
                        parts[i] = reader.ReadBytes(checked((int)length));
                        if (parts[i].Length != length)
                        {
                            throw new EndOfStreamException("the file ends inside a part");
                        }
                    }

                    main = parts[0];
                    shards = kind == DataParallelKind ? null : parts[1..];
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OverflowException)
            {
                error = e.Message;
            }
        }

        ShareError(communicator, ref error);
        if (error is not null)
        {
            throw new CheckpointException(CheckpointError.Mismatch, $"Cannot resume from '{path}': {error}.");
        }

        Span<long> length1 = [main.Length];
        communicator.Broadcast(length1, 0);
        if (!communicator.IsRoot)
        {
            main = new byte[checked((int)length1[0])];
        }

        communicator.Broadcast(main.AsSpan(), 0);
        return main;
    }

    /// <summary>Sends rank 0's error message (or none) to every process.</summary>
    private static void ShareError(Communicator communicator, ref string? error)
    {
        byte[] text = error is null ? [] : Encoding.UTF8.GetBytes(error);
        Span<long> length = [error is null ? -1 : text.Length];
        communicator.Broadcast(length, 0);
        if (length[0] < 0)
        {
            error = null;
            return;
        }

        if (!communicator.IsRoot)
        {
            text = new byte[length[0]];
        }

        communicator.Broadcast(text.AsSpan(), 0);
        error = Encoding.UTF8.GetString(text);
    }

    private static string KindName(int kind) => kind switch
    {
        DataParallelKind => "DataParallel",
        (int)ShardGranularity.Range => "ShardedOptimizer by ranges",
        (int)ShardGranularity.WholeParameter => "ShardedOptimizer by whole parameters",
        _ => $"an unknown kind ({kind})",
    };
}
