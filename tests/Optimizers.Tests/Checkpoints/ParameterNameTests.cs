using MathNet.Numerics.LinearAlgebra;
using Optimizers.Checkpoints;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// A parameter's name goes into checkpoints as UTF-8 of at most 4,096 bytes, so the constructors refuse a name that
/// could not come back identical: a lone surrogate (UTF-8 has no form for it; a lenient encoder would write U+FFFD and
/// the checkpoint would then never match the parameter again) or more than 4,096 bytes. Everything else round-trips.
/// </summary>
public sealed class ParameterNameTests
{
    // The names are built in the test, not passed as theory data: xUnit serialises theory arguments as UTF-8, which
    // would turn every lone surrogate into U+FFFD before the test saw it.
    private static readonly Dictionary<string, string> UnstorableNames = new()
    {
        ["a lone high surrogate"] = "w\uD83D",
        ["a lone low surrogate"] = "\uDE00b",
        ["a reversed pair"] = "x\uDE00\uD83Dy",
        ["a high surrogate before a non-surrogate"] = "\uD83Dz",
        ["4,097 ASCII bytes"] = new string('a', 4097),
        ["4,098 bytes of three-byte characters"] = new string('€', 1366),
        ["4,100 bytes of surrogate pairs"] = string.Concat(Enumerable.Repeat("😀", 1025)),
    };

    public static TheoryData<string> Unstorable() => new(UnstorableNames.Keys);

    [Theory]
    [MemberData(nameof(Unstorable))]
    public void A_name_a_checkpoint_could_not_store_is_an_ArgumentException_naming_name(string what)
    {
        string name = UnstorableNames[what];
        string message = what.Contains("bytes", StringComparison.Ordinal)
            ? "The parameter name is * bytes long in UTF-8; checkpoints hold names of up to 4096 bytes.*"
            : "The parameter name holds a lone surrogate*no UTF-8 form*";
        FluentActions.Invoking(() => new Parameter(name, new double[2])).Should().Throw<ArgumentException>(what)
            .WithParameterName("name").WithMessage(message);
        FluentActions.Invoking(() => new Parameter(name, Vector<double>.Build.Dense(2))).Should().Throw<ArgumentException>(what)
            .WithParameterName("name");
        FluentActions.Invoking(() => new Parameter<float>(name, new float[2])).Should().Throw<ArgumentException>(what)
            .WithParameterName("name");
    }

    private static readonly Dictionary<string, string> StorableNames = new()
    {
        ["4,096 ASCII bytes"] = new string('a', 4096),
        ["4,095 bytes of three-byte characters and one ASCII"] = new string('€', 1365) + "a",
        ["4,096 bytes of surrogate pairs"] = string.Concat(Enumerable.Repeat("😀", 1024)),
        ["mixed scripts and a pair at the end"] = "Gewicht·θ_ℓ1 層😀",
    };

    public static TheoryData<string> Storable() => new(StorableNames.Keys);

    [Theory]
    [MemberData(nameof(Storable))]
    public void Every_other_name_round_trips_through_a_checkpoint(string what)
    {
        string name = StorableNames[what];
        var source = new[] { new Parameter(name, [1.5, -2.5]) };
        var optimizer = new Momentum(source, 0.1);
        source[0].Gradient[0] = 1;
        optimizer.Step();
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, optimizer, source);

        var target = new[] { new Parameter(name, new double[2]) };
        var restored = new Momentum(target, 0.1);
        stream.Position = 0;
        Checkpoint.Load(stream, restored, target);
        StateSnapshot.Of(restored, target).Where(l => !l.Contains(".gradient", StringComparison.Ordinal))
            .Should().Equal(StateSnapshot.Of(optimizer, source).Where(l => !l.Contains(".gradient", StringComparison.Ordinal)), what);

        // The stored name is the name: one character less does not match.
        var other = new[] { new Parameter("b" + name[(char.IsHighSurrogate(name[0]) ? 2 : 1)..], new double[2]) };
        stream.Position = 0;
        FluentActions.Invoking(() => Checkpoint.Load(stream, parameters: other))
            .Should().Throw<CheckpointException>().Where(e => e.Error == CheckpointError.Mismatch, what);
    }

    [Fact]
    public void A_rule_that_records_a_name_UTF8_cannot_hold_cannot_be_saved_and_nothing_is_written()
    {
        // Parameter names are checked when built; a rule's own names are the rule author's, and the writer refuses a
        // lone surrogate instead of storing U+FFFD (which would never match again).
        var rule = new OddlyNamedRule([new Parameter("p", [1.0])]);
        using var stream = new MemoryStream();
        FluentActions.Invoking(() => Checkpoint.Save(stream, rule)).Should().Throw<ArgumentException>();
        stream.Length.Should().Be(0);
    }

    private sealed class OddlyNamedRule : Optimizer<double>
    {
        public OddlyNamedRule(IEnumerable<Parameter<double>> parameters)
            : base(parameters, 0.1)
            => RecordHyperparameter("beta\uD835", 0.5);

        protected override void UpdateParameter(int index, Span<double> value, ReadOnlySpan<double> gradient, long step)
        {
            for (int i = 0; i < value.Length; i++)
            {
                value[i] -= LearningRate * gradient[i];
            }
        }
    }
}
