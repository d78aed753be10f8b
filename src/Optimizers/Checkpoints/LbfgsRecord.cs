using System.Numerics;
using System.Runtime.InteropServices;
using Optimizers.Schedules;

namespace Optimizers.Checkpoints;

/// <summary>
/// The optimizer section's record of an <see cref="LBFGS{T}"/> (layout <see cref="CheckpointFormat.LbfgsLayout"/>):
/// its state is not shaped like the parameters (vectors of their total length, a history of pairs), so it has its own
/// record rather than the per-parameter state buffers of <see cref="OptimizerSection.GroupRecord"/>. Described in
/// docs/checkpoint-format.md.
/// </summary>
internal sealed record LbfgsRecord
{
    private const string RuleName = "LBFGS";

    public required KeyValuePair<string, double>[] Hyperparameters { get; init; }

    public required double LearningRate { get; init; }

    public required double? InitialLearningRate { get; init; }

    public required long FunctionEvaluations { get; init; }

    public required long Iterations { get; init; }

    public required long SkippedStepCount { get; init; }

    public required KeyValuePair<string, int>[] Parameters { get; init; }

    public required bool HasDirection { get; init; }

    public required double StepLength { get; init; }

    public required double HDiag { get; init; }

    public required double PreviousLoss { get; init; }

    /// <summary>d, then g_prev, then per pair (oldest first) y and s: raw elements in this machine's byte order.</summary>
    public required byte[] Direction { get; init; }

    public required byte[] PreviousGradient { get; init; }

    public required double[] Rho { get; init; }

    public required byte[][] Y { get; init; }

    public required byte[][] S { get; init; }

    /// <summary>Whether <paramref name="optimizer"/> is an L-BFGS of either element type.</summary>
    public static bool Holds(IOptimizerBase optimizer) => optimizer is LBFGS<double> or LBFGS<float>;

    /// <summary>The element size (4 or 8) of an L-BFGS.</summary>
    public static int ElementSizeOf(IOptimizerBase optimizer) => optimizer is LBFGS<float> ? sizeof(float) : sizeof(double);

    public static void Write(PayloadWriter writer, IOptimizerBase optimizer)
    {
        switch (optimizer)
        {
            case LBFGS<double> d:
                Write(writer, d);
                break;
            case LBFGS<float> f:
                Write(writer, f);
                break;
        }
    }

    public static LbfgsRecord Parse(PayloadReader reader, int elementSize)
    {
        string rule = reader.ReadString("a rule name");
        if (rule != RuleName)
        {
            throw PayloadReader.Malformed($"An optimizer of the L-BFGS layout names the rule '{rule}'.");
        }

        var hyperparameters = new KeyValuePair<string, double>[reader.ReadCount("hyperparameters", minimumItemBytes: 12)];
        for (int i = 0; i < hyperparameters.Length; i++)
        {
            hyperparameters[i] = new(reader.ReadString("a hyperparameter name"), reader.ReadDouble());
        }

        double lr = reader.ReadDouble();
        if (!(double.IsFinite(lr) && lr >= 0))
        {
            throw PayloadReader.Malformed($"The L-BFGS record has learning rate {lr}; a learning rate is finite and ≥ 0.");
        }

        double? initial = reader.ReadByte() switch
        {
            0 => null,
            1 => reader.ReadDouble(),
            var other => throw PayloadReader.Malformed($"Unknown flag {other} before the shared initial learning rate."),
        };

        long evaluations = reader.ReadInt64();
        long iterations = reader.ReadInt64();
        long skipped = reader.ReadInt64();
        if (evaluations < 0 || iterations < 0 || skipped < 0)
        {
            throw PayloadReader.Malformed($"The L-BFGS record has negative counters ({evaluations}, {iterations}, {skipped}).");
        }

        var parameters = new KeyValuePair<string, int>[reader.ReadCount("parameters", minimumItemBytes: 8)];
        long total = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            string name = reader.ReadString("a parameter name");
            int length = reader.ReadInt32();
            if (length < 0)
            {
                throw PayloadReader.Malformed($"Parameter '{name}' has negative length {length}.");
            }

            parameters[i] = new(name, length);
            total += length;
        }

        if (total > Array.MaxLength)
        {
            throw PayloadReader.Malformed($"The parameters hold {total} elements in total, more than one vector can.");
        }

        int n = (int)total;
        bool hasDirection = reader.ReadByte() switch
        {
            0 => false,
            1 => true,
            var other => throw PayloadReader.Malformed($"Unknown flag {other} before the L-BFGS direction."),
        };

        double t = reader.ReadDouble();
        double hDiag = reader.ReadDouble();
        double previousLoss = reader.ReadDouble();
        var direction = reader.ReadElements(n, elementSize, "the L-BFGS direction d");
        var previousGradient = reader.ReadElements(n, elementSize, "the L-BFGS previous gradient");
        int pairs = reader.ReadCount("L-BFGS pairs", minimumItemBytes: 8);
        var rho = new double[pairs];
        var y = new byte[pairs][];
        var s = new byte[pairs][];
        for (int k = 0; k < pairs; k++)
        {
            rho[k] = reader.ReadDouble();
            y[k] = reader.ReadElements(n, elementSize, $"y of L-BFGS pair {k}");
            s[k] = reader.ReadElements(n, elementSize, $"s of L-BFGS pair {k}");
        }

        return new LbfgsRecord
        {
            Hyperparameters = hyperparameters,
            LearningRate = lr,
            InitialLearningRate = initial,
            FunctionEvaluations = evaluations,
            Iterations = iterations,
            SkippedStepCount = skipped,
            Parameters = parameters,
            HasDirection = hasDirection,
            StepLength = t,
            HDiag = hDiag,
            PreviousLoss = previousLoss,
            Direction = direction,
            PreviousGradient = previousGradient,
            Rho = rho,
            Y = y,
            S = s,
        };
    }

    /// <summary>Throws <see cref="CheckpointError.Mismatch"/> unless this record fits <paramref name="optimizer"/>;
    /// returns it, converted to <paramref name="liveSize"/> when it was saved with <paramref name="savedSize"/>.</summary>
    public LbfgsRecord Fit(IOptimizerBase optimizer, int savedSize, int liveSize)
    {
        var (hyperparameters, parameters) = optimizer switch
        {
            LBFGS<double> d => (HyperparametersOf(d), ShapesOf(d)),
            LBFGS<float> f => (HyperparametersOf(f), ShapesOf(f)),
            _ => throw Mismatch($"The checkpoint holds the state of L-BFGS; this optimizer is {optimizer.GetType().Name}."),
        };

        if (Parameters.Length != parameters.Length)
        {
            throw Mismatch($"The checkpoint holds L-BFGS state for {Parameters.Length} parameters; this optimizer has {parameters.Length}.");
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            if (Parameters[i].Key != parameters[i].Key || Parameters[i].Value != parameters[i].Value)
            {
                throw Mismatch($"Parameter {i} is '{Parameters[i].Key}' of length {Parameters[i].Value} in the checkpoint but " +
                               $"'{parameters[i].Key}' of length {parameters[i].Value} here.");
            }
        }

        if (Hyperparameters.Length != hyperparameters.Length)
        {
            throw Mismatch($"The checkpoint's L-BFGS records {Hyperparameters.Length} hyperparameters; this one has {hyperparameters.Length}.");
        }

        for (int i = 0; i < hyperparameters.Length; i++)
        {
            var (name, value) = hyperparameters[i];
            if (Hyperparameters[i].Key != name || BitConverter.DoubleToInt64Bits(Hyperparameters[i].Value) != BitConverter.DoubleToInt64Bits(value))
            {
                throw Mismatch($"Hyperparameter {name} is {value:R} here; the checkpoint holds {Hyperparameters[i].Key} = {Hyperparameters[i].Value:R}.");
            }
        }

        int historySize = (int)hyperparameters.First(h => h.Key == "history_size").Value;
        if (Rho.Length > historySize)
        {
            throw Mismatch($"The checkpoint holds {Rho.Length} L-BFGS pairs; this optimizer keeps at most {historySize}.");
        }

        if (savedSize == liveSize)
        {
            return this;
        }

        return this with
        {
            Direction = ElementConverter.Convert(Direction, savedSize, liveSize, "the L-BFGS direction d"),
            PreviousGradient = ElementConverter.Convert(PreviousGradient, savedSize, liveSize, "the L-BFGS previous gradient"),
            Y = Y.Select((y, k) => ElementConverter.Convert(y, savedSize, liveSize, $"y of L-BFGS pair {k}")).ToArray(),
            S = S.Select((s, k) => ElementConverter.Convert(s, savedSize, liveSize, $"s of L-BFGS pair {k}")).ToArray(),
        };
    }

    /// <summary>Copies a record <see cref="Fit"/> returned into <paramref name="optimizer"/>. Cannot fail.</summary>
    public void Commit(IOptimizerBase optimizer)
    {
        switch (optimizer)
        {
            case LBFGS<double> d:
                Commit(d);
                break;
            case LBFGS<float> f:
                Commit(f);
                break;
        }
    }

    private static void Write<T>(PayloadWriter writer, LBFGS<T> lbfgs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = ElementSizeOf(lbfgs);
        writer.WriteString(RuleName);
        var hyperparameters = HyperparametersOf(lbfgs);
        writer.WriteInt32(hyperparameters.Length);
        foreach (var (name, value) in hyperparameters)
        {
            writer.WriteString(name);
            writer.WriteDouble(value);
        }

        writer.WriteDouble(lbfgs.LearningRate);
        double? initial = ((IInitialLearningRate)lbfgs).InitialLearningRate;
        writer.WriteByte(initial is null ? (byte)0 : (byte)1);
        if (initial is { } value0)
        {
            writer.WriteDouble(value0);
        }

        writer.WriteInt64(lbfgs.FunctionEvaluations);
        writer.WriteInt64(lbfgs.Iterations);
        writer.WriteInt64(lbfgs.SkippedStepCount);
        var shapes = ShapesOf(lbfgs);
        writer.WriteInt32(shapes.Length);
        foreach (var (name, length) in shapes)
        {
            writer.WriteString(name);
            writer.WriteInt32(length);
        }

        writer.WriteByte(lbfgs.HasDirection ? (byte)1 : (byte)0);
        writer.WriteDouble(lbfgs.StepLength);
        writer.WriteDouble(lbfgs.HDiag);
        writer.WriteDouble(lbfgs.PreviousLoss);
        writer.WriteElements(MemoryMarshal.AsBytes(lbfgs.Direction.AsSpan()), size);
        writer.WriteElements(MemoryMarshal.AsBytes(lbfgs.PreviousGradient.AsSpan()), size);
        writer.WriteInt32(lbfgs.Count);
        for (int k = 0; k < lbfgs.Count; k++)
        {
            int slot = lbfgs.Order[k];
            writer.WriteDouble(lbfgs.Rho[slot]);
            writer.WriteElements(MemoryMarshal.AsBytes(lbfgs.Y[slot].AsSpan()), size);
            writer.WriteElements(MemoryMarshal.AsBytes(lbfgs.S[slot].AsSpan()), size);
        }
    }

    private void Commit<T>(LBFGS<T> lbfgs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lbfgs.LearningRate = LearningRate;
        ((IInitialLearningRate)lbfgs).InitialLearningRate = InitialLearningRate;
        lbfgs.FunctionEvaluations = FunctionEvaluations;
        lbfgs.Iterations = Iterations;
        lbfgs.SkippedStepCount = SkippedStepCount;
        lbfgs.HasDirection = HasDirection;
        lbfgs.StepLength = StepLength;
        lbfgs.HDiag = HDiag;
        lbfgs.PreviousLoss = PreviousLoss;
        MemoryMarshal.Cast<byte, T>(Direction).CopyTo(lbfgs.Direction);
        MemoryMarshal.Cast<byte, T>(PreviousGradient).CopyTo(lbfgs.PreviousGradient);
        lbfgs.ResetOrder(Rho.Length);
        for (int k = 0; k < Rho.Length; k++)
        {
            lbfgs.Rho[k] = Rho[k];
            MemoryMarshal.Cast<byte, T>(Y[k]).CopyTo(lbfgs.Y[k]);
            MemoryMarshal.Cast<byte, T>(S[k]).CopyTo(lbfgs.S[k]);
        }
    }

    /// <summary>The compared hyperparameters, by torch's names (the learning rate is restored instead).</summary>
    private static KeyValuePair<string, double>[] HyperparametersOf<T>(LBFGS<T> lbfgs)
        where T : unmanaged, IFloatingPointIeee754<T>
        =>
        [
            new("max_iter", lbfgs.MaxIterations),
            new("max_eval", lbfgs.MaxEvaluations),
            new("tolerance_grad", lbfgs.ToleranceGrad),
            new("tolerance_change", lbfgs.ToleranceChange),
            new("history_size", lbfgs.HistorySize),
            new("line_search_fn", (double)lbfgs.LineSearch),
        ];

    private static KeyValuePair<string, int>[] ShapesOf<T>(LBFGS<T> lbfgs)
        where T : unmanaged, IFloatingPointIeee754<T>
        => lbfgs.Parameters.Select(p => new KeyValuePair<string, int>(p.Name, p.Length)).ToArray();

    private static CheckpointException Mismatch(string message) => new(CheckpointError.Mismatch, message);
}
