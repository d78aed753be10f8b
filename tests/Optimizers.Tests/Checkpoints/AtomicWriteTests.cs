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

        var load = () => Checkpoint.LoadFromFile(Path.Combine(_directory, "missing.ckpt"), network);
        load.Should().Throw<FileNotFoundException>();
    }

    /// <summary>Passes writes through until <c>failAfter</c> bytes, then throws as a dying disk or process would.</summary>
    private sealed class FailingStream(Stream inner, int failAfter) : Stream
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
                throw new IOException($"simulated crash after {_written} bytes");
            }
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
