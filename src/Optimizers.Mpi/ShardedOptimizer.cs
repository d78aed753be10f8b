using System.Numerics;

namespace Optimizers.Mpi;

/// <summary>
/// Data-parallel training with sharded optimizer state (ZeRO stage 1): each of N processes keeps the state of only its
/// contiguous 1/N of the parameters laid end to end, steps that share, and the updated shares are all-gathered so that
/// every process again holds every parameter.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// A step: (1) average every gradient over the processes in one all-reduce (as <see cref="DataParallel{T}"/>);
/// (2) the non-finite guard of the rule's policy over the whole averaged gradient, the same on every process: a skip
/// counts in every process's <see cref="Optimizer.SkippedStepCount"/> and a throw names the full parameter, nothing
/// changed anywhere; (3) the rule steps this process's share (<see cref="Shard"/>, built by the factory over
/// <see cref="ShardParameters"/>, pieces of the parameters in their own arrays, refreshed from the parameters before
/// each step so that values loaded or set between steps count); (4) one all-gather of the shares
/// writes every parameter on every process.
/// </para>
/// <para>
/// With <see cref="ShardGranularity.Range"/> the rule must be elementwise (<see cref="ElementwiseOptimizer{T}"/>): each
/// element of θ and of the state is then computed from that element alone and per-step scalars, so the shares together
/// give the same bits as the unsharded data-parallel step. Rules that need a whole parameter at once shard with
/// <see cref="ShardGranularity.WholeParameter"/>, which hands the factory whole parameters only.
/// </para>
/// <para>
/// The optimizer state per process drops from the full parameter count to about 1/N of it; the parameters and their
/// gradients stay whole on every process (that is ZeRO stage 1), and one buffer of the total length is kept for the
/// collectives. A process whose share is empty (fewer elements, or whole parameters, than processes) builds the rule
/// over one placeholder element that it steps with a zero gradient and never gathers, so that every process keeps the
/// same step counts and settings.
/// </para>
/// <para>Thread safety: not thread-safe; every process must call <see cref="Step"/> the same number of times.</para>
/// </remarks>
public sealed class ShardedOptimizer<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;
    private readonly GradientBuffer<T> _buffer;
    private readonly (int Parameter, int Start, int Length)[] _pieces;
    private readonly Parameter<T>[] _shardParameters;
    private readonly T[] _send;
    private readonly int[] _counts;
    private readonly int[] _displacements;
    private bool _averaged;

    /// <summary>
    /// Copies the parameters' values from rank 0 to every process, cuts them into shares and builds the rule over this
    /// process's share. Every process must call it, in the same order as its other collectives.
    /// </summary>
    /// <param name="parameters">All parameters of the model, the same names and lengths on every process.</param>
    /// <param name="rule">Builds the rule over the given parameters, for example <c>ps =&gt; new Adam&lt;float&gt;(ps, learningRate: 1e-3)</c>;
    /// called once, with this process's share, and must return an optimizer over exactly those parameters.</param>
    /// <param name="granularity">Ranges (elementwise rules) or whole parameters.</param>
    /// <param name="communicator">The processes; <see cref="Communicator.World"/> if null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The parameters are empty, hold null, or hold more than 2³¹ − 1 elements in all; the rule returned an optimizer over
    /// other parameters; or the granularity is <see cref="ShardGranularity.Range"/> and the rule is not elementwise.
    /// </exception>
    public ShardedOptimizer(IEnumerable<Parameter<T>> parameters, Func<IReadOnlyList<Parameter<T>>, Optimizer<T>> rule,
                            ShardGranularity granularity = ShardGranularity.Range, Communicator? communicator = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(rule);
        _parameters = [.. parameters];
        if (_parameters.Length == 0 || _parameters.Any(p => p is null))
        {
            throw new ArgumentException("parameters must hold at least one parameter and no null.", nameof(parameters));
        }

        if (_parameters.Sum(p => (long)p.Length) > Array.MaxLength)
        {
            throw new ArgumentException("The parameters hold more elements than one array can.", nameof(parameters));
        }

        Communicator = communicator ?? Communicator.World;
        Layout = new ShardLayout([.. _parameters.Select(p => p.Length)], Communicator.Size, granularity);
        _buffer = new GradientBuffer<T>(_parameters);
        _buffer.BroadcastValues(Communicator);

        _pieces = [.. Layout.Pieces(Communicator.Rank)];
        _shardParameters = _pieces.Length > 0
            ? [.. _pieces.Select(p => Piece(_parameters[p.Parameter], PieceName(p), p.Start, p.Length))]
            : [new Parameter<T>("(empty shard)", new T[1])];
        Shard = rule(Array.AsReadOnly(_shardParameters));
        if (Shard is null || Shard.Parameters.Count != _shardParameters.Length
            || !Shard.Parameters.Select((p, i) => ReferenceEquals(p, _shardParameters[i])).All(same => same))
        {
            throw new ArgumentException("rule must return an optimizer over exactly the parameters it is given, in their order.", nameof(rule));
        }

        if (granularity == ShardGranularity.Range && Shard is not ElementwiseOptimizer<T>)
        {
            throw new ArgumentException(
                $"{Shard.GetType().Name} is not elementwise, so it cannot be sharded by ranges that cut through parameters; "
                + "use ShardGranularity.WholeParameter.", nameof(rule));
        }

        _send = new T[checked((int)Layout.Length(Communicator.Rank))];
        _counts = [.. Enumerable.Range(0, Communicator.Size).Select(r => checked((int)Layout.Length(r)))];
        _displacements = [.. Enumerable.Range(0, Communicator.Size).Select(r => checked((int)Layout.Start(r)))];
    }

    /// <summary>The processes.</summary>
    public Communicator Communicator { get; }

    /// <summary>How the parameters are cut among the processes.</summary>
    public ShardLayout Layout { get; }

    /// <summary>The rule over this process's share: its state is this process's part of the optimizer state.</summary>
    public Optimizer<T> Shard { get; }

    /// <summary>This process's share: pieces of the parameters, named "name[start:end]", in their own arrays.</summary>
    public IReadOnlyList<Parameter<T>> ShardParameters => _shardParameters;

    /// <inheritdoc />
    public IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <inheritdoc />
    public double LearningRate
    {
        get => Shard.LearningRate;
        set => Shard.LearningRate = value;
    }

    /// <summary>True when the gradients have been averaged since the last step or <see cref="ZeroGrad"/>.</summary>
    public bool GradientsAveraged => _averaged;

    /// <summary>
    /// Averages every parameter's gradient over the processes, unless that has been done since the last step or
    /// <see cref="ZeroGrad"/> (see <see cref="DataParallel{T}.AverageGradients"/>); every process must call it.
    /// </summary>
    public void AverageGradients()
    {
        if (!_averaged)
        {
            _buffer.AverageGradients(Communicator);
            _averaged = true;
        }
    }

    /// <inheritdoc cref="TryStep"/>
    public void Step() => TryStep();

    /// <summary>
    /// Averages the gradients (unless already done), checks them as the rule's <see cref="Optimizer.NonFiniteGradients"/>
    /// says, steps this process's share and all-gathers the shares.
    /// </summary>
    /// <returns>True when the parameters were updated; false when every process skipped the step.</returns>
    /// <exception cref="NonFiniteGradientException">An averaged gradient is not finite and the policy is to throw: on
    /// every process, naming the full parameter; nothing changed.</exception>
    public bool TryStep()
    {
        AverageGradients();
        _averaged = false;
        var policy = Shard.NonFiniteGradients;
        if (policy != NonFiniteGradientPolicy.Propagate && FirstNonFinite() is { } bad)
        {
            if (policy == NonFiniteGradientPolicy.Skip)
            {
                Shard.SkippedStepCount++;
                return false;
            }

            var parameter = _parameters[bad.Parameter];
            throw new NonFiniteGradientException(parameter.Name, bad.Index, double.CreateTruncating(parameter.GradientSpan[bad.Index]));
        }

        for (int i = 0; i < _pieces.Length; i++)
        {
            var (p, start, length) = _pieces[i];
            _parameters[p].GradientSpan.Slice(start, length).CopyTo(_shardParameters[i].GradientArray);
            _parameters[p].ValueSpan.Slice(start, length).CopyTo(_shardParameters[i].ValueSpan);
        }

        Shard.Step();

        int offset = 0;
        for (int i = 0; i < _pieces.Length; i++)
        {
            _shardParameters[i].ValueSpan.CopyTo(_send.AsSpan(offset));
            offset += _pieces[i].Length;
        }

        var all = _buffer.Values.AsSpan();
        Communicator.AllGather<T>(_send, all, _counts, _displacements);
        for (int p = 0; p < _parameters.Length; p++)
        {
            all.Slice((int)_buffer.Offsets[p], _parameters[p].Length).CopyTo(_parameters[p].ValueSpan);
        }

        return true;
    }

    /// <inheritdoc />
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            parameter.ZeroGrad();
        }

        _averaged = false;
    }

    /// <summary>Checks that every process holds the same bits in every parameter as rank 0 (see <see cref="DataParallel{T}.VerifySameParameters"/>).</summary>
    /// <exception cref="InvalidOperationException">Some process differs: thrown on every process, naming the first differing parameter.</exception>
    public void VerifySameParameters() => _buffer.VerifySameValues(Communicator, Shard.StepCount);

    /// <summary>A copy of a range of <paramref name="parameter"/>: with its shape when the range is the whole parameter
    /// (a rule such as Muon or Adafactor reads it), rank 1 otherwise (only elementwise rules take ranges).</summary>
    private static Parameter<T> Piece(Parameter<T> parameter, string name, int start, int length)
    {
        var values = parameter.ValueSpan.Slice(start, length).ToArray();
        return start == 0 && length == parameter.Length
            ? Parameter<T>.ShapedLike(parameter, name, values)
            : new Parameter<T>(name, values);
    }

    private string PieceName((int Parameter, int Start, int Length) piece)
        => $"{_parameters[piece.Parameter].Name}[{piece.Start}:{piece.Start + piece.Length}]";

    /// <summary>The first non-finite averaged gradient element in parameter order (the same on every process), or null.</summary>
    private (int Parameter, int Index)? FirstNonFinite()
    {
        for (int p = 0; p < _parameters.Length; p++)
        {
            int bad = Elementwise.IndexOfNonFinite(_parameters[p].GradientSpan);
            if (bad >= 0)
            {
                return (p, bad);
            }
        }

        return null;
    }
}
