namespace Optimizers.Checkpoints;

/// <summary>
/// The "optimizer" section: the rule type, the layout (one optimizer or parameter groups) and, per group, the
/// learning rate, step counts, recorded hyperparameters, parameter names and lengths, and every registered state
/// buffer. Generic over every rule derived from <see cref="Optimizer"/>.
/// </summary>
internal sealed class OptimizerSection
{
    private OptimizerSection(string typeName, byte layout, GroupRecord[] groups)
    {
        TypeName = typeName;
        Layout = layout;
        Groups = groups;
    }

    public string TypeName { get; }

    public byte Layout { get; }

    public GroupRecord[] Groups { get; }

    /// <summary>The groups of a checkpointable optimizer and its layout byte.</summary>
    /// <exception cref="ArgumentException">The optimizer is neither an <see cref="Optimizer"/> nor a <see cref="ParameterGroups"/>.</exception>
    public static (IReadOnlyList<Optimizer> Groups, byte Layout) Decompose(IOptimizer optimizer, string argumentName) => optimizer switch
    {
        Optimizer single => ([single], CheckpointFormat.SingleLayout),
        ParameterGroups groups => (groups.Groups, CheckpointFormat.GroupsLayout),
        _ => throw new ArgumentException(
            $"Checkpoints hold optimizers derived from Optimizer and ParameterGroups; {optimizer.GetType().Name} is neither.",
            argumentName),
    };

    public static void Write(PayloadWriter writer, IOptimizer optimizer)
    {
        var (groups, layout) = Decompose(optimizer, nameof(optimizer));
        writer.WriteString(groups[0].GetType().FullName!);
        writer.WriteByte(layout);
        writer.WriteInt32(groups.Count);
        foreach (var group in groups)
        {
            writer.WriteDouble(group.LearningRate);
            writer.WriteInt64(group.StepCount);
            writer.WriteInt64(group.SkippedStepCount);

            writer.WriteInt32(group.Hyperparameters.Count);
            foreach (var (name, value) in group.Hyperparameters)
            {
                writer.WriteString(name);
                writer.WriteDouble(value);
            }

            writer.WriteInt32(group.Parameters.Count);
            foreach (var parameter in group.Parameters)
            {
                writer.WriteString(parameter.Name);
                writer.WriteInt32(parameter.Length);
            }

            writer.WriteInt32(group.VectorStates.Count);
            foreach (var (name, buffers) in group.VectorStates)
            {
                writer.WriteString(name);
                foreach (var buffer in buffers)
                {
                    writer.WriteDoubles(buffer);
                }
            }

            writer.WriteInt32(group.ScalarStates.Count);
            foreach (var (name, values) in group.ScalarStates)
            {
                writer.WriteString(name);
                writer.WriteDoubles(values);
            }
        }
    }

    /// <summary>Parses the section into new arrays, checking only what the format itself requires.</summary>
    public static OptimizerSection Parse(PayloadReader reader)
    {
        string typeName = reader.ReadString("the optimizer type");
        byte layout = reader.ReadByte();
        if (layout is not (CheckpointFormat.SingleLayout or CheckpointFormat.GroupsLayout))
        {
            throw PayloadReader.Malformed($"Unknown optimizer layout {layout}.");
        }

        int groupCount = reader.ReadCount("groups", minimumItemBytes: 40);
        if (groupCount == 0 || (layout == CheckpointFormat.SingleLayout && groupCount != 1))
        {
            throw PayloadReader.Malformed($"An optimizer of layout {layout} cannot have {groupCount} groups.");
        }

        var groups = new GroupRecord[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            groups[g] = GroupRecord.Parse(reader, g);
            if (groups[g].StepCount != groups[0].StepCount || groups[g].SkippedStepCount != groups[0].SkippedStepCount)
            {
                throw PayloadReader.Malformed($"Group {g} has other step counts than group 0; parameter groups always share them.");
            }
        }

        reader.ExpectEnd("The optimizer section");
        return new OptimizerSection(typeName, layout, groups);
    }

    /// <summary>Throws <see cref="CheckpointError.Mismatch"/> unless this state fits <paramref name="optimizer"/> exactly.</summary>
    public void Validate(IOptimizer optimizer)
    {
        var (groups, layout) = Decompose(optimizer, nameof(optimizer));
        string liveType = groups[0].GetType().FullName!;
        if (TypeName != liveType)
        {
            throw Mismatch($"The checkpoint holds the state of {TypeName}; this optimizer is {liveType}.");
        }

        if (Layout != layout)
        {
            throw Mismatch(Layout == CheckpointFormat.GroupsLayout
                ? "The checkpoint holds parameter groups; this optimizer is a single optimizer."
                : "The checkpoint holds a single optimizer; this optimizer is a ParameterGroups.");
        }

        if (Groups.Length != groups.Count)
        {
            throw Mismatch($"The checkpoint holds {Groups.Length} parameter groups; this optimizer has {groups.Count}.");
        }

        for (int g = 0; g < groups.Count; g++)
        {
            Groups[g].Validate(groups[g], Groups.Length > 1 ? $"group {g}: " : "");
        }
    }

    /// <summary>Copies the validated state into <paramref name="optimizer"/>. Cannot fail after <see cref="Validate"/>.</summary>
    public void Commit(IOptimizer optimizer)
    {
        var (groups, _) = Decompose(optimizer, nameof(optimizer));
        for (int g = 0; g < groups.Count; g++)
        {
            Groups[g].Commit(groups[g]);
        }
    }

    private static CheckpointException Mismatch(string message) => new(CheckpointError.Mismatch, message);

    /// <summary>One group's state, parsed into new arrays.</summary>
    internal sealed class GroupRecord
    {
        public required double LearningRate { get; init; }

        public required long StepCount { get; init; }

        public required long SkippedStepCount { get; init; }

        public required KeyValuePair<string, double>[] Hyperparameters { get; init; }

        public required KeyValuePair<string, int>[] Parameters { get; init; }

        public required Dictionary<string, double[][]> VectorStates { get; init; }

        public required Dictionary<string, double[]> ScalarStates { get; init; }

        public static GroupRecord Parse(PayloadReader reader, int g)
        {
            double learningRate = reader.ReadDouble();
            if (!double.IsFinite(learningRate) || learningRate < 0)
            {
                throw PayloadReader.Malformed($"Group {g} has learning rate {learningRate}; a learning rate is finite and ≥ 0.");
            }

            long stepCount = reader.ReadInt64();
            long skipped = reader.ReadInt64();
            if (stepCount < 0 || skipped < 0)
            {
                throw PayloadReader.Malformed($"Group {g} has negative step counts ({stepCount}, {skipped}).");
            }

            if (stepCount == long.MaxValue || skipped == long.MaxValue)
            {
                // The next step would overflow the count.
                throw PayloadReader.Malformed($"Group {g} has a step count at the largest int64 ({stepCount}, {skipped}); no further step could be counted.");
            }

            var hyperparameters = new KeyValuePair<string, double>[reader.ReadCount("hyperparameters", minimumItemBytes: 12)];
            for (int i = 0; i < hyperparameters.Length; i++)
            {
                hyperparameters[i] = new(reader.ReadString("a hyperparameter name"), reader.ReadDouble());
            }

            var parameters = new KeyValuePair<string, int>[reader.ReadCount("parameters", minimumItemBytes: 8)];
            for (int i = 0; i < parameters.Length; i++)
            {
                string name = reader.ReadString("a parameter name");
                int length = reader.ReadInt32();
                if (length < 0)
                {
                    throw PayloadReader.Malformed($"Parameter '{name}' has negative length {length}.");
                }

                parameters[i] = new(name, length);
            }

            int vectorCount = reader.ReadCount("state vectors", minimumItemBytes: 4);
            var vectors = new Dictionary<string, double[][]>(StringComparer.Ordinal);
            for (int s = 0; s < vectorCount; s++)
            {
                string name = reader.ReadString("a state name");
                var buffers = new double[parameters.Length][];
                for (int i = 0; i < parameters.Length; i++)
                {
                    buffers[i] = reader.ReadDoubles(parameters[i].Value, $"state '{name}' of parameter '{parameters[i].Key}'");
                }

                if (!vectors.TryAdd(name, buffers))
                {
                    throw PayloadReader.Malformed($"State '{name}' appears twice in group {g}.");
                }
            }

            int scalarCount = reader.ReadCount("scalar states", minimumItemBytes: 4);
            var scalars = new Dictionary<string, double[]>(StringComparer.Ordinal);
            for (int s = 0; s < scalarCount; s++)
            {
                string name = reader.ReadString("a state name");
                var values = reader.ReadDoubles(parameters.Length, $"scalar state '{name}'");
                if (vectors.ContainsKey(name) || !scalars.TryAdd(name, values))
                {
                    throw PayloadReader.Malformed($"State '{name}' appears twice in group {g}.");
                }
            }

            return new GroupRecord
            {
                LearningRate = learningRate,
                StepCount = stepCount,
                SkippedStepCount = skipped,
                Hyperparameters = hyperparameters,
                Parameters = parameters,
                VectorStates = vectors,
                ScalarStates = scalars,
            };
        }

        public void Validate(Optimizer live, string where)
        {
            if (Parameters.Length != live.Parameters.Count)
            {
                throw Mismatch($"{where}the checkpoint holds state for {Parameters.Length} parameters; this optimizer has {live.Parameters.Count}.");
            }

            for (int i = 0; i < Parameters.Length; i++)
            {
                var (name, length) = Parameters[i];
                var parameter = live.Parameters[i];
                if (name != parameter.Name || length != parameter.Length)
                {
                    throw Mismatch($"{where}parameter {i} is '{name}' of length {length} in the checkpoint but '{parameter.Name}' of length {parameter.Length} here.");
                }
            }

            var liveHyper = live.Hyperparameters;
            if (Hyperparameters.Length != liveHyper.Count
                || !Hyperparameters.Select(h => h.Key).SequenceEqual(liveHyper.Select(h => h.Key), StringComparer.Ordinal))
            {
                throw Mismatch($"{where}the checkpoint records the hyperparameters ({string.Join(", ", Hyperparameters.Select(h => h.Key))}); " +
                               $"this optimizer has ({string.Join(", ", liveHyper.Select(h => h.Key))}).");
            }

            for (int i = 0; i < Hyperparameters.Length; i++)
            {
                double saved = Hyperparameters[i].Value;
                double current = liveHyper[i].Value;
                if (!(saved == current || (double.IsNaN(saved) && double.IsNaN(current))))
                {
                    throw Mismatch($"{where}hyperparameter '{Hyperparameters[i].Key}' is {saved:R} in the checkpoint but {current:R} in this optimizer.");
                }
            }

            if (!SameNames(VectorStates.Keys, live.VectorStates.Keys) || !SameNames(ScalarStates.Keys, live.ScalarStates.Keys))
            {
                throw Mismatch($"{where}the checkpoint holds the state ({string.Join(", ", VectorStates.Keys.Concat(ScalarStates.Keys))}); " +
                               $"this optimizer keeps ({string.Join(", ", live.StateNames)}).");
            }
        }

        public void Commit(Optimizer live)
        {
            live.LearningRate = LearningRate;
            live.StepCount = StepCount;
            live.SkippedStepCount = SkippedStepCount;
            foreach (var (name, buffers) in VectorStates)
            {
                var target = live.VectorStates[name];
                for (int i = 0; i < buffers.Length; i++)
                {
                    buffers[i].CopyTo(target[i], 0);
                }
            }

            foreach (var (name, values) in ScalarStates)
            {
                values.CopyTo(live.ScalarStates[name], 0);
            }
        }

        private static bool SameNames(IEnumerable<string> a, IEnumerable<string> b)
            => new HashSet<string>(a, StringComparer.Ordinal).SetEquals(b);
    }
}
