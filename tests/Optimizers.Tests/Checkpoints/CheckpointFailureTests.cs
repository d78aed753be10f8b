using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Optimizers.Checkpoints;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// A checkpoint that does not fit or cannot be read fails with <see cref="CheckpointException"/> and leaves the
/// optimizer and the parameters exactly as they were (snapshot before, compare after).
/// </summary>
public sealed class CheckpointFailureTests
{
    /// <summary>A Momentum run over "w" (13) and "b" (3) after three steps: optimizer and parameter values.</summary>
    private static byte[] MomentumCheckpoint(bool optimizer = true, bool parameters = true)
    {
        var source = Trajectory.Parameters(seed: 1);
        var momentum = new Momentum(source, 0.05);
        Trajectory.Run(momentum, source, 1, 3);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer ? momentum : null, parameters ? source : null);
        return stream.ToArray();
    }

    public static TheoryData<string> MismatchCases() => new(
        "other optimizer type", "other type with the same hyperparameter names", "other parameter count",
        "other parameter length", "other parameter name", "other parameter order", "other hyperparameter value",
        "other flag", "groups instead of a single optimizer", "other parameter values count");

    [Theory]
    [MemberData(nameof(MismatchCases))]
    public void A_checkpoint_for_something_else_fails_with_Mismatch_and_changes_nothing(string @case)
    {
        var parameters = @case switch
        {
            "other parameter count" => [new Parameter("w", new double[13])],
            "other parameter length" => [new Parameter("w", new double[14]), new Parameter("b", new double[3])],
            "other parameter name" => [new Parameter("weights", new double[13]), new Parameter("b", new double[3])],
            "other parameter order" => Trajectory.FreshParameters().Reverse().ToArray(),
            "other parameter values count" => [new Parameter("w", new double[13])],
            _ => Trajectory.FreshParameters(),
        };
        IOptimizer? optimizer = @case switch
        {
            "other optimizer type" => new GradientDescent(parameters, 0.05),
            "other type with the same hyperparameter names" => null, // set below with its own checkpoint
            "other hyperparameter value" => new Momentum(parameters, 0.05, momentum: 0.8),
            "other flag" => new Momentum(parameters, 0.05, nesterov: true),
            "groups instead of a single optimizer" => new ParameterGroups(new Momentum([parameters[0]], 0.05), new Momentum([parameters[1]], 0.05)),
            "other parameter values count" => null,
            _ => new Momentum(parameters, 0.05),
        };
        byte[] bytes = MomentumCheckpoint();
        if (@case == "other type with the same hyperparameter names")
        {
            // Adam and AdamW record the same hyperparameter and state names: only the type tells them apart.
            var source = Trajectory.Parameters(seed: 1);
            var adam = new Adam(source, 0.01, weightDecay: 0.01);
            Trajectory.Run(adam, source, 1, 2);
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, adam, source);
            bytes = stream.ToArray();
            optimizer = new AdamW(parameters, 0.01, weightDecay: 0.01);
        }

        ExpectFailure(bytes, optimizer, parameters, CheckpointError.Mismatch);
    }

    [Fact]
    public void A_missing_section_fails_with_MissingSection_and_changes_nothing()
    {
        var parameters = Trajectory.FreshParameters();
        ExpectFailure(MomentumCheckpoint(optimizer: false), new Momentum(parameters, 0.05), null, CheckpointError.MissingSection);
        ExpectFailure(MomentumCheckpoint(parameters: false), null, parameters, CheckpointError.MissingSection);

        // Asked for both, one is there: neither is restored.
        ExpectFailure(MomentumCheckpoint(parameters: false), new Momentum(parameters, 0.05), parameters, CheckpointError.MissingSection);
    }

    [Fact]
    public void A_fitting_optimizer_with_unfitting_parameters_restores_neither()
    {
        var parameters = Trajectory.FreshParameters();
        var others = new[] { new Parameter("w", new double[13]), new Parameter("b", new double[4]) };
        ExpectFailure(MomentumCheckpoint(), new Momentum(parameters, 0.05), others, CheckpointError.Mismatch);
    }

    [Fact]
    public void Truncation_at_every_length_fails_with_Truncated_and_changes_nothing()
    {
        byte[] bytes = MomentumCheckpoint();
        for (int length = 0; length < bytes.Length; length++)
        {
            ExpectFailure(bytes[..length], CheckpointError.Truncated);
        }

        // The same through a stream that cannot seek (the length is then discovered by reading).
        foreach (int length in new[] { 0, 7, 19, 20, 100, bytes.Length - 33, bytes.Length - 1 })
        {
            ExpectFailure(bytes[..length], CheckpointError.Truncated, seekable: false);
        }
    }

    [Fact]
    public void Every_single_bit_flip_is_detected_and_changes_nothing()
    {
        byte[] bytes = SmallCheckpoint();
        var (target, parameters) = SmallTarget();
        var before = StateSnapshot.Of(target, parameters);
        int failures = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] mutated = (byte[])bytes.Clone();
                mutated[i] ^= (byte)(1 << bit);
                var load = () => Checkpoint.Load(new MemoryStream(mutated), target, parameters);
                load.Should().Throw<CheckpointException>($"bit {bit} of byte {i} was flipped")
                    .Which.Error.Should().BeOneOf(CheckpointError.NotACheckpoint, CheckpointError.UnsupportedVersion,
                                                  CheckpointError.Truncated, CheckpointError.Corrupted);
                failures++;
            }
        }

        failures.Should().Be(8 * bytes.Length);
        StateSnapshot.Of(target, parameters).Should().Equal(before);
    }

    [Fact]
    public void An_unknown_version_fails_with_UnsupportedVersion_even_with_a_valid_checksum()
    {
        byte[] bytes = MomentumCheckpoint();
        foreach (uint version in new uint[] { 0, CheckpointFormat.Version + 1, uint.MaxValue })
        {
            byte[] mutated = (byte[])bytes.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(mutated.AsSpan(8), version);
            ExpectFailure(mutated, CheckpointError.UnsupportedVersion);
            ExpectFailure(Rehash(mutated), CheckpointError.UnsupportedVersion);
        }
    }

    [Fact]
    public void Bytes_that_are_not_a_checkpoint_fail_with_NotACheckpoint()
    {
        ExpectFailure(Encoding.UTF8.GetBytes("{\"optimizer\": \"Momentum\"}"), CheckpointError.NotACheckpoint);
        ExpectFailure(new byte[100], CheckpointError.NotACheckpoint);
    }

    [Fact]
    public void An_impossible_payload_length_fails_without_allocating_it()
    {
        byte[] bytes = MomentumCheckpoint();
        foreach (long length in new[] { -1L, 0, long.MaxValue, (long)Array.MaxLength + 1 })
        {
            byte[] mutated = (byte[])bytes.Clone();
            BinaryPrimitives.WriteInt64LittleEndian(mutated.AsSpan(12), length);
            ExpectFailure(mutated, CheckpointError.Corrupted);
        }

        // Plausible but longer than the data: the reader stops at the end of the data, seekable or not.
        byte[] longer = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(longer.AsSpan(12), Array.MaxLength);
        ExpectFailure(longer, CheckpointError.Truncated);
        ExpectFailure(longer, CheckpointError.Truncated, seekable: false);
    }

    [Fact]
    public void Hand_made_content_with_a_valid_checksum_fails_with_Malformed_and_changes_nothing()
    {
        byte[] bytes = SmallCheckpoint();
        var at = Offsets(bytes);

        byte[] nanRate = (byte[])bytes.Clone();
        BinaryPrimitives.WriteDoubleLittleEndian(nanRate.AsSpan(at.LearningRate), double.NaN);
        ExpectSmallFailure(Rehash(nanRate), CheckpointError.Malformed);

        byte[] negativeRate = (byte[])bytes.Clone();
        BinaryPrimitives.WriteDoubleLittleEndian(negativeRate.AsSpan(at.LearningRate), -0.5);
        ExpectSmallFailure(Rehash(negativeRate), CheckpointError.Malformed);

        byte[] negativeSteps = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(negativeSteps.AsSpan(at.StepCount), -1);
        ExpectSmallFailure(Rehash(negativeSteps), CheckpointError.Malformed);

        byte[] exhaustedSteps = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(exhaustedSteps.AsSpan(at.StepCount), long.MaxValue);
        ExpectSmallFailure(Rehash(exhaustedSteps), CheckpointError.Malformed);

        byte[] layout = (byte[])bytes.Clone();
        layout[at.Layout] = 7;
        ExpectSmallFailure(Rehash(layout), CheckpointError.Malformed);

        byte[] elementSize = (byte[])bytes.Clone();
        elementSize[at.Layout + 1] = 2;
        ExpectSmallFailure(Rehash(elementSize), CheckpointError.Malformed);

        byte[] groupCount = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(groupCount.AsSpan(at.Layout + 2), int.MaxValue);
        ExpectSmallFailure(Rehash(groupCount), CheckpointError.Malformed);

        byte[] hyperparameterCount = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hyperparameterCount.AsSpan(at.StepCount + 16), int.MaxValue);
        ExpectSmallFailure(Rehash(hyperparameterCount), CheckpointError.Malformed);

        byte[] sectionCount = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(sectionCount.AsSpan(20), 3);
        ExpectSmallFailure(Rehash(sectionCount), CheckpointError.Malformed);

        byte[] invalidUtf8 = (byte[])bytes.Clone();
        invalidUtf8[28] = 0xFF; // first byte of the name "optimizer"
        ExpectSmallFailure(Rehash(invalidUtf8), CheckpointError.Malformed);
    }

    [Fact]
    public void A_flag_or_hyperparameter_stored_as_negative_zero_is_a_Mismatch()
    {
        // The format says a flag is 0 or 1, and hyperparameters are compared bit for bit: −0 is neither 0 nor 1, and a
        // weight decay of −0 can round a sum differently from 0 (g + (−0)·θ keeps a −0 gradient, g + 0·θ does not).
        byte[] bytes = SmallCheckpoint();
        foreach (string name in new[] { "nesterov", "weight_decay", "maximize" })
        {
            byte[] negativeZero = (byte[])bytes.Clone();
            int value = IndexOf(negativeZero, Prefixed(name)) + 4 + name.Length;
            BinaryPrimitives.ReadDoubleLittleEndian(negativeZero.AsSpan(value)).Should().Be(0);
            BinaryPrimitives.WriteDoubleLittleEndian(negativeZero.AsSpan(value), -0.0);
            var (target, parameters) = SmallTarget();
            var before = StateSnapshot.Of(target, parameters);
            var load = () => Checkpoint.Load(new MemoryStream(Rehash(negativeZero)), target, parameters);
            load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch)
                .WithMessage($"*hyperparameter '{name}' is -0 in the checkpoint but 0 in this optimizer*");
            StateSnapshot.Of(target, parameters).Should().Equal(before);
        }
    }

    [Fact]
    public void A_shared_initial_learning_rate_that_is_not_a_learning_rate_is_Malformed()
    {
        var parameters = new[] { new Parameter("p", [1.0, -2.0]) };
        var momentum = new Momentum(parameters, 0.1);
        _ = new Optimizers.Schedules.StepLR(momentum, stepSize: 2);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, momentum, parameters);
        byte[] bytes = stream.ToArray();
        int value = IndexOf(bytes, Prefixed("initial_lr")) + 4 + "initial_lr".Length;
        BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(value)).Should().Be(0.1);

        foreach (double bad in new[] { -0.1, double.NaN, double.PositiveInfinity })
        {
            byte[] mutated = (byte[])bytes.Clone();
            BinaryPrimitives.WriteDoubleLittleEndian(mutated.AsSpan(value), bad);
            ExpectSmallFailure(Rehash(mutated), CheckpointError.Malformed);
        }
    }

    [Fact]
    public void Loading_into_one_group_of_a_ParameterGroups_is_an_ArgumentException_and_changes_nothing()
    {
        // Restoring one group alone would give it another step count than the others' (stepping a group alone throws
        // for the same reason); a checkpoint of the same shape as the group makes the point: only the argument is wrong.
        var parameters = Trajectory.FreshParameters();
        var groups = new ParameterGroups(new Momentum([parameters[0]], 0.05), new Momentum([parameters[1]], 0.05));
        Trajectory.Run(groups, parameters, 1, 2);
        var source = Trajectory.Parameters(seed: 1);
        var single = new Momentum([source[0]], 0.05);
        Trajectory.Run(single, [source[0]], 1, 3);
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, single, [source[0]]);

        var before = StateSnapshot.Of(groups, parameters);
        stream.Position = 0;
        var load = () => Checkpoint.Load(stream, groups.Groups[0], [parameters[0]]);
        load.Should().Throw<ArgumentException>().WithParameterName("optimizer")
            .WithMessage("This Momentum is a group of a ParameterGroups*Load the ParameterGroups*");
        stream.Position.Should().Be(0, "nothing was read");
        StateSnapshot.Of(groups, parameters).Should().Equal(before);

        // Saving one group is harmless (it reads only) and gives a checkpoint of a single optimizer.
        using var groupCheckpoint = new MemoryStream();
        Checkpoint.Save(groupCheckpoint, groups.Groups[0]);
        var standalone = new Momentum([new Parameter("w", new double[13])], 0.05);
        groupCheckpoint.Position = 0;
        Checkpoint.Load(groupCheckpoint, standalone);
        standalone.StepCount.Should().Be(2);
    }

    [Fact]
    public void A_version_1_rule_name_outside_the_librarys_namespace_matches_nothing()
    {
        // Version 1 named the rule "Optimizers.Momentum"; only that namespace is shortened, so "Other.Momentum" stays
        // what it is and is a Mismatch, not a Momentum.
        byte[] v1 = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Checkpoints", "Version1", "momentum-sequential.v1.ckpt"));
        int at = IndexOf(v1, Prefixed("Optimizers.Momentum"));
        at.Should().BePositive();
        byte[] renamed = (byte[])v1.Clone();
        renamed[at + 4 + 9] = (byte)'z';   // "Optimizerz.Momentum"
        var parameters = Trajectory.FreshParameters();
        var momentum = new Momentum(parameters, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01);
        var load = () => Checkpoint.Load(new MemoryStream(Rehash(renamed)), momentum);
        load.Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch)
            .WithMessage("*holds the state of Optimizerz.Momentum; this optimizer is Momentum*");
    }

    [Fact]
    public void Unknown_sections_are_skipped_so_later_versions_can_add_sections()
    {
        // Rename the "parameters" section to "parameterz": a reader that does not know it ignores it.
        byte[] bytes = MomentumCheckpoint();
        int at = IndexOf(bytes, "parameters"u8.ToArray());
        bytes[at + 9] = (byte)'z';
        bytes = Rehash(bytes);

        var parameters = Trajectory.FreshParameters();
        var optimizer = new Momentum(parameters, 0.05);
        Checkpoint.Load(new MemoryStream(bytes), optimizer);
        optimizer.StepCount.Should().Be(3);
        ExpectFailure(bytes, null, parameters, CheckpointError.MissingSection);
    }

    [Fact]
    public void Bad_arguments_throw_ArgumentException()
    {
        var parameters = Trajectory.FreshParameters();
        var optimizer = new Momentum(parameters, 0.05);
        using var stream = new MemoryStream();

        FluentActions.Invoking(() => Checkpoint.Save(null!, optimizer)).Should().Throw<ArgumentNullException>().WithParameterName("destination");
        FluentActions.Invoking(() => Checkpoint.Load(null!, optimizer)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        FluentActions.Invoking(() => Checkpoint.Save(stream)).Should().Throw<ArgumentException>().WithParameterName("optimizer");
        FluentActions.Invoking(() => Checkpoint.Save(new MemoryStream([], writable: false), optimizer))
            .Should().Throw<ArgumentException>().WithParameterName("destination");
        FluentActions.Invoking(() => Checkpoint.Save(stream, new ForeignOptimizer()))
            .Should().Throw<ArgumentException>().WithParameterName("optimizer");
        FluentActions.Invoking(() => Checkpoint.Save(stream, parameters: [parameters[0], parameters[0]]))
            .Should().Throw<ArgumentException>().WithParameterName("parameters");
        stream.Length.Should().Be(0, "nothing is written when the arguments are bad");
    }

    private static byte[] SmallCheckpoint()
    {
        var parameters = new[] { new Parameter("p", [1.0, -2.0]) };
        var momentum = new Momentum(parameters, 0.1);
        parameters[0].Gradient[0] = 0.5;
        parameters[0].Gradient[1] = -1;
        momentum.Step();
        momentum.Step();
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, momentum, parameters);
        return stream.ToArray();
    }

    private static (Momentum Target, Parameter[] Parameters) SmallTarget()
    {
        var parameters = new[] { new Parameter("p", [3.0, 4.0]) };
        var target = new Momentum(parameters, 0.1);
        parameters[0].Gradient[0] = 0.25;
        target.Step();
        return (target, parameters);
    }

    private static void ExpectSmallFailure(byte[] bytes, CheckpointError error)
    {
        var (target, parameters) = SmallTarget();
        ExpectFailure(bytes, target, parameters, error);
    }

    /// <summary>The offset of group 0's learning rate in a single-optimizer checkpoint of <paramref name="type"/> (docs/checkpoint-format.md).</summary>
    /// <summary>Where fields of the (version 2) optimizer section of <see cref="SmallCheckpoint"/> start: the layout byte
    /// (then the element size and the group count), group 0's step count, and its saved learning rate ("lr").</summary>
    private static (int Layout, int StepCount, int LearningRate) Offsets(byte[] bytes)
    {
        int layout = 20 + 4 + (4 + "optimizer".Length) + 8;
        int stepCount = layout + 1 + 1 + 4 + (4 + "Momentum".Length);
        int learningRate = IndexOf(bytes, [2, 0, 0, 0, (byte)'l', (byte)'r']) + 6;
        return (layout, stepCount, learningRate);
    }

    private static void ExpectFailure(byte[] bytes, CheckpointError error, bool seekable = true)
    {
        var parameters = Trajectory.FreshParameters();
        var optimizer = new Momentum(parameters, 0.05);
        Trajectory.Run(optimizer, parameters, 1, 2);
        ExpectFailure(bytes, optimizer, parameters, error, seekable);
    }

    private static void ExpectFailure(byte[] bytes, IOptimizer? optimizer, Parameter[]? parameters, CheckpointError error, bool seekable = true)
    {
        var all = ((optimizer as IOptimizer<double>)?.Parameters ?? []).Concat(parameters ?? []).Distinct().ToArray();
        foreach (var p in all)
        {
            for (int i = 0; i < p.Length; i++)
            {
                p.Gradient[i] = 0.125 * (i + 1);
            }
        }

        var before = StateSnapshot.Of(optimizer, all);
        Stream stream = seekable ? new MemoryStream(bytes) : new NonSeekableStream(bytes);

        var load = () => Checkpoint.Load(stream, optimizer, parameters);

        load.Should().Throw<CheckpointException>().Which.Error.Should().Be(error);
        StateSnapshot.Of(optimizer, all).Should().Equal(before);
    }

    private static byte[] Rehash(byte[] bytes)
    {
        byte[] copy = (byte[])bytes.Clone();
        SHA256.HashData(copy.AsSpan(0, copy.Length - 32), copy.AsSpan(copy.Length - 32));
        return copy;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    /// <summary>A name as the format stores it: its int32 byte count, then its UTF-8 bytes.</summary>
    private static byte[] Prefixed(string name)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        byte[] prefixed = new byte[4 + utf8.Length];
        BinaryPrimitives.WriteInt32LittleEndian(prefixed, utf8.Length);
        utf8.CopyTo(prefixed, 4);
        return prefixed;
    }

    private sealed class ForeignOptimizer : IOptimizer
    {
        public IReadOnlyList<Parameter> Parameters { get; } = [new Parameter("x", new double[1])];

        public double LearningRate { get; set; }

        public void Step()
        {
        }

        public void ZeroGrad()
        {
        }
    }
}
