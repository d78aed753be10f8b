using System.Collections.ObjectModel;
using System.Numerics;

namespace Optimizers;

/// <summary>
/// Shared plumbing for the update rules over parameters of element type <typeparamref name="T"/>: the parameter list,
/// the per-parameter state registry, the non-finite gradient guard and the step. A rule derives from it and supplies
/// <see cref="UpdateParameter"/>.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> (single precision) or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// <see cref="Optimizer.Step"/> first checks every gradient as <see cref="Optimizer.NonFiniteGradients"/> says, then
/// increments the step count t and calls <see cref="UpdateParameter"/> once per parameter with t. Because the check
/// runs before anything is written, a bad gradient leaves every parameter and all state untouched.
/// </para>
/// <para>
/// Each rule records its hyperparameters by name (<see cref="Optimizer.RecordHyperparameter(string, double)"/>) and its
/// per-parameter state by name (<see cref="AddVectorState(string, double)"/>, <see cref="AddScalarState"/>); checkpoints
/// (<see cref="Checkpoints.Checkpoint"/>) save and verify exactly those, with no code per rule. State is kept in the
/// element type: a single-precision rule keeps single-precision moments.
/// </para>
/// <para>
/// Rules whose arithmetic is elementwise derive from <see cref="ElementwiseOptimizer{T}"/> instead; with
/// <see cref="Optimizer.MaxDegreeOfParallelism"/> above 1 their parameters are then cut into ranges that are updated on
/// several threads, with results identical bit for bit to the single-threaded path.
/// </para>
/// <para>
/// Thread safety: instances are not thread-safe. Distinct optimizers over distinct parameters may be
/// stepped from different threads concurrently; a step entered while another step of the same instance is running
/// throws <see cref="InvalidOperationException"/> (see <see cref="Optimizer.TryStep"/>).
/// </para>
/// </remarks>
public abstract class Optimizer<T> : Optimizer, IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;
    private readonly StateRegistry<T> _state = new();
    private StepPartition? _partition;
    private GuardWork? _guard;

    /// <summary>Validates and stores the parameters and the learning rate.</summary>
    /// <param name="parameters">The parameters to update: at least one, none null, none repeated, each over its own array.</param>
    /// <param name="learningRate">The learning rate α: finite and ≥ 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The list is empty, holds null, holds the same parameter twice, or holds two parameters over the same array (two
    /// <see cref="Parameter{T}"/> objects built over one array or over vectors that wrap it, or one built over another's
    /// <see cref="Parameter{T}.Gradient"/>).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is NaN, infinite or negative.</exception>
#pragma warning disable RS0022 // by design: Optimizer's protected members (RecordHyperparameter) are for rules derived from Optimizer<T>
    protected Optimizer(IEnumerable<Parameter<T>> parameters, double learningRate)
#pragma warning restore RS0022
        : this(Check.Parameters(parameters, nameof(parameters)), learningRate)
    {
    }

    private Optimizer(Parameter<T>[] parameters, double learningRate)
        : base(learningRate)
    {
        _parameters = parameters;
        Parameters = new ReadOnlyCollection<Parameter<T>>(_parameters);
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>
    /// The state vector <paramref name="name"/> of the parameter at <paramref name="index"/>, as the rule keeps it: as
    /// long as that parameter for elementwise state, of the length the rule gives it otherwise (Adafactor's "row_var"
    /// has one element per row of a rank-2 parameter and none for a rank-1 one).
    /// </summary>
    /// <param name="name">One of <see cref="Optimizer.StateNames"/> that is a vector.</param>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>.</param>
    /// <exception cref="KeyNotFoundException">This rule keeps no vector state of that name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not less than the number of parameters.</exception>
    public ReadOnlySpan<T> GetState(string name, int index) => _state.Vector(name, RuleName)[ParameterIndex(index)];

    /// <summary>The scalar state <paramref name="name"/> of the parameter at <paramref name="index"/>.</summary>
    /// <param name="name">One of <see cref="Optimizer.StateNames"/> that is a scalar.</param>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>.</param>
    /// <exception cref="KeyNotFoundException">This rule keeps no scalar state of that name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not less than the number of parameters.</exception>
    public T GetScalarState(string name, int index) => _state.Scalar(name, RuleName)[ParameterIndex(index)];

    /// <inheritdoc />
    public sealed override void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>The plan for the current setting, built on first use after a change.</summary>
    internal StepPartition Partition =>
        _partition ??= new StepPartition(Array.ConvertAll(_parameters, p => p.Length), MaxDegreeOfParallelism, MinimumPartLength);

    /// <summary>The parameters, indexed like <see cref="Parameters"/>.</summary>
    internal Parameter<T>[] ParameterArray => _parameters;

    /// <summary>Every registered state vector, by name (for checkpoints and tests).</summary>
    internal IReadOnlyDictionary<string, T[][]> VectorStates => _state.Vectors;

    /// <summary>Every registered per-parameter scalar, by name (for checkpoints and tests).</summary>
    internal IReadOnlyDictionary<string, T[]> ScalarStates => _state.Scalars;

    internal sealed override Type ElementType => typeof(T);

    internal sealed override int ParameterCount => _parameters.Length;

    internal sealed override IStateRegistry State => _state;

    internal sealed override (string Name, int Length) ParameterShape(int index)
        => (_parameters[index].Name, _parameters[index].Length);

    internal sealed override IReadOnlyList<int> ParameterDimensions(int index) => _parameters[index].Shape;

    internal sealed override bool GradientsPass(NonFiniteGradientPolicy policy)
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
            : throw new NonFiniteGradientException(parameter.Name, badIndex, double.CreateTruncating(parameter.GradientSpan[badIndex]));
    }

    internal sealed override void Update()
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

    /// <summary>
    /// Creates a named state vector for every parameter (each as long as its parameter, filled with
    /// <paramref name="initialValue"/> rounded to <typeparamref name="T"/>) and registers it, so that inspection and
    /// checkpoints see it. Call from the constructor.
    /// </summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "exp_avg").</param>
    /// <param name="initialValue">The value of every element before the first step.</param>
    /// <returns>One array per parameter, indexed like <see cref="Parameters"/>.</returns>
    protected T[][] AddVectorState(string name, double initialValue = 0)
        => _state.AddVectors(name, _parameters.Select(p => p.Length), T.CreateTruncating(initialValue));

    /// <summary>
    /// Creates a named state vector per parameter of the length <paramref name="length"/> gives for it (0 when the
    /// parameter does not use this state), filled with <paramref name="initialValue"/> rounded to <typeparamref name="T"/>,
    /// and registers it: state not shaped like its parameter (row and column statistics). Checkpoints record each
    /// vector's length. Call from the constructor.
    /// </summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "row_var").</param>
    /// <param name="length">The length of the vector of a parameter, ≥ 0.</param>
    /// <param name="initialValue">The value of every element before the first step.</param>
    /// <returns>One array per parameter, indexed like <see cref="Parameters"/>.</returns>
    private protected T[][] AddVectorState(string name, Func<Parameter<T>, int> length, double initialValue = 0)
        => _state.AddVectors(name, _parameters.Select(length), T.CreateTruncating(initialValue));

    /// <summary>Creates a named scalar per parameter and registers it (see <see cref="AddVectorState(string, double)"/>).</summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "mu_product").</param>
    /// <param name="initialValue">The value before the first step, rounded to <typeparamref name="T"/>.</param>
    /// <returns>One scalar per parameter, indexed like <see cref="Parameters"/>.</returns>
    protected T[] AddScalarState(string name, double initialValue = 0)
        => _state.AddScalars(name, _parameters.Length, T.CreateTruncating(initialValue));

    /// <summary>Applies the rule to one parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>, for per-parameter state.</param>
    /// <param name="value">θ, updated in place.</param>
    /// <param name="gradient">∇J(θ); finite unless <see cref="Optimizer.NonFiniteGradients"/> is <see cref="NonFiniteGradientPolicy.Propagate"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected abstract void UpdateParameter(int index, Span<T> value, ReadOnlySpan<T> gradient, long step);

    /// <summary>
    /// Updates every parameter part by part on several threads, if this rule can (see <see cref="ElementwiseOptimizer{T}"/>);
    /// returns false, having done nothing, if it cannot.
    /// </summary>
    internal virtual bool UpdateInParts(StepPartition partition, long step) => false;

    private protected sealed override void PartitionChanged() => _partition = null;

    /// <summary><paramref name="index"/> if it is a position in <see cref="Parameters"/>; otherwise throws naming it.</summary>
    private int ParameterIndex(int index) => (uint)index < (uint)_parameters.Length
        ? index
        : throw new ArgumentOutOfRangeException(
            nameof(index), index,
            $"index must be the position of a parameter in Parameters, 0 to {_parameters.Length - 1} for this {RuleName}; got {index}.");

    /// <summary>
    /// Finds the first NaN or ±∞ among all gradients (in parameter order), part by part on the worker pool when
    /// <see cref="Optimizer.MaxDegreeOfParallelism"/> splits the parameters; read-only.
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

    /// <summary>The non-finite check, part by part; reports the same element as the single-threaded loop.</summary>
    private sealed class GuardWork(Optimizer<T> owner) : IPartitionedWork
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
