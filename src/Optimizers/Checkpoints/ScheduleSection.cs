using Optimizers.Schedules;

namespace Optimizers.Checkpoints;

/// <summary>
/// The "schedule" section: a learning-rate schedule's complete position (see <see cref="ScheduleState"/>), with the
/// states of chained schedules nested inside. See docs/checkpoint-format.md.
/// </summary>
internal static class ScheduleSection
{
    /// <summary>
    /// How deep chained schedules nest (a <see cref="ChainedScheduler"/> of a <see cref="SequentialLR"/> of plain schedules
    /// is 2); deeper is malformed, which bounds the reader's recursion.
    /// </summary>
    private const int MaxDepth = 8;

    /// <summary>The schedule as one this library can checkpoint.</summary>
    /// <exception cref="ArgumentException">The schedule is a custom implementation.</exception>
    public static ICheckpointableSchedule Checkpointable(ISchedule schedule, string argumentName)
        => schedule as ICheckpointableSchedule ?? throw new ArgumentException(
            $"Checkpoints hold the position of this library's schedules; {schedule.GetType().Name} is a custom implementation.",
            argumentName);

    public static void Write(PayloadWriter writer, ScheduleState state)
    {
        writer.WriteString(state.TypeName);
        WriteNamed(writer, state.Configuration);
        writer.WriteInt32(state.Epoch);
        writer.WriteInt32(state.BaseLearningRates.Length);
        writer.WriteDoubles(state.BaseLearningRates);
        writer.WriteInt32(state.CurrentLearningRates.Length);
        writer.WriteDoubles(state.CurrentLearningRates);
        WriteNamed(writer, state.Variables);
        writer.WriteInt32(state.Children.Length);
        foreach (var child in state.Children)
        {
            Write(writer, child);
        }
    }

    /// <summary>Parses the whole section into a new <see cref="ScheduleState"/>, checking only what the format requires.</summary>
    public static ScheduleState Parse(PayloadReader reader)
    {
        var state = Parse(reader, depth: 0);
        reader.ExpectEnd("The schedule section");
        return state;
    }

    private static ScheduleState Parse(PayloadReader reader, int depth)
    {
        string typeName = reader.ReadString("the schedule type");
        if (reader.Version == 1)
        {
            // Version 1 recorded the .NET full name ("Optimizers.Schedules.StepLR"); version 2 the class name.
            typeName = CheckpointFormat.WithoutNamespace(typeName, "Optimizers.Schedules.");
        }

        var configuration = ReadNamed(reader, "schedule settings");
        int epoch = reader.ReadInt32();
        var baseRates = reader.ReadDoubles(reader.ReadCount("base learning rates", minimumItemBytes: 8), "the base learning rates");
        var currentRates = reader.ReadDoubles(reader.ReadCount("learning rates", minimumItemBytes: 8), "the current learning rates");
        var variables = ReadNamed(reader, "schedule variables");
        int childCount = reader.ReadCount("chained schedules", minimumItemBytes: 24);
        if (childCount > 0 && depth >= MaxDepth)
        {
            throw PayloadReader.Malformed($"A chained schedule ({typeName}) chains schedules at depth {depth + 1}; chains nest at most {MaxDepth} levels deep.");
        }

        var children = new ScheduleState[childCount];
        for (int i = 0; i < childCount; i++)
        {
            children[i] = Parse(reader, depth + 1);
        }

        return new ScheduleState
        {
            TypeName = typeName,
            Configuration = configuration,
            Epoch = epoch,
            BaseLearningRates = baseRates,
            CurrentLearningRates = currentRates,
            Variables = variables,
            Children = children,
        };
    }

    private static void WriteNamed(PayloadWriter writer, KeyValuePair<string, double>[] values)
    {
        writer.WriteInt32(values.Length);
        foreach (var (name, value) in values)
        {
            writer.WriteString(name);
            writer.WriteDouble(value);
        }
    }

    private static KeyValuePair<string, double>[] ReadNamed(PayloadReader reader, string what)
    {
        var values = new KeyValuePair<string, double>[reader.ReadCount(what, minimumItemBytes: 12)];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = new(reader.ReadString($"a name among the {what}"), reader.ReadDouble());
            if (!names.Add(values[i].Key))
            {
                throw PayloadReader.Malformed($"'{values[i].Key}' appears twice among the {what}.");
            }
        }

        return values;
    }
}
