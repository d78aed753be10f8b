using System.Diagnostics.CodeAnalysis;

namespace Optimizers;

/// <summary>
/// What every update rule shares whatever its element type: the learning rate, the step count, the non-finite
/// gradient guard, parallelism and the recorded hyperparameters. Rules derive from <see cref="Optimizer{T}"/>, which
/// adds the parameters and the per-parameter state.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Step"/> first checks every gradient as <see cref="NonFiniteGradients"/> says, then increments the step
/// count t and updates every parameter with t. Because the check runs before anything is written, a bad gradient
/// leaves every parameter and all state untouched.
/// </para>
/// <para>
/// Hold a rule as <see cref="Optimizer"/> when only these settings matter (a training loop, a schedule); hold it as
/// <see cref="Optimizer{T}"/> (for example <c>Optimizer&lt;double&gt;</c>) to reach its <see cref="Optimizer{T}.Parameters"/>
/// and state.
/// </para>
/// <para>
/// Thread safety: instances are not thread-safe. Distinct optimizers over distinct parameters may be stepped from
/// different threads concurrently. A <see cref="Step"/> or <see cref="TryStep"/> entered while another step of the same
/// instance is running (on another thread, or from inside the step) throws <see cref="InvalidOperationException"/> and
/// changes nothing, instead of corrupting the state; the other members are not guarded.
/// </para>
/// </remarks>
public abstract class Optimizer : IOptimizer
{
    private readonly List<KeyValuePair<string, double>> _hyperparameters = [];
    private readonly List<RestorableSetting> _settings = [];
    private double _learningRate;
    private NonFiniteGradientPolicy _nonFiniteGradients = NonFiniteGradientPolicy.Throw;
    private int _maxDegreeOfParallelism = 1;
    private int _minimumPartLength = DefaultMinimumPartLength;
    private int _stepping;

    /// <summary>Validates and stores the learning rate (the parameters are validated by <see cref="Optimizer{T}"/>).</summary>
    private protected Optimizer(double learningRate)
    {
        _learningRate = Check.NonNegativeFinite(learningRate, nameof(learningRate));
        _settings.Add(new RestorableSetting("lr", () => LearningRate, v => LearningRate = v!.Value, IsLearningRate));
        _settings.Add(new RestorableSetting("initial_lr", () => InitialLearningRate, v => InitialLearningRate = v, IsLearningRate, Optional: true));
    }

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
    /// rules derived from <see cref="ElementwiseOptimizer{T}"/> (every rule in this library), the update itself run
    /// part by part on a small pool of background threads shared by the process (one fewer than
    /// <see cref="Environment.ProcessorCount"/>) plus the calling thread. No memory is allocated per step, and the
    /// result is identical bit for bit to the single-threaded path: each element sees the same operations in the
    /// same order. Rules not derived from <see cref="ElementwiseOptimizer{T}"/> still update on the calling thread.
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
            PartitionChanged();
        }
    }

    /// <summary>The smallest part <see cref="MaxDegreeOfParallelism"/> cuts: about 0.5 MB or more of memory
    /// traffic (≥ 2 streams × 8 bytes per element in double), tens of microseconds of work against a few
    /// microseconds to wake a thread.</summary>
    internal const int DefaultMinimumPartLength = 1 << 15;

    /// <summary>The smallest part, in elements (tests lower it to split small parameters).</summary>
    internal int MinimumPartLength
    {
        get => _minimumPartLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _minimumPartLength = value;
            PartitionChanged();
        }
    }

    /// <summary>The rule's name, as checkpoints record it: the class name without its type argument
    /// (<c>Adam</c> for both <see cref="Adam"/> and <c>Adam&lt;float&gt;</c>).</summary>
    internal string RuleName => RuleNameOf(GetType());

    /// <summary>The element type of the parameters and state: <see cref="float"/> or <see cref="double"/>.</summary>
    internal abstract Type ElementType { get; }

    /// <summary>The number of parameters.</summary>
    internal abstract int ParameterCount { get; }

    /// <summary>The name and length of parameter <paramref name="index"/>.</summary>
    internal abstract (string Name, int Length) ParameterShape(int index);

    /// <summary>The shape of parameter <paramref name="index"/> as torch writes it: [n] (rank 1) or [rows, columns] (rank 2).</summary>
    internal abstract IReadOnlyList<int> ParameterDimensions(int index);

    /// <summary>The per-parameter state, by name, element-type-agnostic (for checkpoints).</summary>
    internal abstract IStateRegistry State { get; }

    /// <inheritdoc />
    /// <remarks>The same as <see cref="TryStep"/>, without its result.</remarks>
    /// <exception cref="NonFiniteGradientException">
    /// A gradient holds NaN or ±∞ and <see cref="NonFiniteGradients"/> is <see cref="NonFiniteGradientPolicy.Throw"/>
    /// (nothing was modified).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// This optimizer is a group of a parameter-groups optimizer, or another step of it is running (see
    /// <see cref="TryStep"/>).
    /// </exception>
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
    /// <exception cref="InvalidOperationException">
    /// This optimizer is a group of a parameter-groups optimizer, or another step of it is running: on another thread,
    /// or this call comes from inside a step, or it is a schedule-free rule in evaluation mode
    /// (<see cref="ScheduleFreeOptimizer{T}.IsTraining"/> false). The call changes nothing, and the running step goes on undisturbed.
    /// </exception>
    public bool TryStep()
    {
        if (Owner is not null)
        {
            throw new InvalidOperationException(Owner is IOptimizerWrapper
                ? $"This {RuleName} is wrapped by a {RuleNameOf(Owner.GetType())}; step that, which steps this one."
                : $"This {RuleName} is a group of a ParameterGroups; step the ParameterGroups, which steps every group together.");
        }

        ThrowIfCannotStep();
        EnterStep(ref _stepping, this);
        try
        {
            if (!GradientsPass(_nonFiniteGradients))
            {
                SkippedStepCount++;
                return false;
            }

            Update();
            return true;
        }
        finally
        {
            Volatile.Write(ref _stepping, 0);
        }
    }

    /// <inheritdoc />
    public abstract void ZeroGrad();

    /// <summary>The names of the per-parameter state this rule keeps (for example "momentum_buffer"), in creation order.</summary>
    public IReadOnlyCollection<string> StateNames => State.Names;

    /// <summary>The parameter-groups optimizer this optimizer is a group of, or null.</summary>
    internal object? Owner { get; set; }

    /// <summary>The hyperparameters recorded by the rule (not the learning rate), in recording order.</summary>
    internal IReadOnlyList<KeyValuePair<string, double>> Hyperparameters => _hyperparameters;

    /// <summary>
    /// The settings that may change between steps and that checkpoints therefore save and restore instead of comparing:
    /// the learning rate ("lr") always and <see cref="InitialLearningRate"/> ("initial_lr") once set, in creation order.
    /// </summary>
    internal IReadOnlyList<RestorableSetting> Settings => _settings;

    /// <summary>
    /// torch's <c>initial_lr</c>: the base learning rate η₀ that every schedule built on this optimizer (or on this
    /// group) shares. The first schedule built sets it to the learning rate of that moment, later ones read it
    /// (torch's <c>group.setdefault('initial_lr', group['lr'])</c>); <see cref="Schedules.OneCycleLR"/> replaces it.
    /// Null until a schedule is built. Saved and restored by checkpoints.
    /// </summary>
    internal double? InitialLearningRate { get; set; }

    /// <summary>
    /// Applies <paramref name="policy"/> to every gradient without writing anything: true when the step may go
    /// ahead, false when it must be skipped; throws under <see cref="NonFiniteGradientPolicy.Throw"/>.
    /// </summary>
    internal abstract bool GradientsPass(NonFiniteGradientPolicy policy);

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> if this rule cannot step in its present state (a schedule-free
    /// rule in evaluation mode); called before anything else of a step, so the step changes nothing. Does nothing unless overridden.
    /// </summary>
    internal virtual void ThrowIfCannotStep()
    {
    }

    /// <summary>Adds a setting that checkpoints save and restore (see <see cref="Settings"/>); call from the constructor.</summary>
    internal void AddSetting(RestorableSetting setting) => _settings.Add(setting);

    /// <summary>Updates every parameter with t = <see cref="StepCount"/> + 1, then counts the step. No check.</summary>
    internal abstract void Update();

    /// <summary>Forgets the parallel plan after <see cref="MaxDegreeOfParallelism"/> or <see cref="MinimumPartLength"/> changed.</summary>
    private protected abstract void PartitionChanged();

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

    /// <summary>
    /// Registers a hyperparameter that a schedule may change between steps (a cycled momentum or β₁) as an optional
    /// setting: checkpoints save it while it differs from its constructor value and restore it (a checkpoint without
    /// it puts the constructor value back), while the constructor value stays a compared hyperparameter.
    /// </summary>
    private protected void AddCycledSetting(string name, Func<double> get, Action<double> set, double constructed, Func<double, bool> isValid)
        => _settings.Add(new RestorableSetting(name, () => get() is var v && v.Equals(constructed) ? null : v,
                                               v => set(v ?? constructed), isValid, Optional: true));

    /// <summary>Records a flag as the hyperparameter 1 (true) or 0 (false); see <see cref="RecordHyperparameter(string, double)"/>.</summary>
    /// <param name="name">A unique name, in PyTorch's spelling where one exists (for example "nesterov").</param>
    /// <param name="value">The flag.</param>
    /// <exception cref="ArgumentException">The name is empty or already recorded.</exception>
    protected void RecordHyperparameter(string name, bool value) => RecordHyperparameter(name, value ? 1.0 : 0.0);

    /// <summary>
    /// Sets <paramref name="stepping"/> from 0 to 1 atomically (one interlocked exchange, no allocation), or throws if
    /// it was 1 already: a step of <paramref name="stepped"/> is running. The caller resets it to 0 when its step ends.
    /// </summary>
    internal static void EnterStep(ref int stepping, object stepped)
    {
        if (Interlocked.Exchange(ref stepping, 1) != 0)
        {
            ThrowStepRunning(stepped);
        }
    }

    [DoesNotReturn]
    private static void ThrowStepRunning(object stepped) => throw new InvalidOperationException(
        $"Step() or TryStep() of this {(stepped is Optimizer o ? o.RuleName : RuleNameOf(stepped.GetType()))} was called while " +
        "another step of it is running (on another thread, or from inside the step); it is stepped by one thread at a " +
        "time. This call changed nothing.");

    private static bool IsLearningRate(double value) => double.IsFinite(value) && value >= 0;

    /// <summary>A type's name without the arity suffix of a generic type (<c>Adam`1</c> → <c>Adam</c>).</summary>
    internal static string RuleNameOf(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
