namespace Optimizers.Checkpoints;

/// <summary>Replaces a file all at once: write a temporary file beside it, flush it to disk, then rename it over.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes the content produced by <paramref name="write"/> to <paramref name="path"/> atomically. If anything fails before the rename,
    /// the previous file (if any) is untouched and the temporary file is removed.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="role">What the file is, for messages ("checkpoint file").</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <param name="wrap">Tests only: wraps the temporary file's stream (for example to fail after n bytes).</param>
    /// <exception cref="IOException">
    /// The file system refused: every error of creating, writing, flushing or renaming, whatever its type (a missing
    /// directory; <see cref="UnauthorizedAccessException"/> for a read-only place; the
    /// <see cref="ArgumentOutOfRangeException"/> .NET reports for a file-size limit), with the path and its role in the
    /// message and the original as the inner exception.
    /// </exception>
    public static void Write(string path, string role, Action<Stream> write, Func<Stream, Stream>? wrap = null)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names a root directory, not a file.", nameof(path));
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                var stream = wrap is null ? file : wrap(file);
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            TryDelete(temporary);
            throw new IOException(
                $"The {role} '{fullPath}' could not be written (through the temporary file '{Path.GetFileName(temporary)}' beside it): {e.Message}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original exception matters more; a stray temporary file never replaces the checkpoint.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
