using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Optimizers.Checkpoints;
using Optimizers.Schedules;
using Optimizers.Tests.Checkpoints;
using Xunit.Abstractions;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Hostile checkpoints: thousands of mutated files go to <see cref="Checkpoint.Load(Stream, IOptimizer?, IEnumerable{Parameter{double}}?, ISchedule?)"/>,
/// for four subjects: an AMSGrad Adam over float64 parameters, the same over float32, the committed version-1
/// checkpoint of a Momentum with its parameters and a SequentialLR, and an Adafactor over a 3 × 2 weight and a bias
/// (version 3's parameter shapes and state-vector lengths). Each case either loads (and the optimizer, and the
/// schedule, can then step) or throws <see cref="CheckpointException"/>, never another exception type and never a hang
/// (each case runs under a time budget), and a failed load leaves everything bit for bit as it was. Mutations are
/// re-signed (the SHA-256 recomputed) in most families, so the parser's structural checks are reached, not just the
/// checksum. The counts per family and subject, loaded ones included, and the errors are asserted: they are the numbers
/// docs/robustness.md quotes (the cases are seeded, so they are the same every run); update both together.
/// </summary>
public sealed class CheckpointFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private const int HeaderLength = 20;
    private const int HashLength = 32;

    /// <summary>What a hostile checkpoint is loaded into: fresh for every case.</summary>
    private interface ITarget
    {
        void Load(byte[] data);

        /// <summary>Every number the target holds, bit for bit.</summary>
        List<string> Snapshot();

        /// <summary>One step of everything loaded, which must not throw.</summary>
        void Step();
    }

    /// <summary>An AMSGrad Adam over "w" (5) and "b" (2), stepped so that its state differs from the checkpoint's.</summary>
    private sealed class AdamTarget<T> : ITarget
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Parameter<T>[] _parameters = Parameters<T>([0.5, -1, 2, 0.25, 3], [0.1, -0.2]);
        private readonly Adam<T> _optimizer;

        public AdamTarget()
        {
            _optimizer = new Adam<T>(_parameters, 0.01, amsgrad: true);
            _parameters[0].Gradient[1] = T.One;
            _optimizer.Step();
        }

        public void Load(byte[] data) => Checkpoint.Load(new MemoryStream(data, writable: false), _optimizer, _parameters);

        public List<string> Snapshot() => StateSnapshot.Of(_optimizer, _parameters);

        public void Step()
        {
            _optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
            _optimizer.Step();
        }
    }

    /// <summary>
    /// An Adafactor over a 3 × 2 weight "w" (row and column statistics of lengths 3 and 2) and a rank-1 "b" (2), stepped
    /// once: its checkpoint holds parameter shapes and state vectors not as long as their parameters (version 3).
    /// </summary>
    private sealed class AdafactorTarget : ITarget
    {
        private readonly Parameter[] _parameters = AdafactorParameters([0.5, -1, 2, 0.25, 3, 1.5], [0.1, -0.2]);
        private readonly Adafactor _optimizer;

        public AdafactorTarget()
        {
            _optimizer = new Adafactor(_parameters, 0.01, weightDecay: 0.1);
            _parameters[0].Gradient[1] = 1;
            _optimizer.Step();
        }

        public void Load(byte[] data) => Checkpoint.Load(new MemoryStream(data, writable: false), _optimizer, _parameters);

        public List<string> Snapshot() => StateSnapshot.Of(_optimizer, _parameters);

        public void Step()
        {
            _optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
            _optimizer.Step();
        }
    }

    /// <summary>The objects of Version1/momentum-sequential.v1.ckpt, built as that file's generator built them.</summary>
    private sealed class Version1Target : ITarget
    {
        private readonly Parameter[] _parameters = Trajectory.Parameters(seed: 31);
        private readonly Momentum _optimizer;
        private readonly SequentialLR _schedule;

        public Version1Target()
        {
            _optimizer = new Momentum(_parameters, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01);
            _schedule = new SequentialLR(
                _optimizer,
                [new LinearLR(_optimizer, startFactor: 0.25, endFactor: 1, totalIters: 3), new CosineAnnealingWarmRestarts(_optimizer, t0: 2, tMult: 2, etaMin: 0.001)],
                [3]);
            _parameters[0].Gradient[1] = 1;
            _optimizer.Step();
            _schedule.Step();
        }

        public void Load(byte[] data) => Checkpoint.Load(new MemoryStream(data, writable: false), _optimizer, _parameters, _schedule);

        public List<string> Snapshot()
        {
            var lines = StateSnapshot.Of(_optimizer, _parameters);
            var restarts = (CosineAnnealingWarmRestarts)_schedule.Schedules[1];
            lines.Add($"schedule epoch={_schedule.Epoch} active={_schedule.ActiveIndex} lr={StateSnapshot.Bits(_schedule.CurrentLearningRate)} " +
                      $"children={string.Join(",", _schedule.Schedules.Select(s => $"{s.Epoch}:{StateSnapshot.Bits(s.CurrentLearningRate)}:{StateSnapshot.Bits(s.BaseLearningRate)}"))} " +
                      $"T_cur={restarts.TCur} T_i={restarts.TI}");
            return lines;
        }

        public void Step()
        {
            _optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
            _optimizer.Step();
            _schedule.Step();
        }
    }

    /// <summary>A checkpoint to mutate, the target it fits, and the rule name it records.</summary>
    private sealed record Subject(string Name, byte[] Source, Func<ITarget> NewTarget, string RuleName, int OtherVersion);

    private static Subject[] Subjects() =>
    [
        new("float64 Adam", AdamSource<double>(), () => new AdamTarget<double>(), "Adam", OtherVersion: 1),
        new("float32 Adam", AdamSource<float>(), () => new AdamTarget<float>(), "Adam", OtherVersion: 1),
        new("version-1 Momentum + SequentialLR",
            File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Checkpoints", "Version1", "momentum-sequential.v1.ckpt")),
            () => new Version1Target(), "Optimizers.Momentum", OtherVersion: 2),
        new("float64 Adafactor (3 × 2 weight)", AdafactorSource(), () => new AdafactorTarget(), "Adafactor", OtherVersion: 2),
    ];

    private static Parameter[] AdafactorParameters(double[] w, double[] b)
        => [new Parameter("w", MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 2, w)), new Parameter("b", b)];

    /// <summary>A small valid checkpoint of the same shape as <see cref="AdafactorTarget"/>, after three steps.</summary>
    private static byte[] AdafactorSource()
    {
        var parameters = AdafactorParameters([1.0, 2, 3, 4, 5, 6], [-1.0, 1]);
        var adafactor = new Adafactor(parameters, 0.01, weightDecay: 0.1);
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 6; i++)
            {
                parameters[0].Gradient[i] = Math.Sin(step + i);
            }

            parameters[1].Gradient[0] = step;
            adafactor.Step();
        }

        using var stream = new MemoryStream();
        Checkpoint.Save(stream, adafactor, parameters);
        return stream.ToArray();
    }

    private static Parameter<T>[] Parameters<T>(double[] w, double[] b)
        where T : unmanaged, IFloatingPointIeee754<T>
        => [Parameter<T>.Over("w", w.Select(T.CreateTruncating).ToArray()), Parameter<T>.Over("b", b.Select(T.CreateTruncating).ToArray())];

    /// <summary>A small valid checkpoint of the same shape as <see cref="AdamTarget{T}"/>, after three steps.</summary>
    private static byte[] AdamSource<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameters = Parameters<T>([1.0, 2, 3, 4, 5], [-1.0, 1]);
        var adam = new Adam<T>(parameters, 0.01, amsgrad: true);
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 5; i++)
            {
                parameters[0].Gradient[i] = T.CreateTruncating(Math.Sin(step + i));
            }

            parameters[1].Gradient[0] = T.CreateTruncating(step);
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

    /// <summary>A well-formed envelope (magic, version, length, checksum) around any payload.</summary>
    private static byte[] Envelope(ReadOnlySpan<byte> payload, uint version)
    {
        var data = new byte[HeaderLength + payload.Length + HashLength];
        "OPTMCKPT"u8.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), version);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(12), payload.Length);
        payload.CopyTo(data.AsSpan(HeaderLength));
        return Resign(data);
    }

    private static IEnumerable<(string Family, byte[] Data)> Cases(Subject subject)
    {
        byte[] source = subject.Source;
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(source.AsSpan(8));
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

            yield return ("1-4 flipped bytes, not re-signed", data);
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

            yield return ("1-3 flipped bytes or bits in the payload, re-signed", Resign(data));
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
                yield return ("every int32 slot set to 7 extreme values, re-signed", Resign(data));
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
                yield return ("every 4-aligned int64 slot set to 4 extreme values, re-signed", Resign(data));
            }
        }

        // Header: unreadable versions, and the other readable version (the payload then read with the wrong layout),
        // re-signed; other declared lengths (re-signed where the length still fits).
        foreach (uint other in new uint[] { 0, (uint)subject.OtherVersion, 4, 255, 0x01000000, uint.MaxValue })
        {
            var data = (byte[])source.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(8), other);
            yield return ("other format versions (0, another readable one, 4, 255, 2^24, 2^32-1)", Resign(data));
        }

        foreach (long length in new long[] { -1, 0, 3, 4, payloadLength - 1, payloadLength + 1, int.MaxValue, Array.MaxLength, long.MaxValue, long.MinValue })
        {
            var data = (byte[])source.Clone();
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(12), length);
            yield return ("wrong declared payload length", Resign(data));
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

            yield return ("random payloads in a valid envelope", Envelope(payload, version));
        }

        // The valid payload cut short or extended inside a valid envelope.
        var validPayload = source.AsSpan(HeaderLength, payloadLength).ToArray();
        for (int n = 0; n < payloadLength; n += 3)
        {
            yield return ("the valid payload cut short, re-enveloped", Envelope(validPayload.AsSpan(0, n), version));
        }

        for (int extra = 1; extra <= 16; extra++)
        {
            yield return ("the valid payload with 1-16 trailing bytes, re-enveloped", Envelope([.. validPayload, .. new byte[extra]], version));
        }

        // The recorded rule swapped for others (same length and other lengths), re-signed.
        foreach (string other in new[] { "AdamW", "Momentum", "Mdam", "String", "", "Adam\0", "Optimizers.Adam", "Optimizers.Momentum", "System.Object" })
        {
            if (other != subject.RuleName)
            {
                yield return ("the rule name swapped for another (9; 8 in version 1)", Envelope(ReplaceString(validPayload, subject.RuleName, other), version));
            }
        }

        foreach (var (name, data) in OtherCheckpoints(subject))
        {
            yield return (name, data);
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

    /// <summary>Valid checkpoints made for something else: every other rule, in the subject's element type, and the
    /// same checkpoint in the other element type.</summary>
    private static IEnumerable<(string, byte[])> OtherCheckpoints(Subject subject)
    {
        var others = new List<(string, byte[])>();
        foreach (string rule in RuleSetups.Names.Where(n => n != "Adam" && subject.RuleName == "Adam"))
        {
            var setup = FsCheck.Fluent.Gen.Sample(RuleSetups.Of(rule, new Constraints(true, -8, true)), 3, 1).First();
            others.Add(("a valid checkpoint of each of the 11 other rules",
                        subject.Name.StartsWith("float32", StringComparison.Ordinal) ? OtherRule<float>(setup) : OtherRule<double>(setup)));
        }

        if (subject.RuleName == "Adam")
        {
            others.Add(("the same checkpoint in the other element type",
                        subject.Name.StartsWith("float32", StringComparison.Ordinal) ? AdamSource<double>() : AdamSource<float>()));
        }

        return others;
    }

    private static byte[] OtherRule<T>(RuleSetup<double> setup)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var template = setup.Create([new Parameter("w", new double[5]), new Parameter("b", new double[2])]);
        var parameters = Parameters<T>(new double[5], new double[2]);
        var optimizer = ElementTypeMirror.Mirror(template, parameters);
        parameters[0].Gradient[0] = T.One;
        optimizer.Step();
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, parameters);
        return stream.ToArray();
    }

    /// <summary>Per subject and family: (cases, loaded). These are the numbers of docs/robustness.md.</summary>
    private static readonly Dictionary<string, Dictionary<string, (int Cases, int Loaded)>> Expected = new()
    {
        ["float64 Adam"] = new()
        {
            { "1-3 flipped bytes or bits in the payload, re-signed", (2000, 472) },
            { "1-4 flipped bytes, not re-signed", (1000, 0) },
            { "a valid checkpoint of each of the 11 other rules", (11, 0) },
            { "every 4-aligned int64 slot set to 4 extreme values, re-signed", (564, 185) },
            { "every int32 slot set to 7 extreme values, re-signed", (3976, 1631) },
            { "other format versions (0, another readable one, 4, 255, 2^24, 2^32-1)", (6, 0) },
            { "random payloads in a valid envelope", (500, 0) },
            { "the rule name swapped for another (9; 8 in version 1)", (9, 0) },
            { "the same checkpoint in the other element type", (1, 0) },
            { "the valid payload cut short, re-enveloped", (191, 0) },
            { "the valid payload with 1-16 trailing bytes, re-enveloped", (16, 0) },
            { "truncated at every length", (623, 0) },
            { "wrong declared payload length", (10, 0) },
        },
        ["float32 Adam"] = new()
        {
            { "1-3 flipped bytes or bits in the payload, re-signed", (2000, 281) },
            { "1-4 flipped bytes, not re-signed", (1000, 0) },
            { "a valid checkpoint of each of the 11 other rules", (11, 0) },
            { "every 4-aligned int64 slot set to 4 extreme values, re-signed", (452, 73) },
            { "every int32 slot set to 7 extreme values, re-signed", (3192, 847) },
            { "other format versions (0, another readable one, 4, 255, 2^24, 2^32-1)", (6, 0) },
            { "random payloads in a valid envelope", (500, 0) },
            { "the rule name swapped for another (9; 8 in version 1)", (9, 0) },
            { "the same checkpoint in the other element type", (1, 0) },
            { "the valid payload cut short, re-enveloped", (153, 0) },
            { "the valid payload with 1-16 trailing bytes, re-enveloped", (16, 0) },
            { "truncated at every length", (511, 0) },
            { "wrong declared payload length", (10, 0) },
        },
        ["version-1 Momentum + SequentialLR"] = new()
        {
            { "1-3 flipped bytes or bits in the payload, re-signed", (2000, 298) },
            { "1-4 flipped bytes, not re-signed", (1000, 0) },
            { "every 4-aligned int64 slot set to 4 extreme values, re-signed", (992, 261) },
            { "every int32 slot set to 7 extreme values, re-signed", (6972, 2240) },
            { "other format versions (0, another readable one, 4, 255, 2^24, 2^32-1)", (6, 0) },
            { "random payloads in a valid envelope", (500, 0) },
            { "the rule name swapped for another (9; 8 in version 1)", (8, 0) },
            { "the valid payload cut short, re-enveloped", (333, 0) },
            { "the valid payload with 1-16 trailing bytes, re-enveloped", (16, 0) },
            { "truncated at every length", (1051, 0) },
            { "wrong declared payload length", (10, 0) },
        },
        ["float64 Adafactor (3 × 2 weight)"] = new()
        {
            { "1-3 flipped bytes or bits in the payload, re-signed", (2000, 294) },
            { "1-4 flipped bytes, not re-signed", (1000, 0) },
            { "every 4-aligned int64 slot set to 4 extreme values, re-signed", (460, 96) },
            { "every int32 slot set to 7 extreme values, re-signed", (3248, 941) },
            { "other format versions (0, another readable one, 4, 255, 2^24, 2^32-1)", (6, 0) },
            { "random payloads in a valid envelope", (500, 0) },
            { "the rule name swapped for another (9; 8 in version 1)", (9, 0) },
            { "the valid payload cut short, re-enveloped", (156, 0) },
            { "the valid payload with 1-16 trailing bytes, re-enveloped", (16, 0) },
            { "truncated at every length", (519, 0) },
            { "wrong declared payload length", (10, 0) },
        },
    };

    /// <summary>Per subject: how many failures of each kind (docs/robustness.md).</summary>
    private static readonly Dictionary<string, Dictionary<CheckpointError, int>> ExpectedErrors = new()
    {
        ["float64 Adam"] = new()
        {
            { CheckpointError.NotACheckpoint, 35 }, { CheckpointError.UnsupportedVersion, 21 }, { CheckpointError.Truncated, 640 },
            { CheckpointError.Corrupted, 946 }, { CheckpointError.Malformed, 3926 }, { CheckpointError.MissingSection, 116 },
            { CheckpointError.Mismatch, 935 },
        },
        ["float32 Adam"] = new()
        {
            { CheckpointError.NotACheckpoint, 44 }, { CheckpointError.UnsupportedVersion, 26 }, { CheckpointError.Truncated, 529 },
            { CheckpointError.Corrupted, 928 }, { CheckpointError.Malformed, 4057 }, { CheckpointError.MissingSection, 110 },
            { CheckpointError.Mismatch, 966 },
        },
        ["version-1 Momentum + SequentialLR"] = new()
        {
            { CheckpointError.NotACheckpoint, 21 }, { CheckpointError.UnsupportedVersion, 13 }, { CheckpointError.Truncated, 1060 },
            { CheckpointError.Corrupted, 973 }, { CheckpointError.Malformed, 5878 }, { CheckpointError.MissingSection, 144 },
            { CheckpointError.Mismatch, 2000 },
        },
        ["float64 Adafactor (3 × 2 weight)"] = new()
        {
            { CheckpointError.NotACheckpoint, 41 }, { CheckpointError.UnsupportedVersion, 28 }, { CheckpointError.Truncated, 537 },
            { CheckpointError.Corrupted, 928 }, { CheckpointError.Malformed, 4066 }, { CheckpointError.MissingSection, 117 },
            { CheckpointError.Mismatch, 876 },
        },
    };

    [Fact]
    public async Task Every_hostile_checkpoint_loads_or_throws_CheckpointException_and_a_failure_changes_nothing()
    {
        var failures = new List<string>();
        var counts = new Dictionary<string, SortedDictionary<string, (int Cases, int Loaded)>>();
        var errors = new Dictionary<string, SortedDictionary<CheckpointError, int>>();
        long worstAllocation = 0;
        foreach (var subject in Subjects())
        {
            var subjectCounts = counts[subject.Name] = new(StringComparer.Ordinal);
            var subjectErrors = errors[subject.Name] = new();
            foreach (var (family, data) in Cases(subject))
            {
                var target = subject.NewTarget();
                var before = target.Snapshot();
                Exception? thrown = null;
                long allocated = 0;
                var run = Task.Run(() =>
                {
                    long start = GC.GetAllocatedBytesForCurrentThread();
                    try
                    {
                        target.Load(data);
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
                    failures.Add($"{subject.Name}, {family}: Load did not finish within {Budget.TotalSeconds} s");
                    break;
                }

                worstAllocation = Math.Max(worstAllocation, allocated - 4L * data.Length);
                var (cases, loaded) = subjectCounts.GetValueOrDefault(family);
                if (thrown is null)
                {
                    subjectCounts[family] = (cases + 1, loaded + 1);
                    try
                    {
                        // A loaded state must be usable: lengths agree, and stepping does not throw.
                        target.Step();
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{subject.Name}, {family}: stepping after a successful load threw {e.GetType().Name}: {e.Message}");
                    }

                    continue;
                }

                subjectCounts[family] = (cases + 1, loaded);
                if (thrown is not CheckpointException ce)
                {
                    failures.Add($"{subject.Name}, {family}: {thrown.GetType().Name}: {thrown.Message}");
                    continue;
                }

                subjectErrors[ce.Error] = subjectErrors.GetValueOrDefault(ce.Error) + 1;
                if (!target.Snapshot().SequenceEqual(before))
                {
                    failures.Add($"{subject.Name}, {family}: a failed load ({ce.Error}) changed the target");
                }
            }

            output.WriteLine($"{subject.Name} ({subject.Source.Length} bytes):");
            foreach (var (family, (cases, loaded)) in subjectCounts)
            {
                output.WriteLine($"  {{ \"{family}\", ({cases}, {loaded}) }},");
            }

            output.WriteLine($"  {subjectCounts.Values.Sum(c => c.Cases)} cases; errors: " +
                             string.Join(", ", subjectErrors.Select(e => $"{{ CheckpointError.{e.Key}, {e.Value} }}")));
        }

        output.WriteLine($"{counts.Values.Sum(c => c.Values.Sum(v => v.Cases))} hostile checkpoints in total; " +
                         $"largest allocation beyond 4 × the checkpoint's size: {worstAllocation} bytes");
        failures.Should().BeEmpty();
        worstAllocation.Should().BeLessThan(1 << 20, "no hostile file may make Load allocate much more than its own size");
        foreach (var (subject, subjectCounts) in counts)
        {
            subjectCounts.Should().Equal(Expected[subject], $"docs/robustness.md quotes these counts for {subject}");
            errors[subject].Should().Equal(ExpectedErrors[subject], $"docs/robustness.md quotes these errors for {subject}");
        }
    }
}
