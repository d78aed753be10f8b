using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Optimizers.Averaging;
using Optimizers.Checkpoints;
using Optimizers.Schedules;

namespace Optimizers.Tests.Averaging;

/// <summary>
/// The "averaging" checkpoint section (<see cref="Checkpoint.Save{T}(Stream, IOptimizer?, IEnumerable{Parameter{T}}?, ISchedule?, AveragedParameters{T}?)"/>
/// and its <c>Load</c>): an SWA or EMA run with its optimizer, parameters and <see cref="SWALR"/>, checkpointed mid-way
/// and resumed, equals the uninterrupted run bit for bit, in both element types; mismatches are refused with messages
/// that say what differs, and change nothing; hostile sections throw <see cref="CheckpointException"/> and change
/// nothing.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class AveragingCheckpointTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int HeaderLength = 20;
    private const int HashLength = 32;

    /// <summary>An SWA-style run: Adam, SWALR from epoch 4, averages updated from step 6 on.</summary>
    private sealed class Run
    {
        public Run(double? decay, string secondName = "b", int secondLength = 3)
        {
            Parameters = [Parameter<T>.Over("w", new[] { 0.5, -1.0, 2.0, 0.25, 3.0, -0.75 }.Select(T.CreateTruncating).ToArray(), 2, 3), Fill(secondName, secondLength)];
            Optimizer = new Adam<T>(Parameters, 0.05, amsgrad: true);
            Schedule = new SWALR(Optimizer, swaLearningRate: 0.01, annealEpochs: 3, annealStrategy: AnnealStrategy.Linear);
            Averaged = new AveragedParameters<T>(Parameters, decay);
        }

        public Parameter<T>[] Parameters { get; }

        public Adam<T> Optimizer { get; }

        public SWALR Schedule { get; }

        public AveragedParameters<T> Averaged { get; }

        /// <summary>Steps t = from … to − 1: a gradient that depends on θ and t, a step, the schedule, the averages from t = 6.</summary>
        public void Steps(int from, int to)
        {
            for (int t = from; t < to; t++)
            {
                foreach (var p in Parameters)
                {
                    for (int i = 0; i < p.Length; i++)
                    {
                        double theta = double.CreateTruncating(p.Value[i]);
                        p.Gradient[i] = T.CreateTruncating(theta - Math.Sin(t + 3 * i) + 0.1 * Math.Cos(7 * t * (i + 1)));
                    }
                }

                Optimizer.Step();
                Schedule.Step();
                if (t >= 6)
                {
                    Averaged.Update();
                }
            }
        }

        public byte[] Save()
        {
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, Optimizer, Parameters, Schedule, Averaged);
            return stream.ToArray();
        }

        public void Load(byte[] data) => Checkpoint.Load(new MemoryStream(data, writable: false), Optimizer, Parameters, Schedule, Averaged);

        /// <summary>Every number of the run, bit for bit: parameters, averages, their count, the optimizer's state, the schedule's rate.</summary>
        public List<string> Snapshot()
        {
            var all = new List<string> { $"n={Averaged.AveragedCount}", $"t={Optimizer.StepCount}", $"lr={Bits(Optimizer.LearningRate)}" };
            foreach (var p in Parameters)
            {
                all.Add($"{p.Name}: {string.Join(",", p.Value.ToArray().Select(Bits))}");
            }

            for (int i = 0; i < Parameters.Length; i++)
            {
                all.Add($"avg {i}: {string.Join(",", Averaged.Average(i).ToArray().Select(Bits))}");
                foreach (var name in Optimizer.StateNames)
                {
                    all.Add($"{name} {i}: {string.Join(",", Optimizer.GetState(name, i).ToArray().Select(Bits))}");
                }
            }

            return all;
        }

        private static Parameter<T> Fill(string name, int length) =>
            new(name, Enumerable.Range(0, length).Select(i => T.CreateTruncating(0.3 * i - 0.4)).ToArray());
    }

    public static TheoryData<double?> Decays => new() { null, 0.9 };

    [Theory]
    [MemberData(nameof(Decays))]
    public void A_run_checkpointed_mid_way_resumes_bit_for_bit(double? decay)
    {
        var uninterrupted = new Run(decay);
        uninterrupted.Steps(1, 25);

        var first = new Run(decay);
        first.Steps(1, 11);   // five updates of the averages so far
        first.Averaged.AveragedCount.Should().Be(5);
        byte[] checkpoint = first.Save();

        var resumed = new Run(decay);
        resumed.Load(checkpoint);
        resumed.Snapshot().Should().Equal(first.Snapshot(), "loading restores every number");
        resumed.Steps(11, 25);

        resumed.Snapshot().Should().Equal(uninterrupted.Snapshot());
        resumed.Averaged.AveragedCount.Should().Be(19);
        resumed.Optimizer.LearningRate.Should().Be(0.01, "SWALR has reached its rate and its position was restored");
    }

    [Fact]
    public void The_file_overloads_resume_too()
    {
        string path = Path.Combine(Path.GetTempPath(), $"averaging-{Guid.NewGuid():N}.ckpt");
        try
        {
            var first = new Run(0.5);
            first.Steps(1, 9);
            Checkpoint.SaveToFile(path, first.Optimizer, first.Parameters, first.Schedule, first.Averaged);

            var resumed = new Run(0.5);
            Checkpoint.LoadFromFile(path, resumed.Optimizer, resumed.Parameters, resumed.Schedule, resumed.Averaged);

            resumed.Snapshot().Should().Equal(first.Snapshot());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_averages_alone_can_be_saved_and_loaded()
    {
        var first = new Run(null);
        first.Steps(1, 9);
        using var stream = new MemoryStream();
        Checkpoint.Save<T>(stream, null, null, null, first.Averaged);

        var other = new Run(null);
        stream.Position = 0;
        Checkpoint.Load<T>(stream, null, null, null, other.Averaged);

        other.Averaged.AveragedCount.Should().Be(3);
        for (int i = 0; i < 2; i++)
        {
            other.Averaged.Average(i).ToArray().Should().Equal(first.Averaged.Average(i).ToArray());
        }
    }

    public static TheoryData<string, string> Mismatches => new()
    {
        { "SWA into EMA", "equal-weight (SWA) averages; these averages are an exponential moving average of decay 0.9" },
        { "EMA into SWA", "an exponential moving average of decay 0.9; these averages are equal-weight (SWA) averages" },
        { "EMA decay", "an exponential moving average of decay 0.9; these averages are an exponential moving average of decay 0.99" },
        { "name", "Averaged parameter 1 is 'b' of length 3 in the checkpoint but 'c' of length 3 here" },
        { "length", "Averaged parameter 1 is 'b' of length 3 in the checkpoint but 'b' of length 4 here" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void A_checkpoint_of_other_averages_is_refused_with_what_differs_and_changes_nothing(string what, string message)
    {
        var saved = new Run(what == "SWA into EMA" ? null : 0.9);
        saved.Steps(1, 9);
        byte[] checkpoint = saved.Save();

        var target = what switch
        {
            "SWA into EMA" => new Run(0.9),
            "EMA into SWA" => new Run(null),
            "EMA decay" => new Run(0.99),
            "name" => new Run(0.9, secondName: "c"),
            _ => new Run(0.9, secondLength: 4),
        };
        target.Steps(1, 8);
        var before = target.Snapshot();

        var act = () => Checkpoint.Load<T>(new MemoryStream(checkpoint), null, null, null, target.Averaged);

        act.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch).WithMessage($"*{message}*");
        target.Snapshot().Should().Equal(before);
    }

    [Fact]
    public void Averages_of_the_other_element_type_are_refused_unless_converted()
    {
        if (typeof(T) == typeof(double))
        {
            OtherElementType<float>();
        }
        else
        {
            OtherElementType<double>();
        }
    }

    [Fact]
    public void A_checkpoint_without_averages_says_so()
    {
        var saved = new Run(null);
        saved.Steps(1, 9);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, saved.Optimizer, saved.Parameters, saved.Schedule);
        var target = new Run(null);
        var before = target.Snapshot();

        var act = () => target.Load(stream.ToArray());

        act.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.MissingSection).WithMessage("*weight averages*'averaging'*");
        target.Snapshot().Should().Equal(before, "the optimizer, parameters and schedule are not restored either");
    }

    [Fact]
    public void A_checkpoint_with_averages_still_loads_through_the_other_overloads()
    {
        var saved = new Run(0.9);
        saved.Steps(1, 9);
        var target = new Run(0.9);

        Checkpoint.Load(new MemoryStream(saved.Save()), target.Optimizer, target.Parameters, target.Schedule);

        target.Optimizer.StepCount.Should().Be(8);
        target.Averaged.AveragedCount.Should().Be(0, "the averages were not asked for");
    }

    [Fact]
    public void Swapped_averages_are_neither_saved_nor_loaded()
    {
        var run = new Run(null);
        run.Steps(1, 9);
        byte[] checkpoint = run.Save();
        run.Averaged.Swap();
        var before = run.Snapshot();

        var save = () => Checkpoint.Save<T>(new MemoryStream(), null, null, null, run.Averaged);
        var load = () => Checkpoint.Load<T>(new MemoryStream(checkpoint), null, null, null, run.Averaged);

        save.Should().Throw<ArgumentException>().WithParameterName("averaged").WithMessage("*swapped*Swap()*");
        load.Should().Throw<ArgumentException>().WithParameterName("averaged").WithMessage("*swapped*Swap()*");
        run.Snapshot().Should().Equal(before);
    }

    public static TheoryData<string, int, byte[], string> MalformedFields => new()
    {
        // offset into the section body (0 element size, 1 mode, 2 decay, 10 count, 18 parameter count, 22 the first name "w",
        // 27 its length), bytes written there, what the message says
        { "element size 3", 0, [3], "*Unknown element size 3*" },
        { "mode 2", 1, [2], "*Unknown averaging mode 2*" },
        { "EMA decay NaN", 2, BitConverter.GetBytes(double.NaN), "*EMA decay of NaN*" },
        { "EMA decay 1.5", 2, BitConverter.GetBytes(1.5), "*EMA decay of 1.5*outside [0, 1]*" },
        { "EMA decay −0.25", 2, BitConverter.GetBytes(-0.25), "*outside [0, 1]*" },
        { "negative count", 10, BitConverter.GetBytes(-3L), "*-3 updates*never negative*" },
        { "count 2^63 − 1", 10, BitConverter.GetBytes(long.MaxValue), "*next update could not be counted*" },
        { "parameter count 2^31 − 1", 18, BitConverter.GetBytes(int.MaxValue), "*" },
        { "negative length", 27, BitConverter.GetBytes(-1), "*" },
        { "length past the end", 27, BitConverter.GetBytes(1000), "*" },
    };

    [Theory]
    [MemberData(nameof(MalformedFields))]
    public void A_malformed_section_is_refused_and_changes_nothing(string what, int offset, byte[] bytes, string message)
    {
        var (checkpoint, body) = AveragesOnly(decay: 0.9);
        bytes.CopyTo(checkpoint, body + offset);
        Resign(checkpoint);
        var target = new Run(0.9);
        target.Steps(1, 8);
        var before = target.Snapshot();

        var act = () => Checkpoint.Load<T>(new MemoryStream(checkpoint), null, null, null, target.Averaged);

        act.Should().Throw<CheckpointException>(what).WithMessage(message);
        target.Snapshot().Should().Equal(before, what);
    }

    [Fact]
    public void An_equal_weight_section_with_a_decay_is_malformed()
    {
        var (checkpoint, body) = AveragesOnly(decay: null);
        BitConverter.GetBytes(0.5).CopyTo(checkpoint, body + 2);
        Resign(checkpoint);
        var target = new Run(null);

        var act = () => Checkpoint.Load<T>(new MemoryStream(checkpoint), null, null, null, target.Averaged);

        act.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Malformed).WithMessage("*SWA*decay of 0.5*");
    }

    /// <summary>
    /// Fuzz: 1–3 random bytes of the section changed (and the checksum recomputed, so the parser is reached), and every
    /// truncation of the body: each load either succeeds (the averages then update) or throws
    /// <see cref="CheckpointException"/> and changes nothing; never another exception.
    /// </summary>
    [Fact]
    public void Hostile_sections_throw_only_checkpoint_exceptions_and_change_nothing()
    {
        var (original, body) = AveragesOnly(decay: 0.9);
        var random = new Random(2024);
        int loaded = 0, refused = 0;
        var cases = new List<byte[]>();
        for (int c = 0; c < 1500; c++)
        {
            var data = (byte[])original.Clone();
            int changes = random.Next(1, 4);
            for (int k = 0; k < changes; k++)
            {
                int at = random.Next(body, original.Length - HashLength);
                data[at] = random.Next(3) == 0 ? (byte)(data[at] ^ (1 << random.Next(8))) : (byte)random.Next(256);
            }

            cases.Add(Resign(data));
        }

        for (int cut = body; cut < original.Length - HashLength; cut += 3)
        {
            // The section declares fewer bytes than it held: the body ends early.
            var data = original[..(cut + HashLength)];
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(12), cut - HeaderLength);
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(body - 8), cut - body);
            cases.Add(Resign(data));
        }

        foreach (var data in cases)
        {
            var target = new Run(0.9);
            target.Steps(1, 8);
            var before = target.Snapshot();
            try
            {
                Checkpoint.Load<T>(new MemoryStream(data), null, null, null, target.Averaged);
                loaded++;
                target.Averaged.Update();
            }
            catch (CheckpointException)
            {
                refused++;
                target.Snapshot().Should().Equal(before);
            }
        }

        refused.Should().BeGreaterThan(cases.Count / 4, "most mutations break the structure");
        loaded.Should().BeGreaterThan(0, "changes inside the averages' values load");
    }

    private static void OtherElementType<TOther>()
        where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        var saved = new Run(null);
        saved.Steps(1, 9);
        byte[] checkpoint = saved.Save();
        var p = new Parameter<TOther>[] { new("w", new TOther[6]), new("b", new TOther[3]) };
        var other = new AveragedParameters<TOther>(p);

        var act = () => Checkpoint.Load<TOther>(new MemoryStream(checkpoint), null, null, null, other);

        act.Should().Throw<CheckpointException>()
            .WithMessage($"*holds {ElementTypes.NameOf<T>()} averages; these averages are {ElementTypes.NameOf<TOther>()}*");
        other.AveragedCount.Should().Be(0);

        Checkpoint.Load<TOther>(new MemoryStream(checkpoint), ElementConversion.RoundToNearest, null, null, null, other);
        other.AveragedCount.Should().Be(3);
        other.Average(1).ToArray().Select(x => double.CreateTruncating(x))
            .Should().Equal(saved.Averaged.Average(1).ToArray().Select(x => double.CreateTruncating(TOther.CreateTruncating(x))));
    }

    /// <summary>A checkpoint holding only the averaging section of a run with two updates, and where its body starts.</summary>
    private static (byte[] Data, int Body) AveragesOnly(double? decay)
    {
        var run = new Run(decay);
        run.Steps(1, 8);
        using var stream = new MemoryStream();
        Checkpoint.Save<T>(stream, null, null, null, run.Averaged);
        // header, int32 section count, the name "averaging" (int32 length + 9 bytes), int64 body length
        return (stream.ToArray(), HeaderLength + 4 + 4 + "averaging".Length + 8);
    }

    private static byte[] Resign(byte[] data)
    {
        long length = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(12));
        SHA256.HashData(data.AsSpan(0, HeaderLength + (int)length), data.AsSpan(HeaderLength + (int)length, HashLength));
        return data;
    }

    /// <summary>The exact bits of a T or double value (every float is exactly a double).</summary>
    private static string Bits<TValue>(TValue value)
        where TValue : unmanaged, IFloatingPointIeee754<TValue>
        => BitConverter.DoubleToInt64Bits(double.CreateTruncating(value)).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class AveragingCheckpointTests_Double : AveragingCheckpointTests<double>;

public sealed class AveragingCheckpointTests_Single : AveragingCheckpointTests<float>;
