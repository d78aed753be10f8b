using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Optimizers.Checkpoints;
using Optimizers.Tests.Checkpoints;
using Xunit.Abstractions;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Hostile checkpoints: thousands of mutated files go to <see cref="Checkpoint.Load(Stream, IOptimizer?, IEnumerable{Parameter}?)"/>.
/// Each one either loads (and the optimizer can then step) or throws <see cref="CheckpointException"/>, never another
/// exception type and never a hang (each case runs under a time budget), and a failed load leaves the optimizer and
/// the parameters bit for bit as they were. Mutations are re-signed (the SHA-256 recomputed) in most families, so the
/// parser's structural checks are reached, not just the checksum. The counts go to the test output.
/// </summary>
public sealed class CheckpointFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private const int HeaderLength = 20;
    private const int HashLength = 32;

    /// <summary>The target: an AMSGrad Adam over "w" (5) and "b" (2), stepped so that its state differs from the checkpoint's.</summary>
    private sealed class Target
    {
        public Target()
        {
            Parameters = [new Parameter("w", [0.5, -1, 2, 0.25, 3]), new Parameter("b", [0.1, -0.2])];
            Optimizer = new Adam(Parameters, 0.01, amsgrad: true);
            Parameters[0].Gradient[1] = 1;
            Optimizer.Step();
        }

        public Parameter[] Parameters { get; }

        public Adam Optimizer { get; }
    }

    /// <summary>A small valid checkpoint of the same shape as the target, after three steps.</summary>
    private static byte[] Source()
    {
        Parameter[] parameters = [new Parameter("w", [1.0, 2, 3, 4, 5]), new Parameter("b", [-1.0, 1])];
        var adam = new Adam(parameters, 0.01, amsgrad: true);
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 5; i++)
            {
                parameters[0].Gradient[i] = Math.Sin(step + i);
            }

            parameters[1].Gradient[0] = step;
            adam.Step();
        }

        using var stream = new MemoryStream();
        Checkpoint.Save(stream, adam, parameters);
        return stream.ToArray();
    }

    /// <summary>Recomputes the checksum after the payload length the header declares, when that fits in the data.</summary>
    private static byte[] Resign(byte[] data)
    {
        if (data.Length < HeaderLength)
        {
            return data;
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(12));
        if (length < 0 || HeaderLength + length + HashLength > data.Length)
        {
            return data;
        }

        SHA256.HashData(data.AsSpan(0, HeaderLength + (int)length), data.AsSpan(HeaderLength + (int)length, HashLength));
        return data;
    }

    /// <summary>A well-formed envelope (magic, version 1, length, checksum) around any payload.</summary>
    private static byte[] Envelope(ReadOnlySpan<byte> payload, uint version = 1)
    {
        var data = new byte[HeaderLength + payload.Length + HashLength];
        "OPTMCKPT"u8.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), version);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(12), payload.Length);
        payload.CopyTo(data.AsSpan(HeaderLength));
        return Resign(data);
    }

    private static IEnumerable<(string Family, byte[] Data)> Cases()
    {
        byte[] source = Source();
        int payloadLength = source.Length - HeaderLength - HashLength;
        var random = new Random(20260315);

        // Every truncation, including the empty stream.
        for (int n = 0; n < source.Length; n++)
        {
            yield return ("truncated at every length", source[..n]);
        }

        // Flipped bytes and bits anywhere, checksum left as is.
        for (int k = 0; k < 1000; k++)
        {
            var data = (byte[])source.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                data[random.Next(data.Length)] ^= (byte)(1 + random.Next(255));
            }

            yield return ("flipped bytes, not re-signed", data);
        }

        // Flipped bytes and single bits, re-signed: the parser itself must catch them.
        for (int k = 0; k < 2000; k++)
        {
            var data = (byte[])source.Clone();
            int flips = 1 + random.Next(3);
            for (int f = 0; f < flips; f++)
            {
                int at = HeaderLength + random.Next(payloadLength);
                data[at] ^= k % 2 == 0 ? (byte)(1 << random.Next(8)) : (byte)(1 + random.Next(255));
            }

            yield return ("flipped bytes or bits in the payload, re-signed", Resign(data));
        }

        // Every 4-byte-aligned and every unaligned int32 slot overwritten with extreme lengths, re-signed: this
        // reaches every count and length field with values that would allocate gigabytes if trusted.
        int[] extremes = [-1, int.MinValue, int.MaxValue, int.MaxValue / 8, 0x10000, 0, 1 << 28];
        for (int at = HeaderLength; at + 4 <= HeaderLength + payloadLength; at++)
        {
            foreach (int value in extremes)
            {
                var data = (byte[])source.Clone();
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(at), value);
                yield return ("int32 fields set to extreme values, re-signed", Resign(data));
            }
        }

        // The same for int64 slots (section body lengths, step counts).
        long[] longExtremes = [-1, long.MinValue, long.MaxValue, int.MaxValue + 1L];
        for (int at = HeaderLength; at + 8 <= HeaderLength + payloadLength; at += 4)
        {
            foreach (long value in longExtremes)
            {
                var data = (byte[])source.Clone();
                BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(at), value);
                yield return ("int64 fields set to extreme values, re-signed", Resign(data));
            }
        }

        // Header: other versions, other declared lengths (re-signed where the length still fits).
        foreach (uint version in new uint[] { 0, 2, 3, 255, 0x01000000, uint.MaxValue })
        {
            var data = (byte[])source.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), version);
            yield return ("wrong version", Resign(data));
        }

        foreach (long length in new long[] { -1, 0, 3, 4, payloadLength - 1, payloadLength + 1, int.MaxValue, Array.MaxLength, long.MaxValue, long.MinValue })
        {
            var data = (byte[])source.Clone();
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(12), length);
            yield return ("wrong declared length", Resign(data));
        }

        // Random payloads in a valid envelope: garbage that passes the checksum.
        for (int k = 0; k < 500; k++)
        {
            var payload = new byte[random.Next(0, 2 * payloadLength)];
            random.NextBytes(payload);
            if (k % 2 == 0 && payload.Length >= 4)
            {
                BinaryPrimitives.WriteInt32LittleEndian(payload, random.Next(0, 4));   // a plausible section count
            }

            yield return ("random payload, valid envelope", Envelope(payload));
        }

        // The valid payload cut short or extended inside a valid envelope.
        var validPayload = source.AsSpan(HeaderLength, payloadLength).ToArray();
        for (int n = 0; n < payloadLength; n += 3)
        {
            yield return ("valid payload cut short, re-enveloped", Envelope(validPayload.AsSpan(0, n)));
        }

        for (int extra = 1; extra <= 16; extra++)
        {
            yield return ("valid payload with trailing bytes, re-enveloped", Envelope([.. validPayload, .. new byte[extra]]));
        }

        // Swapped optimizer type names (same length and other lengths), re-signed.
        string original = "Adam";
        foreach (string other in new[] { "AdamW", "Momentum", "Mdam", "String", "", "Adam\0", "Optimizers.Adam" })
        {
            yield return ("swapped optimizer type", Envelope(ReplaceString(validPayload, original, other)));
        }

        // Checkpoints of every other rule into the Adam target.
        foreach (var (name, data) in OtherRuleCheckpoints())
        {
            yield return ($"another rule's checkpoint ({name})", data);
        }
    }

    /// <summary>The payload with one length-prefixed string replaced (its int32 prefix rewritten).</summary>
    private static byte[] ReplaceString(byte[] payload, string from, string to)
    {
        byte[] needle = Encoding.UTF8.GetBytes(from);
        int at = payload.AsSpan().IndexOf(needle);
        at.Should().BeGreaterThan(4);
        byte[] replacement = Encoding.UTF8.GetBytes(to);
        var result = new List<byte>(payload[..(at - 4)]);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, replacement.Length);
        result.AddRange(prefix);
        result.AddRange(replacement);
        result.AddRange(payload[(at + needle.Length)..]);
        return [.. result];
    }

    private static IEnumerable<(string, byte[])> OtherRuleCheckpoints()
    {
        foreach (string rule in RuleSetups.Names.Where(n => n != "Adam"))
        {
            Parameter[] parameters = [new Parameter("w", new double[5]), new Parameter("b", new double[2])];
            var setup = FsCheck.Fluent.Gen.Sample(RuleSetups.Of(rule, new Constraints(true, -8, true)), 3, 1).First();
            var optimizer = setup.Create(parameters);
            parameters[0].Gradient[0] = 1;
            optimizer.Step();
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, optimizer, parameters);
            yield return (rule, stream.ToArray());
        }
    }

    [Fact]
    public async Task Every_hostile_checkpoint_loads_or_throws_CheckpointException_and_a_failure_changes_nothing()
    {
        var counts = new SortedDictionary<string, (int Cases, int Loaded)>(StringComparer.Ordinal);
        var errors = new SortedDictionary<CheckpointError, int>();
        var failures = new List<string>();
        long worstAllocation = 0;
        foreach (var (family, data) in Cases())
        {
            var target = new Target();
            var before = StateSnapshot.Of(target.Optimizer, target.Parameters);
            Exception? thrown = null;
            long allocated = 0;
            var run = Task.Run(() =>
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    Checkpoint.Load(new MemoryStream(data, writable: false), target.Optimizer, target.Parameters);
                }
                catch (Exception e)
                {
                    thrown = e;
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - start;
            });
            try
            {
                await run.WaitAsync(Budget);
            }
            catch (TimeoutException)
            {
                failures.Add($"{family}: Load did not finish within {Budget.TotalSeconds} s");
                break;
            }

            worstAllocation = Math.Max(worstAllocation, allocated - 4L * data.Length);
            var (cases, loaded) = counts.GetValueOrDefault(family);
            if (thrown is null)
            {
                counts[family] = (cases + 1, loaded + 1);
                // A loaded state must be usable: lengths agree, and stepping does not throw.
                target.Optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
                target.Optimizer.Step();
                continue;
            }

            counts[family] = (cases + 1, loaded);
            if (thrown is not CheckpointException ce)
            {
                failures.Add($"{family}: {thrown.GetType().Name}: {thrown.Message}");
                continue;
            }

            errors[ce.Error] = errors.GetValueOrDefault(ce.Error) + 1;
            if (!StateSnapshot.Of(target.Optimizer, target.Parameters).SequenceEqual(before))
            {
                failures.Add($"{family}: a failed load ({ce.Error}) changed the optimizer or the parameters");
            }
        }

        foreach (var (family, (cases, loaded)) in counts)
        {
            output.WriteLine($"{cases,6} cases, {loaded,4} loaded  {family}");
        }

        output.WriteLine($"{counts.Values.Sum(c => c.Cases),6} hostile checkpoints in total; errors: {string.Join(", ", errors.Select(e => $"{e.Key} {e.Value}"))}");
        output.WriteLine($"largest allocation beyond 4 × the checkpoint's size: {worstAllocation} bytes");
        failures.Should().BeEmpty();
        counts.Values.Sum(c => c.Cases).Should().BeGreaterThan(5000);
        worstAllocation.Should().BeLessThan(1 << 20, "no hostile file may make Load allocate much more than its own size");
    }
}
