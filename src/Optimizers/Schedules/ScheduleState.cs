using Optimizers.Checkpoints;

namespace Optimizers.Schedules;

/// <summary>
/// A schedule's complete position, as the "schedule" section of a checkpoint holds it: its type and configuration
/// (checked on loading), its epoch, base and current learning rates per target, its own variables, and the states
/// of the schedules it chains. Values are copies; capturing and restoring share no arrays with the schedule.
/// </summary>
internal sealed class ScheduleState
{
    /// <summary>The schedule's class name, which is torch's ("StepLR"); version-1 checkpoints held the .NET full name
    /// ("Optimizers.Schedules.StepLR"), which the reader shortens.</summary>
    public required string TypeName { get; init; }

    /// <summary>The constructor arguments, by torch's names (milestones as "milestones[i]", enums and flags as numbers).</summary>
    public required KeyValuePair<string, double>[] Configuration { get; init; }

    /// <summary>torch's <c>last_epoch</c>; −1 for a chained schedule that has not started.</summary>
    public required int Epoch { get; init; }

    /// <summary>η₀ per target (empty for <see cref="ReduceLROnPlateau"/>, which has none).</summary>
    public required double[] BaseLearningRates { get; init; }

    /// <summary>The learning rate the schedule set last, per target.</summary>
    public required double[] CurrentLearningRates { get; init; }

    /// <summary>The schedule's own counters and values (for example T_cur and T_i, or best and num_bad_epochs).</summary>
    public required KeyValuePair<string, double>[] Variables { get; init; }

    /// <summary>The chained schedules' states (<see cref="SequentialLR"/>); empty otherwise.</summary>
    public required ScheduleState[] Children { get; init; }

    /// <summary>
    /// Throws <see cref="CheckpointError.Mismatch"/> unless this saved state was made by a schedule of the same type
    /// and configuration over as many targets as <paramref name="live"/> (the state the schedule being loaded into
    /// captures now), and <see cref="CheckpointError.Malformed"/> if its names or values break the format's rules.
    /// Children are not compared; each schedule validates its own.
    /// </summary>
    public void ValidateShape(ScheduleState live, string where)
    {
        if (TypeName != live.TypeName)
        {
            throw Mismatch($"{where}the checkpoint holds the position of a {TypeName}; this schedule is a {live.TypeName}.");
        }

        if (!Configuration.Select(c => c.Key).SequenceEqual(live.Configuration.Select(c => c.Key), StringComparer.Ordinal))
        {
            throw Mismatch($"{where}the checkpoint's {TypeName} was configured with ({string.Join(", ", Configuration.Select(c => c.Key))}); " +
                           $"this one with ({string.Join(", ", live.Configuration.Select(c => c.Key))}).");
        }

        for (int i = 0; i < Configuration.Length; i++)
        {
            double saved = Configuration[i].Value;
            double current = live.Configuration[i].Value;
            if (BitConverter.DoubleToInt64Bits(saved) != BitConverter.DoubleToInt64Bits(current))
            {
                throw Mismatch($"{where}{TypeName} setting '{Configuration[i].Key}' is {saved:R} in the checkpoint but {current:R} in this schedule.");
            }
        }

        if (CurrentLearningRates.Length != live.CurrentLearningRates.Length)
        {
            throw Mismatch($"{where}the checkpoint's {TypeName} drives {CurrentLearningRates.Length} parameter group(s); " +
                           $"this one drives {live.CurrentLearningRates.Length}.");
        }

        if (BaseLearningRates.Length != live.BaseLearningRates.Length)
        {
            throw PayloadReader.Malformed($"{where}{TypeName} has {BaseLearningRates.Length} base learning rates; it keeps {live.BaseLearningRates.Length}.");
        }

        if (!Variables.Select(v => v.Key).SequenceEqual(live.Variables.Select(v => v.Key), StringComparer.Ordinal))
        {
            throw PayloadReader.Malformed($"{where}{TypeName} holds the variables ({string.Join(", ", Variables.Select(v => v.Key))}); " +
                                          $"it keeps ({string.Join(", ", live.Variables.Select(v => v.Key))}).");
        }

        if (Children.Length != live.Children.Length)
        {
            throw Mismatch($"{where}the checkpoint's {TypeName} chains {Children.Length} schedules; this one chains {live.Children.Length}.");
        }

        if (Epoch < -1)
        {
            throw PayloadReader.Malformed($"{where}{TypeName} is at epoch {Epoch}; an epoch is ≥ −1.");
        }

        if (Epoch == int.MaxValue)
        {
            // The next step would overflow the epoch counter.
            throw PayloadReader.Malformed($"{where}{TypeName} is at epoch {Epoch}, the largest int32; no further epoch could be counted.");
        }

        foreach (double rate in BaseLearningRates.Concat(CurrentLearningRates))
        {
            if (!double.IsFinite(rate) || rate < 0)
            {
                throw PayloadReader.Malformed($"{where}{TypeName} holds the learning rate {rate:R}; a learning rate is finite and ≥ 0.");
            }
        }
    }

    /// <summary>The variable <paramref name="name"/> as an integer in [<paramref name="min"/>, <paramref name="max"/>], or <see cref="CheckpointError.Malformed"/>.</summary>
    public int Counter(string name, int min, int max)
    {
        double value = Variable(name);
        if (!(value >= min && value <= max && Math.Floor(value) == value))
        {
            throw PayloadReader.Malformed($"{TypeName} variable '{name}' is {value:R}; it must be a whole number in [{min}, {max}].");
        }

        return (int)value;
    }

    /// <summary>The variable <paramref name="name"/> (present after <see cref="ValidateShape"/>).</summary>
    public double Variable(string name) => Variables.First(v => v.Key == name).Value;

    /// <summary>The configuration of a schedule as named values.</summary>
    public static KeyValuePair<string, double>[] Settings(params (string Name, double Value)[] settings)
        => settings.Select(s => new KeyValuePair<string, double>(s.Name, s.Value)).ToArray();

    /// <summary>A list setting as "name[0]", "name[1]", ….</summary>
    public static IEnumerable<(string Name, double Value)> Indexed(string name, IEnumerable<double> values)
        => values.Select((v, i) => ($"{name}[{i}]", v));

    private static CheckpointException Mismatch(string message) => new(CheckpointError.Mismatch, message);
}
