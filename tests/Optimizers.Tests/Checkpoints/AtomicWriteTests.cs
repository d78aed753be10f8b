using Optimizers.Checkpoints;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// SaveToFile writes a temporary file beside the target and renames it over the target only when complete, so a
/// crash or error mid-write never destroys the previous checkpoint.
/// </summary>
public sealed class AtomicWriteTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("optimizers-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_write_that_fails_at_any_point_leaves_the_previous_file_intact()
    {
        string path = Path.Combine(_directory, "run.ckpt");
        var parameters = Trajectory.Parameters(seed: 2);
        var optimizer = new Adam(parameters, 0.01);
        Trajectory.Run(optimizer, parameters, 1, 2);
        Checkpoint.SaveToFile(path, optimizer, parameters);
        byte[] previous = File.ReadAllBytes(path);

        Trajectory.Run(optimizer, parameters, 3, 4);
        foreach (int failAfter in new[] { 0, 1, 19, 20, 100, previous.Length - 1 })
        {
            var save = () => Checkpoint.SaveToFile(path, optimizer, parameters, null, stream => new FailingStream(stream, failAfter));

            save.Should().Throw<IOException>().WithMessage("*simulated crash*");
            File.ReadAllBytes(path).Should().Equal(previous, $"the write failed after {failAfter} bytes");
            Directory.GetFiles(_directory).Should().Equal([path], "the temporary file is removed");
        }

        var restoredParameters = Trajectory.FreshParameters();
        var restored = new Adam(restoredParameters, 0.01);
        Checkpoint.LoadFromFile(path, restored, restoredParameters);
        restored.StepCount.Should().Be(2, "the checkpoint on disk is still the one from step 2");
    }

    [Fact]
    public void A_temporary_file_left_by_a_hard_crash_does_not_disturb_loading_or_saving()
    {
        string path = Path.Combine(_directory, "run.ckpt");
        var parameters = Trajectory.Parameters(seed: 2);
        var optimizer = new Momentum(parameters, 0.1);
        Trajectory.Run(optimizer, parameters, 1, 2);
        Checkpoint.SaveToFile(path, optimizer);

        // A process killed mid-write leaves a partial temporary file and no chance to delete it.
        byte[] complete = File.ReadAllBytes(path);
        string leftover = Path.Combine(_directory, ".run.ckpt.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllBytes(leftover, complete[..(complete.Length / 2)]);

        var fresh = new Momentum(Trajectory.FreshParameters(), 0.1);
        Checkpoint.LoadFromFile(path, fresh);
        fresh.StepCount.Should().Be(2);

        Trajectory.Run(optimizer, parameters, 3, 3);
        Checkpoint.SaveToFile(path, optimizer);
        Checkpoint.LoadFromFile(path, fresh);
        fresh.StepCount.Should().Be(3);
    }

    [Fact]
    public void Saving_replaces_an_existing_file_and_loading_a_missing_file_throws_FileNotFoundException()
    {
        string path = Path.Combine(_directory, "weights.ckpt");
        var network = global::Optimizers.Networks.Network.Mlp([2, 3, 2], seed: 1);
        Checkpoint.SaveToFile(path, network);
        Checkpoint.SaveToFile(path, network);
        Directory.GetFiles(_directory).Should().Equal([path]);

        string missing = Path.Combine(_directory, "missing.ckpt");
        var load = () => Checkpoint.LoadFromFile(missing, network);
        load.Should().Throw<FileNotFoundException>().WithMessage($"The checkpoint file '{missing}' does not exist*")
            .Which.FileName.Should().Be(missing);

        string inMissingDirectory = Path.Combine(_directory, "no such directory", "run.ckpt");
        var loadFromNowhere = () => Checkpoint.LoadFromFile(inMissingDirectory, network);
        loadFromNowhere.Should().Throw<FileNotFoundException>().WithMessage($"The checkpoint file '{inMissingDirectory}' does not exist*")
            .WithInnerException<DirectoryNotFoundException>();
    }

    [Fact]
    public void A_directory_given_as_the_file_to_load_is_an_IOException_naming_the_checkpoint_file()
    {
        var optimizer = new Momentum(Trajectory.FreshParameters(), 0.1);
        var load = () => Checkpoint.LoadFromFile(_directory, optimizer);
        load.Should().Throw<IOException>().WithMessage($"The checkpoint file '{_directory}' cannot be opened for reading*")
            .WithInnerException<UnauthorizedAccessException>();
        optimizer.StepCount.Should().Be(0);
    }

    /// <summary>What .NET throws when the file system refuses, none of them an <see cref="IOException"/> but the first:
    /// a missing directory, a read-only place (<see cref="UnauthorizedAccessException"/>), a file-size limit (EFBIG, which
    /// .NET reports as <see cref="ArgumentOutOfRangeException"/> "Specified file length was too large for the file system").</summary>
    public static TheoryData<string> Refusals() => new("missing directory", "read-only", "file-size limit");

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Saving_where_the_file_system_refuses_is_an_IOException_naming_the_checkpoint_file_and_keeps_the_old_one(string refusal)
    {
        string path = Path.Combine(_directory, "run.ckpt");
        var parameters = Trajectory.Parameters(seed: 2);
        var optimizer = new Adam(parameters, 0.01);
        Checkpoint.SaveToFile(path, optimizer, parameters);
        byte[] previous = File.ReadAllBytes(path);
        Trajectory.Run(optimizer, parameters, 1, 2);

        Action save = refusal switch
        {
            "missing directory" => () => Checkpoint.SaveToFile(Path.Combine(_directory, "gone", "run.ckpt"), optimizer, parameters),
            "read-only" => () => Checkpoint.SaveToFile(path, optimizer, parameters, null,
                                                       _ => throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.")),
            _ => () => Checkpoint.SaveToFile(path, optimizer, parameters, null, stream => new FailingStream(stream, 100,
                       new ArgumentOutOfRangeException("value", "Specified file length was too large for the file system."))),
        };

        var thrown = save.Should().Throw<IOException>().WithMessage("The checkpoint file '*run.ckpt' could not be written*").Which;
        thrown.InnerException.Should().BeOfType(refusal switch
        {
            "missing directory" => typeof(DirectoryNotFoundException),
            "read-only" => typeof(UnauthorizedAccessException),
            _ => typeof(ArgumentOutOfRangeException),
        });
        File.ReadAllBytes(path).Should().Equal(previous);
        Directory.GetFiles(_directory).Should().Equal([path], "the temporary file is removed");
    }

    [Fact]
    public void Saving_into_a_place_the_operating_system_refuses_is_an_IOException()
    {
        // /sys refuses new files (EACCES, even to root): .NET throws UnauthorizedAccessException, wrapped here.
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/sys/kernel"))
        {
            return;
        }

        var optimizer = new Momentum(Trajectory.FreshParameters(), 0.1);
        var save = () => Checkpoint.SaveToFile("/sys/kernel/optimizers-test.ckpt", optimizer);
        save.Should().Throw<IOException>().WithMessage("The checkpoint file '/sys/kernel/optimizers-test.ckpt' could not be written*")
            .WithInnerException<UnauthorizedAccessException>();
    }

    /// <summary>Passes writes through until <c>failAfter</c> bytes, then throws as a dying disk or process would
    /// (an <see cref="IOException"/> unless another exception is given).</summary>
    private sealed class FailingStream(Stream inner, int failAfter, Exception? failure = null) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int allowed = (int)Math.Min(buffer.Length, failAfter - _written);
            inner.Write(buffer[..allowed]);
            _written += allowed;
            if (allowed < buffer.Length)
            {
                inner.Flush();
                throw failure ?? new IOException($"simulated crash after {_written} bytes");
            }
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
