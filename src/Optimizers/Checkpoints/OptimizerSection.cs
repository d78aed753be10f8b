namespace Optimizers.Checkpoints;

/// <summary>
/// The "optimizer" section: the layout (one optimizer or parameter groups), the element type and, per group, the
/// rule, step counts, recorded hyperparameters, restorable settings (the learning rate), parameter names, lengths and
/// shapes, and every registered state buffer with its length. The same code for every rule derived from
/// <see cref="Optimizer{T}"/>, of either element type; reads version 1 (double precision, the rule as a .NET full
/// name, the learning rate its only setting), version 2 (no shapes, every state vector as long as its parameter) and
/// version 3.
/// </summary>
internal sealed class OptimizerSection
{
    private OptimizerSection(byte layout, int elementSize, GroupRecord[] groups, WrapperRecord? wrapper = null, OptimizerSection? inner = null,
                             LbfgsRecord? lbfgs = null)
    {
        Lbfgs = lbfgs;
        Layout = layout;
        ElementSize = elementSize;
        Groups = groups;
        Wrapper = wrapper;
        Inner = inner;
    }

    /// <summary>The wrapper's own record (layout <see cref="CheckpointFormat.WrapperLayout"/>), else null.</summary>
    public WrapperRecord? Wrapper { get; }

    /// <summary>The section of the optimizer the wrapper wraps (layout <see cref="CheckpointFormat.WrapperLayout"/>), else null.</summary>
    public OptimizerSection? Inner { get; }

    /// <summary>The L-BFGS record (layout <see cref="CheckpointFormat.LbfgsLayout"/>), else null.</summary>
    public LbfgsRecord? Lbfgs { get; }

    public byte Layout { get; }

    /// <summary>Bytes per element of the saved state: 4 (float32) or 8 (float64).</summary>
    public int ElementSize { get; }

    public GroupRecord[] Groups { get; }

    /// <summary>The groups of a checkpointable optimizer and its layout byte.</summary>
    /// <exception cref="ArgumentException">The optimizer is neither an <see cref="Optimizer"/> nor a parameter-groups optimizer.</exception>
    public static (IReadOnlyList<Optimizer> Groups, byte Layout) Decompose(IOptimizerBase optimizer, string argumentName) => optimizer switch
    {
        IOptimizerWrapper wrapper => Decompose(wrapper.Inner, argumentName),
        _ when LbfgsRecord.Holds(optimizer) => ([], CheckpointFormat.LbfgsLayout),
        Optimizer single => ([single], CheckpointFormat.SingleLayout),
        IGroupedOptimizer grouped when grouped.Groups.All(g => g is Optimizer) =>
            (grouped.Groups.Cast<Optimizer>().ToArray(), CheckpointFormat.GroupsLayout),
        _ => throw new ArgumentException(
            $"Checkpoints hold optimizers derived from Optimizer<T> and ParameterGroups; {optimizer.GetType().Name} is neither.",
            argumentName),
    };

    public static void Write(PayloadWriter writer, IOptimizerBase optimizer)
    {
        if (optimizer is IOptimizerWrapper wrapper)
        {
            WrapperRecord.Write(writer, wrapper);
            Write(writer, wrapper.Inner);
            return;
        }

        if (LbfgsRecord.Holds(optimizer))
        {
            writer.WriteByte(CheckpointFormat.LbfgsLayout);
            writer.WriteByte((byte)LbfgsRecord.ElementSizeOf(optimizer));
            LbfgsRecord.Write(writer, optimizer);
            return;
        }

        var (groups, layout) = Decompose(optimizer, nameof(optimizer));
        int elementSize = SizeOf(groups[0].ElementType);
        writer.WriteByte(layout);
        writer.WriteByte((byte)elementSize);
        writer.WriteInt32(groups.Count);
        foreach (var group in groups)
        {
            writer.WriteString(group.RuleName);
            writer.WriteInt64(group.StepCount);
            writer.WriteInt64(group.SkippedStepCount);
            WriteNamed(writer, group.Hyperparameters);
            WriteNamed(writer, group.Settings
                .Select(setting => (setting.Name, Value: setting.Get()))
                .Where(setting => setting.Value is not null)
                .Select(setting => new KeyValuePair<string, double>(setting.Name, setting.Value!.Value))
                .ToArray());

            writer.WriteInt32(group.ParameterCount);
            for (int i = 0; i < group.ParameterCount; i++)
            {
                var (name, length) = group.ParameterShape(i);
                writer.WriteString(name);
                writer.WriteInt32(length);
                var dimensions = group.ParameterDimensions(i);
                writer.WriteInt32(dimensions.Count);
                foreach (int dimension in dimensions)
                {
                    writer.WriteInt32(dimension);
                }
            }

            var state = group.State;
            writer.WriteInt32(state.VectorNames.Count);
            foreach (var name in state.VectorNames)
            {
                writer.WriteString(name);
                for (int i = 0; i < group.ParameterCount; i++)
                {
                    var bytes = state.VectorBytes(name, i);
                    writer.WriteInt32(bytes.Length / elementSize);
                    writer.WriteElements(bytes, elementSize);
                }
            }

            writer.WriteInt32(state.ScalarNames.Count);
            foreach (var name in state.ScalarNames)
            {
                writer.WriteString(name);
                writer.WriteElements(state.ScalarBytes(name), elementSize);
            }
        }
    }

    /// <summary>Parses the section into new arrays, checking only what the format itself requires.</summary>
    public static OptimizerSection Parse(PayloadReader reader)
    {
        var section = ParseBody(reader);
        reader.ExpectEnd("The optimizer section");
        return section;
    }

    /// <summary>One optimizer's part of the section: a wrapper's is its record followed by its inner optimizer's part.</summary>
    private static OptimizerSection ParseBody(PayloadReader reader)
    {
        string? v1Rule = null;
        if (reader.Version == 1)
        {
            // Version 1: the rule as a .NET full name ("Optimizers.Adam"), double-precision state, the learning rate
            // before the step counts.
            v1Rule = CheckpointFormat.WithoutNamespace(reader.ReadString("the optimizer type"), "Optimizers.");
        }

        byte layout = reader.ReadByte();
        if (layout is not (CheckpointFormat.SingleLayout or CheckpointFormat.GroupsLayout)
            && !(layout is CheckpointFormat.WrapperLayout or CheckpointFormat.LbfgsLayout && v1Rule is null))
        {
            throw PayloadReader.Malformed($"Unknown optimizer layout {layout}.");
        }

        int elementSize = v1Rule is null ? reader.ReadByte() : sizeof(double);
        if (elementSize is not (sizeof(float) or sizeof(double)))
        {
            throw PayloadReader.Malformed($"Unknown element size {elementSize}; checkpoints hold float32 (4) or float64 (8) state.");
        }

        if (layout == CheckpointFormat.LbfgsLayout)
        {
            return new OptimizerSection(layout, elementSize, [], lbfgs: LbfgsRecord.Parse(reader, elementSize));
        }

        if (layout == CheckpointFormat.WrapperLayout)
        {
            var wrapper = WrapperRecord.Parse(reader, elementSize);
            return new OptimizerSection(layout, elementSize, [], wrapper, ParseBody(reader));
        }

        int groupCount = reader.ReadCount("groups", minimumItemBytes: 40);
        if (groupCount == 0 || (layout == CheckpointFormat.SingleLayout && groupCount != 1))
        {
            throw PayloadReader.Malformed($"An optimizer of layout {layout} cannot have {groupCount} groups.");
        }

        var groups = new GroupRecord[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            groups[g] = GroupRecord.Parse(reader, g, elementSize, v1Rule);
            if (groups[g].StepCount != groups[0].StepCount || groups[g].SkippedStepCount != groups[0].SkippedStepCount)
            {
                throw PayloadReader.Malformed($"Group {g} has other step counts than group 0; parameter groups always share them.");
            }
        }

        return new OptimizerSection(layout, elementSize, groups);
    }

    /// <summary>
    /// Throws <see cref="CheckpointError.Mismatch"/> unless this state fits <paramref name="optimizer"/> exactly (its
    /// element type too, unless <paramref name="conversion"/> allows converting), and returns the state to commit: this
    /// one, or a copy converted to the optimizer's element type. Changes nothing.
    /// </summary>
    public OptimizerSection Fit(IOptimizerBase optimizer, ElementConversion conversion)
    {
        if (Wrapper is not null || optimizer is IOptimizerWrapper)
        {
            return FitWrapper(optimizer, conversion);
        }

        if (Lbfgs is not null || LbfgsRecord.Holds(optimizer))
        {
            return FitLbfgs(optimizer, conversion);
        }

        var (groups, layout) = Decompose(optimizer, nameof(optimizer));
        int liveSize = SizeOf(groups[0].ElementType);
        if (ElementSize != liveSize && conversion == ElementConversion.None)
        {
            throw Mismatch($"The checkpoint holds {ElementConverter.NameOf(ElementSize)} state of {Rules(Groups.Select(g => g.Rule))}; this optimizer is " +
                           $"{Rules(groups.Select(g => g.RuleName))} over {ElementConverter.NameOf(liveSize)} parameters. Load with " +
                           "ElementConversion.RoundToNearest to convert it.");
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
            Groups[g].Validate(groups[g], Groups.Length > 1 ? $"group {g}: " : "", ElementSize);
        }

        return ElementSize == liveSize
            ? this
            : new OptimizerSection(Layout, liveSize, Groups.Select((group, g) => group.ConvertedTo(ElementSize, liveSize, Groups.Length > 1 ? $"group {g}: " : "")).ToArray());
    }

    /// <summary>Copies the state <see cref="Fit"/> returned into <paramref name="optimizer"/>. Cannot fail.</summary>
    public void Commit(IOptimizerBase optimizer)
    {
        if (Wrapper is not null)
        {
            var wrapper = (IOptimizerWrapper)optimizer;
            Wrapper.Commit(wrapper);
            Inner!.Commit(wrapper.Inner);
            return;
        }

        if (Lbfgs is not null)
        {
            Lbfgs.Commit(optimizer);
            return;
        }

        var (groups, _) = Decompose(optimizer, nameof(optimizer));
        for (int g = 0; g < groups.Count; g++)
        {
            Groups[g].Commit(groups[g]);
        }
    }

    private OptimizerSection FitWrapper(IOptimizerBase optimizer, ElementConversion conversion)
    {
        if (optimizer is not IOptimizerWrapper live)
        {
            throw Mismatch($"The checkpoint holds a {Wrapper!.Name} over another optimizer; this optimizer is not wrapped.");
        }

        if (Wrapper is null)
        {
            throw Mismatch($"The checkpoint holds an optimizer without a wrapper; this optimizer is a {live.Name}.");
        }

        int liveSize = SizeOf(live.ElementType);
        if (ElementSize != liveSize && conversion == ElementConversion.None)
        {
            throw Mismatch($"The checkpoint holds {ElementConverter.NameOf(ElementSize)} state of {Wrapper.Name}; this optimizer is " +
                           $"{live.Name} over {ElementConverter.NameOf(liveSize)} parameters. Load with " +
                           "ElementConversion.RoundToNearest to convert it.");
        }

        Wrapper.Validate(live);
        var inner = Inner!.Fit(live.Inner, conversion);
        return new OptimizerSection(Layout, liveSize, [], ElementSize == liveSize ? Wrapper : Wrapper.ConvertedTo(ElementSize, liveSize), inner);
    }

    /// <summary>The rule of one group ("Adam"), or of each group of parameter groups ("groups of Momentum, AdamW").</summary>
    private static string Rules(IEnumerable<string> rules)
    {
        var names = rules.ToArray();
        return names.Length == 1 ? names[0] : $"groups of {string.Join(", ", names)}";
    }

    private OptimizerSection FitLbfgs(IOptimizerBase optimizer, ElementConversion conversion)
    {
        if (Lbfgs is null)
        {
            throw Mismatch($"The checkpoint holds the state of {(Groups.Length > 0 ? Groups[0].Rule : Wrapper?.Name)}; this optimizer is L-BFGS.");
        }

        if (!LbfgsRecord.Holds(optimizer))
        {
            throw Mismatch($"The checkpoint holds the state of L-BFGS; this optimizer is {optimizer.GetType().Name}.");
        }

        int liveSize = LbfgsRecord.ElementSizeOf(optimizer);
        if (ElementSize != liveSize && conversion == ElementConversion.None)
        {
            throw Mismatch($"The checkpoint holds {ElementConverter.NameOf(ElementSize)} state of L-BFGS; this optimizer is over " +
                           $"{ElementConverter.NameOf(liveSize)} parameters. Load with ElementConversion.RoundToNearest to convert it.");
        }

        return new OptimizerSection(Layout, liveSize, [], lbfgs: Lbfgs.Fit(optimizer, ElementSize, liveSize));
    }

    private static int SizeOf(Type elementType) => elementType == typeof(float) ? sizeof(float) : sizeof(double);

    private static void WriteNamed(PayloadWriter writer, IReadOnlyList<KeyValuePair<string, double>> values)
    {
        writer.WriteInt32(values.Count);
        foreach (var (name, value) in values)
        {
            writer.WriteString(name);
            writer.WriteDouble(value);
        }
    }

    private static KeyValuePair<string, double>[] ReadNamed(PayloadReader reader, string what)
    {
        var values = new KeyValuePair<string, double>[reader.ReadCount(what, minimumItemBytes: 12)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = new(reader.ReadString($"a name among the {what}"), reader.ReadDouble());
        }

        return values;
    }

    private static CheckpointException Mismatch(string message) => new(CheckpointError.Mismatch, message);

    /// <summary>One group's state, parsed into new arrays (state as raw elements in this machine's byte order).</summary>
    internal sealed record GroupRecord
    {
        public required string Rule { get; init; }

        /// <summary>Whether a restorable setting absent from the record is unset on loading (version 2: the checkpoint
        /// holds every setting that was set), or left as it is (version 1 knew only the learning rate).</summary>
        public required bool UnsetsAbsentSettings { get; init; }

        public required long StepCount { get; init; }

        public required long SkippedStepCount { get; init; }

        public required KeyValuePair<string, double>[] Hyperparameters { get; init; }

        public required KeyValuePair<string, double>[] Settings { get; init; }

        public required KeyValuePair<string, int>[] Parameters { get; init; }

        /// <summary>Each parameter's shape ([n] or [rows, columns]); null in versions 1 and 2, which did not record it.</summary>
        public required int[][]? Dimensions { get; init; }

        public required Dictionary<string, byte[][]> VectorStates { get; init; }

        public required Dictionary<string, byte[]> ScalarStates { get; init; }

        public static GroupRecord Parse(PayloadReader reader, int g, int elementSize, string? v1Rule)
        {
            string rule;
            KeyValuePair<string, double>[] settings;
            long stepCount, skipped;
            KeyValuePair<string, double>[] hyperparameters;
            if (v1Rule is not null)
            {
                rule = v1Rule;
                settings = [new("lr", reader.ReadDouble())];
                stepCount = reader.ReadInt64();
                skipped = reader.ReadInt64();
                hyperparameters = ReadNamed(reader, "hyperparameters");
            }
            else
            {
                rule = reader.ReadString("a rule name");
                stepCount = reader.ReadInt64();
                skipped = reader.ReadInt64();
                hyperparameters = ReadNamed(reader, "hyperparameters");
                settings = ReadNamed(reader, "settings");
            }

            if (stepCount < 0 || skipped < 0)
            {
                throw PayloadReader.Malformed($"Group {g} has negative step counts ({stepCount}, {skipped}).");
            }

            if (stepCount == long.MaxValue || skipped == long.MaxValue)
            {
                // The next step would overflow the count.
                throw PayloadReader.Malformed($"Group {g} has a step count at the largest int64 ({stepCount}, {skipped}); no further step could be counted.");
            }

            var seenSettings = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, value) in settings)
            {
                if (!seenSettings.Add(name))
                {
                    throw PayloadReader.Malformed($"Setting '{name}' appears twice in group {g}.");
                }

                if (name == "lr" && !(double.IsFinite(value) && value >= 0))
                {
                    throw PayloadReader.Malformed($"Group {g} has learning rate {value}; a learning rate is finite and ≥ 0.");
                }
            }

            if (!seenSettings.Contains("lr"))
            {
                throw PayloadReader.Malformed($"Group {g} holds no learning rate ('lr').");
            }

            bool shaped = reader.Version >= 3;
            var parameters = new KeyValuePair<string, int>[reader.ReadCount("parameters", minimumItemBytes: shaped ? 16 : 8)];
            int[][]? dimensions = shaped ? new int[parameters.Length][] : null;
            for (int i = 0; i < parameters.Length; i++)
            {
                string name = reader.ReadString("a parameter name");
                int length = reader.ReadInt32();
                if (length < 0)
                {
                    throw PayloadReader.Malformed($"Parameter '{name}' has negative length {length}.");
                }

                parameters[i] = new(name, length);
                if (dimensions is not null)
                {
                    dimensions[i] = ReadDimensions(reader, name, length);
                }
            }

            int vectorCount = reader.ReadCount("state vectors", minimumItemBytes: 4);
            var vectors = new Dictionary<string, byte[][]>(StringComparer.Ordinal);
            for (int s = 0; s < vectorCount; s++)
            {
                string name = reader.ReadString("a state name");
                var buffers = new byte[parameters.Length][];
                for (int i = 0; i < parameters.Length; i++)
                {
                    // Version 3 records each vector's length (state need not be shaped like its parameter).
                    int count = shaped ? reader.ReadInt32() : parameters[i].Value;
                    buffers[i] = reader.ReadElements(count, elementSize, $"state '{name}' of parameter '{parameters[i].Key}'");
                }

                if (!vectors.TryAdd(name, buffers))
                {
                    throw PayloadReader.Malformed($"State '{name}' appears twice in group {g}.");
                }
            }

            int scalarCount = reader.ReadCount("scalar states", minimumItemBytes: 4);
            var scalars = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (int s = 0; s < scalarCount; s++)
            {
                string name = reader.ReadString("a state name");
                var values = reader.ReadElements(parameters.Length, elementSize, $"scalar state '{name}'");
                if (vectors.ContainsKey(name) || !scalars.TryAdd(name, values))
                {
                    throw PayloadReader.Malformed($"State '{name}' appears twice in group {g}.");
                }
            }

            return new GroupRecord
            {
                Rule = rule,
                UnsetsAbsentSettings = v1Rule is null,
                StepCount = stepCount,
                SkippedStepCount = skipped,
                Hyperparameters = hyperparameters,
                Settings = settings,
                Parameters = parameters,
                Dimensions = dimensions,
                VectorStates = vectors,
                ScalarStates = scalars,
            };
        }

        /// <summary>A parameter's recorded shape: rank 1 or 2, dimensions ≥ 1 (≥ 0 for rank 1) whose product is its length.</summary>
        private static int[] ReadDimensions(PayloadReader reader, string name, int length)
        {
            int rank = reader.ReadInt32();
            if (rank is not (1 or 2))
            {
                throw PayloadReader.Malformed($"Parameter '{name}' has rank {rank}; parameters have rank 1 or 2.");
            }

            var dimensions = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                dimensions[d] = reader.ReadInt32();
            }

            bool fits = rank == 1
                ? dimensions[0] == length
                : dimensions[0] >= 1 && dimensions[1] >= 1 && (long)dimensions[0] * dimensions[1] == length;
            return fits
                ? dimensions
                : throw PayloadReader.Malformed($"Parameter '{name}' of length {length} has shape [{string.Join(", ", dimensions)}].");
        }

        public void Validate(Optimizer live, string where, int elementSize)
        {
            if (Rule != live.RuleName)
            {
                throw Mismatch($"{where}the checkpoint holds the state of {Rule}; this optimizer is {live.RuleName}.");
            }

            if (Parameters.Length != live.ParameterCount)
            {
                throw Mismatch($"{where}the checkpoint holds state for {Parameters.Length} parameters; this optimizer has {live.ParameterCount}.");
            }

            for (int i = 0; i < Parameters.Length; i++)
            {
                var (name, length) = Parameters[i];
                var (liveName, liveLength) = live.ParameterShape(i);
                if (name != liveName || length != liveLength)
                {
                    throw Mismatch($"{where}parameter {i} is '{name}' of length {length} in the checkpoint but '{liveName}' of length {liveLength} here.");
                }

                var liveDimensions = live.ParameterDimensions(i);
                if (Dimensions is not null && !Dimensions[i].SequenceEqual(liveDimensions))
                {
                    throw Mismatch($"{where}parameter '{name}' has shape [{string.Join(", ", Dimensions[i])}] in the checkpoint " +
                                   $"but [{string.Join(", ", liveDimensions)}] here.");
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
                // Bit for bit: −0 is not 0 (a flag is exactly 0 or 1; a weight decay of −0 can round a sum differently).
                double saved = Hyperparameters[i].Value;
                double current = liveHyper[i].Value;
                if (BitConverter.DoubleToInt64Bits(saved) != BitConverter.DoubleToInt64Bits(current))
                {
                    throw Mismatch($"{where}hyperparameter '{Hyperparameters[i].Key}' is {saved:R} in the checkpoint but {current:R} in this optimizer.");
                }
            }

            foreach (var (name, value) in Settings)
            {
                var setting = live.Settings.FirstOrDefault(s => s.Name == name)
                    ?? throw Mismatch($"{where}the checkpoint restores the setting '{name}', which this optimizer does not have " +
                                      $"(it has: {string.Join(", ", live.Settings.Select(s => s.Name))}).");
                if (!setting.IsValid(value))
                {
                    throw PayloadReader.Malformed($"{where}setting '{name}' is {value:R} in the checkpoint, which is not a possible value.");
                }
            }

            var state = live.State;
            if (!SameNames(VectorStates.Keys, state.VectorNames) || !SameNames(ScalarStates.Keys, state.ScalarNames))
            {
                throw Mismatch($"{where}the checkpoint holds the state ({string.Join(", ", VectorStates.Keys.Concat(ScalarStates.Keys))}); " +
                               $"this optimizer keeps ({string.Join(", ", state.Names)}).");
            }

            int liveSize = SizeOf(live.ElementType);
            foreach (var (name, buffers) in VectorStates)
            {
                for (int i = 0; i < buffers.Length; i++)
                {
                    int saved = buffers[i].Length / elementSize;
                    int expected = state.VectorBytes(name, i).Length / liveSize;
                    if (saved != expected)
                    {
                        throw Mismatch($"{where}state '{name}' of parameter '{Parameters[i].Key}' has {saved} elements in the checkpoint; " +
                                       $"this optimizer keeps {expected}.");
                    }
                }
            }
        }

        /// <summary>This record with its state converted from <paramref name="fromSize"/>-byte to <paramref name="toSize"/>-byte elements.</summary>
        public GroupRecord ConvertedTo(int fromSize, int toSize, string where) => this with
        {
            VectorStates = VectorStates.ToDictionary(
                state => state.Key,
                state => state.Value.Select((buffer, i) => ElementConverter.Convert(buffer, fromSize, toSize, $"{where}state '{state.Key}' of parameter '{Parameters[i].Key}'")).ToArray(),
                StringComparer.Ordinal),
            ScalarStates = ScalarStates.ToDictionary(
                state => state.Key,
                state => ElementConverter.Convert(state.Value, fromSize, toSize, $"{where}scalar state '{state.Key}'"),
                StringComparer.Ordinal),
        };

        public void Commit(Optimizer live)
        {
            foreach (var setting in live.Settings)
            {
                int saved = Array.FindIndex(Settings, s => s.Key == setting.Name);
                if (saved >= 0)
                {
                    setting.Set(Settings[saved].Value);
                }
                else if (UnsetsAbsentSettings && setting.Optional)
                {
                    setting.Set(null);
                }
            }

            live.StepCount = StepCount;
            live.SkippedStepCount = SkippedStepCount;
            var state = live.State;
            foreach (var (name, buffers) in VectorStates)
            {
                for (int i = 0; i < buffers.Length; i++)
                {
                    buffers[i].CopyTo(state.VectorBytes(name, i));
                }
            }

            foreach (var (name, values) in ScalarStates)
            {
                values.CopyTo(state.ScalarBytes(name));
            }
        }

        private static bool SameNames(IEnumerable<string> a, IEnumerable<string> b)
            => new HashSet<string>(a, StringComparer.Ordinal).SetEquals(b);
    }
    /// <summary>A wrapper's own state: its name, hyperparameters, counts, position in its cycle and vector state.</summary>
    internal sealed record WrapperRecord
    {
        public required string Name { get; init; }

        public required KeyValuePair<string, double>[] Hyperparameters { get; init; }

        public required long StepCount { get; init; }

        public required long SkippedStepCount { get; init; }

        public required long Phase { get; init; }

        public required string StateName { get; init; }

        public required KeyValuePair<string, int>[] Parameters { get; init; }

        public required byte[][] State { get; init; }

        public static void Write(PayloadWriter writer, IOptimizerWrapper wrapper)
        {
            int elementSize = SizeOf(wrapper.ElementType);
            writer.WriteByte(CheckpointFormat.WrapperLayout);
            writer.WriteByte((byte)elementSize);
            writer.WriteString(wrapper.Name);
            WriteNamed(writer, wrapper.Hyperparameters);
            writer.WriteInt64(wrapper.StepCount);
            writer.WriteInt64(wrapper.SkippedStepCount);
            writer.WriteInt64(wrapper.Phase);
            writer.WriteString(wrapper.StateName);
            writer.WriteInt32(wrapper.ParameterCount);
            for (int i = 0; i < wrapper.ParameterCount; i++)
            {
                var (name, length) = wrapper.ParameterShape(i);
                writer.WriteString(name);
                writer.WriteInt32(length);
            }

            for (int i = 0; i < wrapper.ParameterCount; i++)
            {
                writer.WriteElements(wrapper.StateBytes(i), elementSize);
            }
        }

        public static WrapperRecord Parse(PayloadReader reader, int elementSize)
        {
            string name = reader.ReadString("a wrapper name");
            var hyperparameters = ReadNamed(reader, "hyperparameters");
            long stepCount = reader.ReadInt64();
            long skipped = reader.ReadInt64();
            long phase = reader.ReadInt64();
            if (stepCount < 0 || skipped < 0 || phase < 0 || stepCount == long.MaxValue || skipped == long.MaxValue)
            {
                throw PayloadReader.Malformed($"The {name} has impossible counts ({stepCount}, {skipped}, {phase}).");
            }

            string stateName = reader.ReadString("a state name");
            var parameters = new KeyValuePair<string, int>[reader.ReadCount("parameters", minimumItemBytes: 8)];
            for (int i = 0; i < parameters.Length; i++)
            {
                string parameter = reader.ReadString("a parameter name");
                int length = reader.ReadInt32();
                if (length < 0)
                {
                    throw PayloadReader.Malformed($"Parameter '{parameter}' has negative length {length}.");
                }

                parameters[i] = new(parameter, length);
            }

            var state = new byte[parameters.Length][];
            for (int i = 0; i < parameters.Length; i++)
            {
                state[i] = reader.ReadElements(parameters[i].Value, elementSize, $"state '{stateName}' of parameter '{parameters[i].Key}'");
            }

            return new WrapperRecord
            {
                Name = name,
                Hyperparameters = hyperparameters,
                StepCount = stepCount,
                SkippedStepCount = skipped,
                Phase = phase,
                StateName = stateName,
                Parameters = parameters,
                State = state,
            };
        }

        public void Validate(IOptimizerWrapper live)
        {
            if (Name != live.Name)
            {
                throw Mismatch($"The checkpoint holds a {Name}; this optimizer is a {live.Name}.");
            }

            var liveHyper = live.Hyperparameters;
            if (!Hyperparameters.Select(h => h.Key).SequenceEqual(liveHyper.Select(h => h.Key), StringComparer.Ordinal))
            {
                throw Mismatch($"The {Name} in the checkpoint records ({string.Join(", ", Hyperparameters.Select(h => h.Key))}); " +
                               $"this one has ({string.Join(", ", liveHyper.Select(h => h.Key))}).");
            }

            for (int i = 0; i < Hyperparameters.Length; i++)
            {
                if (BitConverter.DoubleToInt64Bits(Hyperparameters[i].Value) != BitConverter.DoubleToInt64Bits(liveHyper[i].Value))
                {
                    throw Mismatch($"{Name}: '{Hyperparameters[i].Key}' is {Hyperparameters[i].Value:R} in the checkpoint but {liveHyper[i].Value:R} in this optimizer.");
                }
            }

            if (StateName != live.StateName)
            {
                throw Mismatch($"The {Name} in the checkpoint keeps '{StateName}'; this one keeps '{live.StateName}'.");
            }

            if (Parameters.Length != live.ParameterCount)
            {
                throw Mismatch($"The {Name} in the checkpoint holds state for {Parameters.Length} parameters; this one has {live.ParameterCount}.");
            }

            for (int i = 0; i < Parameters.Length; i++)
            {
                var (name, length) = Parameters[i];
                var (liveName, liveLength) = live.ParameterShape(i);
                if (name != liveName || length != liveLength)
                {
                    throw Mismatch($"{Name}: parameter {i} is '{name}' of length {length} in the checkpoint but '{liveName}' of length {liveLength} here.");
                }
            }

            if (Phase >= live.Period)
            {
                throw PayloadReader.Malformed($"The {Name} is {Phase} steps into a cycle of {live.Period}.");
            }
        }

        /// <summary>This record with its state converted from <paramref name="fromSize"/>-byte to <paramref name="toSize"/>-byte elements.</summary>
        public WrapperRecord ConvertedTo(int fromSize, int toSize) => this with
        {
            State = State.Select((buffer, i) => ElementConverter.Convert(buffer, fromSize, toSize, $"{Name} state '{StateName}' of parameter '{Parameters[i].Key}'")).ToArray(),
        };

        public void Commit(IOptimizerWrapper live)
        {
            live.StepCount = StepCount;
            live.SkippedStepCount = SkippedStepCount;
            live.Phase = Phase;
            for (int i = 0; i < State.Length; i++)
            {
                State[i].CopyTo(live.StateBytes(i));
            }
        }
    }
}
