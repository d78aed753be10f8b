using System.Collections.ObjectModel;

namespace Optimizers;

/// <summary>
/// Shared plumbing for the update rules: the parameter list, the learning rate, the step count and the
/// non-finite gradient guard. A rule derives from it and supplies <see cref="UpdateParameter"/>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Step"/> first checks every gradient as <see cref="NonFiniteGradients"/> says, then increments the
/// step count t and calls <see cref="UpdateParameter"/> once per parameter with t. Because the check runs before
/// anything is written, a bad gradient leaves every parameter and all state untouched.
/// </para>
/// <para>
/// Each rule records its hyperparameters by name (<see cref="RecordHyperparameter(string, double)"/>) and its
/// per-parameter state by name (<see cref="AddVectorState"/>, <see cref="AddScalarState"/>); checkpoints
/// (<see cref="Checkpoints.Checkpoint"/>) save and verify exactly those, with no code per rule.
/// </para>
/// <para>
/// Rules whose arithmetic is elementwise derive from <see cref="ElementwiseOptimizer"/> instead; with
/// <see cref="MaxDegreeOfParallelism"/> above 1 their parameters are then cut into ranges that are updated on
/// several threads, with results identical bit for bit to the single-threaded path.
/// </para>
/// <para>
/// Thread safety: instances are not thread-safe. Distinct optimizers over distinct parameters may be
/// stepped from different threads concurrently.
/// </para>
/// </remarks>
public abstract class Optimizer : IOptimizer
{
    private readonly Parameter[] _parameters;
    private readonly Dictionary<string, double[][]> _vectorState = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[]> _scalarState = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, double>> _hyperparameters = [];
    private double _learningRate;
    private NonFiniteGradientPolicy _nonFiniteGradients = NonFiniteGradientPolicy.Throw;
    private int _maxDegreeOfParallelism = 1;
    private int _minimumPartLength = DefaultMinimumPartLength;
    private StepPartition? _partition;
    private GuardWork? _guard;

    /// <summary>Validates and stores the parameters and the learning rate.</summary>
    /// <param name="parameters">The parameters to update: at least one, none null, none repeated.</param>
    /// <param name="learningRate">The learning rate α: finite and ≥ 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds null or holds the same parameter twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is NaN, infinite or negative.</exception>
    protected Optimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        _parameters = Check.Parameters(parameters, nameof(parameters));
        _learningRate = Check.NonNegativeFinite(learningRate, nameof(learningRate));
        Parameters = new ReadOnlyCollection<Parameter>(_parameters);
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN, infinite or negative.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Check.NonNegativeFinite(value, nameof(LearningRate));
    }

    /// <summary>The number of completed <see cref="Step"/> calls (t in the equations after the step); skipped steps do not count.</summary>
    public long StepCount { get; internal set; }

    /// <summary>The number of steps skipped under <see cref="NonFiniteGradientPolicy.Skip"/>.</summary>
    public long SkippedStepCount { get; internal set; }

    /// <summary>
    /// What <see cref="Step"/> does with a gradient that holds NaN or ±∞: <see cref="NonFiniteGradientPolicy.Throw"/>
    /// (the default), <see cref="NonFiniteGradientPolicy.Skip"/> or <see cref="NonFiniteGradientPolicy.Propagate"/>
    /// (no check: PyTorch's behaviour, the raw-speed opt-out). May be changed between steps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined policy.</exception>
    public NonFiniteGradientPolicy NonFiniteGradients
    {
        get => _nonFiniteGradients;
        set => _nonFiniteGradients = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NonFiniteGradients), value, "Unknown non-finite gradient policy.");
    }

    /// <summary>
    /// The most threads one <see cref="Step"/> may use (default 1: everything on the calling thread).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Above 1, the parameters are laid end to end and cut into at most this many contiguous parts of at least
    /// 32,768 elements each: a large parameter is split, many small ones are grouped. The gradient check and, for
    /// rules derived from <see cref="ElementwiseOptimizer"/> (every rule in this library), the update itself run
    /// part by part on a small pool of background threads shared by the process (one fewer than
    /// <see cref="Environment.ProcessorCount"/>) plus the calling thread. No memory is allocated per step, and the
    /// result is identical bit for bit to the single-threaded path: each element sees the same operations in the
    /// same order. Rules not derived from <see cref="ElementwiseOptimizer"/> still update on the calling thread.
    /// </para>
    /// <para>
    /// An update is limited by memory bandwidth, so more threads help only while they add bandwidth: try
    /// <see cref="Environment.ProcessorCount"/> for models of a million elements or more, and measure (on 2 cores, one
    /// parameter of 10⁷ elements: 2 threads take 0.56–0.69× of the time of the fastest one-thread kernel, see
    /// bench/README.md). The default is 1 so that the library never competes with the caller's own threads unasked;
    /// models smaller than two parts (65,536 elements) are never split. Setting it during a <see cref="Step"/> on another thread is not supported.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxDegreeOfParallelism));
            _maxDegreeOfParallelism = value;
            _partition = null;
        }
    }

    /// <summary>The smallest part <see cref="MaxDegreeOfParallelism"/> cuts: about 0.5 MB or more of memory
    /// traffic (≥ 2 streams × 8 bytes per element), tens of microseconds of work against a few microseconds to
    /// wake a thread.</summary>
    internal const int DefaultMinimumPartLength = 1 << 15;

    /// <summary>The smallest part, in elements (tests lower it to split small parameters).</summary>
    internal int MinimumPartLength
    {
        get => _minimumPartLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _minimumPartLength = value;
            _partition = null;
        }
    }

    /// <summary>The plan for the current setting, built on first use after a change.</summary>
    internal StepPartition Partition =>
        _partition ??= new StepPartition(Array.ConvertAll(_parameters, p => p.Length), _maxDegreeOfParallelism, _minimumPartLength);

    /// <summary>The parameters, indexed like <see cref="Parameters"/>.</summary>
    internal Parameter[] ParameterArray => _parameters;

    /// <inheritdoc />
    /// <remarks>The same as <see cref="TryStep"/>, without its result.</remarks>
    /// <exception cref="NonFiniteGradientException">
    /// A gradient holds NaN or ±∞ and <see cref="NonFiniteGradients"/> is <see cref="NonFiniteGradientPolicy.Throw"/>
    /// (nothing was modified).
    /// </exception>
    /// <exception cref="InvalidOperationException">This optimizer is a group of a <see cref="ParameterGroups"/>.</exception>
    public void Step() => TryStep();

    /// <summary>
    /// Performs one update of every parameter, unless a gradient is not finite and <see cref="NonFiniteGradients"/>
    /// is <see cref="NonFiniteGradientPolicy.Skip"/>: then nothing is modified, <see cref="SkippedStepCount"/> grows
    /// by one and the result is false.
    /// </summary>
    /// <returns>True when the parameters were updated; false when the step was skipped.</returns>
    /// <exception cref="NonFiniteGradientException">
    /// A gradient holds NaN or ±∞ and <see cref="NonFiniteGradients"/> is <see cref="NonFiniteGradientPolicy.Throw"/>
    /// (nothing was modified): the policy decides, not the method.
    /// </exception>
    /// <exception cref="InvalidOperationException">This optimizer is a group of a <see cref="ParameterGroups"/>.</exception>
    public bool TryStep()
    {
        if (Owner is not null)
        {
            throw new InvalidOperationException(
                $"This {GetType().Name} is a group of a ParameterGroups; step the ParameterGroups, which steps every group together.");
        }

        if (!GradientsPass(_nonFiniteGradients))
        {
            SkippedStepCount++;
            return false;
        }

        Update();
        return true;
    }

    /// <summary>
    /// Applies <paramref name="policy"/> to every gradient without writing anything: true when the step may go
    /// ahead, false when it must be skipped; throws under <see cref="NonFiniteGradientPolicy.Throw"/>.
    /// </summary>
    internal bool GradientsPass(NonFiniteGradientPolicy policy)
    {
        if (policy == NonFiniteGradientPolicy.Propagate)
        {
            return true;
        }

        if (!FindNonFinite(out int badParameter, out int badIndex))
        {
            return true;
        }

        var parameter = _parameters[badParameter];
        return policy == NonFiniteGradientPolicy.Skip
            ? false
            : throw new NonFiniteGradientException(parameter.Name, badIndex, parameter.GradientSpan[badIndex]);
    }

    /// <summary>
    /// Finds the first NaN or ±∞ among all gradients (in parameter order), part by part on the worker pool when
    /// <see cref="MaxDegreeOfParallelism"/> splits the parameters; read-only.
    /// </summary>
    private bool FindNonFinite(out int parameterIndex, out int elementIndex)
    {
        var partition = Partition;
        if (partition.Parts > 1)
        {
            return (_guard ??= new GuardWork(this)).Find(partition, out parameterIndex, out elementIndex);
        }

        for (int i = 0; i < _parameters.Length; i++)
        {
            int bad = Elementwise.IndexOfNonFinite(_parameters[i].GradientSpan);
            if (bad >= 0)
            {
                parameterIndex = i;
                elementIndex = bad;
                return true;
            }
        }

        parameterIndex = elementIndex = -1;
        return false;
    }

    /// <summary>Updates every parameter with t = <see cref="StepCount"/> + 1, then counts the step. No check.</summary>
    internal void Update()
    {
        long t = StepCount + 1;
        var partition = Partition;
        if (partition.Parts == 1 || !UpdateInParts(partition, t))
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                UpdateParameter(i, _parameters[i].ValueSpan, _parameters[i].GradientSpan, t);
            }
        }

        StepCount = t;
    }

    /// <summary>The <see cref="ParameterGroups"/> this optimizer is a group of, or null.</summary>
    internal ParameterGroups? Owner { get; set; }

    /// <summary>The hyperparameters recorded by the rule (not the learning rate), in recording order.</summary>
    internal IReadOnlyList<KeyValuePair<string, double>> Hyperparameters => _hyperparameters;

    /// <summary>
    /// Records a hyperparameter by name so that checkpoints can verify it (a checkpoint only loads into an optimizer
    /// whose hyperparameters are equal). Call from the constructor, once per hyperparameter except the learning rate,
    /// after validating it.
    /// </summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "weight_decay").</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The name is empty or already recorded.</exception>
    protected void RecordHyperparameter(string name, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_hyperparameters.Exists(h => h.Key == name))
        {
            throw new ArgumentException($"Hyperparameter '{name}' is recorded twice.", nameof(name));
        }

        _hyperparameters.Add(new(name, value));
    }

    /// <summary>Records a flag as the hyperparameter 1 (true) or 0 (false); see <see cref="RecordHyperparameter(string, double)"/>.</summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "nesterov").</param>
    /// <param name="value">The flag.</param>
    /// <exception cref="ArgumentException">The name is empty or already recorded.</exception>
    protected void RecordHyperparameter(string name, bool value) => RecordHyperparameter(name, value ? 1.0 : 0.0);

    /// <inheritdoc />
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>The names of the per-parameter state this rule keeps (for example "momentum_buffer"), in creation order.</summary>
    public IReadOnlyCollection<string> StateNames => _vectorState.Keys.Concat(_scalarState.Keys).ToArray();

    /// <summary>The state vector <paramref name="name"/> of the parameter at <paramref name="index"/>, same length as that parameter.</summary>
    /// <param name="name">One of <see cref="StateNames"/> that is a vector.</param>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>.</param>
    /// <exception cref="KeyNotFoundException">This rule keeps no vector state of that name.</exception>
    public ReadOnlySpan<double> GetState(string name, int index) => VectorState(name)[index];

    /// <summary>The scalar state <paramref name="name"/> of the parameter at <paramref name="index"/>.</summary>
    /// <param name="name">One of <see cref="StateNames"/> that is a scalar.</param>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>.</param>
    /// <exception cref="KeyNotFoundException">This rule keeps no scalar state of that name.</exception>
    public double GetScalarState(string name, int index) => ScalarState(name)[index];

    /// <summary>
    /// Creates a named state vector for every parameter (each as long as its parameter, filled with
    /// <paramref name="initialValue"/>) and registers it, so that inspection and checkpoints see it.
    /// Call from the constructor.
    /// </summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "exp_avg").</param>
    /// <param name="initialValue">The value of every element before the first step.</param>
    /// <returns>One array per parameter, indexed like <see cref="Parameters"/>.</returns>
    protected double[][] AddVectorState(string name, double initialValue = 0)
    {
        var state = _parameters.Select(p =>
        {
            var a = new double[p.Length];
            Array.Fill(a, initialValue);
            return a;
        }).ToArray();
        Register(name);
        _vectorState.Add(name, state);
        return state;
    }

    /// <summary>Creates a named scalar per parameter and registers it (see <see cref="AddVectorState"/>).</summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "mu_product").</param>
    /// <param name="initialValue">The value before the first step.</param>
    /// <returns>One scalar per parameter, indexed like <see cref="Parameters"/>.</returns>
    protected double[] AddScalarState(string name, double initialValue = 0)
    {
        var state = new double[_parameters.Length];
        Array.Fill(state, initialValue);
        Register(name);
        _scalarState.Add(name, state);
        return state;
    }

    /// <summary>Every registered state vector, by name (for checkpoints and tests).</summary>
    internal IReadOnlyDictionary<string, double[][]> VectorStates => _vectorState;

    /// <summary>Every registered per-parameter scalar, by name (for checkpoints and tests).</summary>
    internal IReadOnlyDictionary<string, double[]> ScalarStates => _scalarState;

    /// <summary>Applies the rule to one parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>, for per-parameter state.</param>
    /// <param name="value">θ, updated in place.</param>
    /// <param name="gradient">∇J(θ); finite unless <see cref="NonFiniteGradients"/> is <see cref="NonFiniteGradientPolicy.Propagate"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected abstract void UpdateParameter(int index, Span<double> value, ReadOnlySpan<double> gradient, long step);

    /// <summary>
    /// Updates every parameter part by part on several threads, if this rule can (see <see cref="ElementwiseOptimizer"/>);
    /// returns false, having done nothing, if it cannot.
    /// </summary>
    internal virtual bool UpdateInParts(StepPartition partition, long step) => false;

    private void Register(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_vectorState.ContainsKey(name) || _scalarState.ContainsKey(name))
        {
            throw new InvalidOperationException($"State '{name}' is registered twice.");
        }
    }

    private double[][] VectorState(string name) => _vectorState.TryGetValue(name, out var s)
        ? s
        : throw new KeyNotFoundException($"{GetType().Name} keeps no state vector named '{name}'; it keeps: {string.Join(", ", StateNames)}.");

    private double[] ScalarState(string name) => _scalarState.TryGetValue(name, out var s)
        ? s
        : throw new KeyNotFoundException($"{GetType().Name} keeps no scalar state named '{name}'; it keeps: {string.Join(", ", StateNames)}.");

    /// <summary>The non-finite check, part by part; reports the same element as the single-threaded loop.</summary>
    private sealed class GuardWork(Optimizer owner) : IPartitionedWork
    {
        private StepPartition? _partition;
        private int[] _badParameter = [];
        private int[] _badIndex = [];

        /// <summary>The first non-finite gradient element over all parts, in parameter order.</summary>
        public bool Find(StepPartition partition, out int parameterIndex, out int elementIndex)
        {
            if (!ReferenceEquals(partition, _partition))
            {
                _partition = partition;
                _badParameter = new int[partition.Parts];
                _badIndex = new int[partition.Parts];
            }

            WorkerPool.Shared.Run(this, partition.Parts);
            for (int p = 0; p < partition.Parts; p++)
            {
                if (_badParameter[p] >= 0)
                {
                    parameterIndex = _badParameter[p];
                    elementIndex = _badIndex[p];
                    return true;
                }
            }

            parameterIndex = elementIndex = -1;
            return false;
        }

        public void RunPart(int part)
        {
            _badParameter[part] = -1;
            foreach (var slice in _partition!.Slices(part))
            {
                var gradient = owner._parameters[slice.Index].GradientSpan.Slice(slice.Start, slice.Length);
                int bad = Elementwise.IndexOfNonFinite(gradient);
                if (bad >= 0)
                {
                    _badParameter[part] = slice.Index;
                    _badIndex[part] = slice.Start + bad;
                    return;
                }
            }
        }
    }
}
