using System.Numerics;

namespace Optimizers;

/// <summary>
/// What the wrappers (<see cref="Lookahead{T}"/>, <see cref="GradientAccumulation{T}"/>) share: an inner optimizer
/// whose parameters they step, the learning rate (the inner one's), their own step counts, their own non-finite
/// gradient policy and the re-entrancy guard.
/// </summary>
/// <remarks>
/// <para>
/// The inner optimizer is a rule (<see cref="Optimizer{T}"/>), a <see cref="ParameterGroups{T}"/> or another wrapper,
/// so wrappers nest: <c>new Lookahead(new GradientAccumulation(new Adam(p), every: 4))</c>. Once wrapped, the inner
/// optimizer belongs to the wrapper: stepping it directly throws <see cref="InvalidOperationException"/>, and it
/// cannot be wrapped a second time or joined to a <see cref="ParameterGroups{T}"/>.
/// </para>
/// <para>
/// <see cref="NonFiniteGradients"/> is the wrapper's: the outermost wrapper's policy decides, the inner ones' are not
/// used (as with <see cref="ParameterGroups{T}"/>). <see cref="LearningRate"/> is the inner optimizer's, and a
/// learning-rate schedule built on a wrapper drives the inner optimizer (each group of a <see cref="ParameterGroups{T}"/>)
/// directly, so a schedule stepped once per update of the parameters counts inner steps.
/// </para>
/// <para>
/// Checkpoints (<see cref="Checkpoints.Checkpoint"/>) save a wrapper with its own state and counts, then the inner
/// optimizer's, bit for bit; see docs/checkpoint-format.md.
/// </para>
/// <para>Thread safety: as for <see cref="Optimizer"/>.</para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class OptimizerWrapper<T> : IOptimizer<T>, IOptimizerWrapper
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<KeyValuePair<string, double>> _hyperparameters = [];
    private NonFiniteGradientPolicy _nonFiniteGradients = NonFiniteGradientPolicy.Throw;
    private int _stepping;

    /// <summary>Validates <paramref name="inner"/> and takes it over.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="inner"/> is not an optimizer of this library, or already belongs to a wrapper or a parameter-groups optimizer.
    /// </exception>
    private protected OptimizerWrapper(IOptimizer<T> inner)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        InnerStep.Claim(inner, this, nameof(inner));
        ParameterArray = inner.Parameters.ToArray();
    }

    /// <summary>The optimizer this wrapper steps.</summary>
    public IOptimizer<T> Inner { get; }

    /// <summary>The parameters of <see cref="Inner"/>.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => Inner.Parameters;

    /// <summary>The learning rate of <see cref="Inner"/> (for a <see cref="ParameterGroups{T}"/>, as its own property says).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN, infinite or negative.</exception>
    public double LearningRate
    {
        get => Inner.LearningRate;
        set => Inner.LearningRate = value;
    }

    /// <summary>The number of updates of the parameters made through this wrapper (see the wrapper's remarks).</summary>
    public long StepCount { get; internal set; }

    /// <summary>The number of calls to <see cref="Step"/> skipped under <see cref="NonFiniteGradientPolicy.Skip"/>.</summary>
    public long SkippedStepCount { get; internal set; }

    /// <summary>
    /// What <see cref="Step"/> does with a gradient that holds NaN or ±∞ (default <see cref="NonFiniteGradientPolicy.Throw"/>);
    /// see <see cref="Optimizer.NonFiniteGradients"/>. The inner optimizer's own setting is not used.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined policy.</exception>
    public NonFiniteGradientPolicy NonFiniteGradients
    {
        get => _nonFiniteGradients;
        set => _nonFiniteGradients = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NonFiniteGradients), value, "Unknown non-finite gradient policy.");
    }

    /// <inheritdoc />
    /// <remarks>The same as <see cref="TryStep"/>, without its result.</remarks>
    /// <exception cref="NonFiniteGradientException">A gradient holds NaN or ±∞ under <see cref="NonFiniteGradientPolicy.Throw"/>; nothing was modified.</exception>
    /// <exception cref="InvalidOperationException">This wrapper is itself wrapped, or another step of it is running, or a
    /// schedule-free rule inside it is in evaluation mode.</exception>
    public void Step() => TryStep();

    /// <summary>
    /// Checks the gradients under <see cref="NonFiniteGradients"/>, then does this wrapper's step; when a gradient is not
    /// finite under <see cref="NonFiniteGradientPolicy.Skip"/>, nothing is modified and <see cref="SkippedStepCount"/>
    /// grows by one.
    /// </summary>
    /// <returns>True when the parameters were updated; false when the call was skipped or (gradient accumulation) only accumulated.</returns>
    /// <exception cref="NonFiniteGradientException">A gradient holds NaN or ±∞ under <see cref="NonFiniteGradientPolicy.Throw"/>; nothing was modified.</exception>
    /// <exception cref="InvalidOperationException">
    /// This wrapper is itself wrapped (step the outer one), or another step of it is running, or a schedule-free rule
    /// inside it (alone or as a group) is in evaluation mode; the call changes nothing.
    /// </exception>
    public bool TryStep()
    {
        if (Owner is not null)
        {
            throw new InvalidOperationException(
                $"This {Name} is wrapped by a {Optimizer.RuleNameOf(Owner.GetType())}; step that, which steps this one.");
        }

        InnerStep.ThrowIfCannotStep(Inner);
        Optimizer.EnterStep(ref _stepping, this);
        try
        {
            if (!GradientsPass(_nonFiniteGradients))
            {
                CountSkipped();
                return false;
            }

            return Update(_nonFiniteGradients);
        }
        finally
        {
            Volatile.Write(ref _stepping, 0);
        }
    }

    /// <inheritdoc />
    public void ZeroGrad() => Inner.ZeroGrad();

    /// <summary>The wrapper's name, as checkpoints record it ("Lookahead", "GradientAccumulation").</summary>
    internal string Name => Optimizer.RuleNameOf(GetType());

    /// <summary>The wrapper or parameter-groups optimizer this wrapper is wrapped by, or null.</summary>
    internal object? Owner { get; set; }

    /// <summary>The parameters, indexed like <see cref="Parameters"/>.</summary>
    internal Parameter<T>[] ParameterArray { get; }

    /// <summary>Applies <paramref name="policy"/> to the gradients without writing anything (see <see cref="Optimizer.GradientsPass"/>).</summary>
    internal abstract bool GradientsPass(NonFiniteGradientPolicy policy);

    /// <summary>Does this wrapper's step, the check done; true when the parameters were updated.</summary>
    /// <param name="policy">The outermost policy, for the checks a wrapper makes on what it hands its inner optimizer.</param>
    internal abstract bool Update(NonFiniteGradientPolicy policy);

    /// <summary>Counts a call skipped by the outermost guard.</summary>
    internal abstract void CountSkipped();

    /// <summary>The vector state, one array per parameter.</summary>
    internal abstract T[][] StateVectors { get; }

    /// <summary>The name of <see cref="StateVectors"/> in checkpoints.</summary>
    internal abstract string StateName { get; }

    /// <summary>The position within the wrapper's cycle: inner steps since the last sync, or micro-batches in the sum.</summary>
    internal abstract long Phase { get; set; }

    /// <summary>The cycle length k: <see cref="Phase"/> is always below it.</summary>
    internal abstract int Period { get; }

    /// <summary>Records a hyperparameter for checkpoints to compare.</summary>
    private protected void RecordHyperparameter(string name, double value) => _hyperparameters.Add(new(name, value));

    IOptimizer IOptimizerWrapper.Inner => Inner;

    string IOptimizerWrapper.Name => Name;

    Type IOptimizerWrapper.ElementType => typeof(T);

    IReadOnlyList<KeyValuePair<string, double>> IOptimizerWrapper.Hyperparameters => _hyperparameters;

    long IOptimizerWrapper.StepCount { get => StepCount; set => StepCount = value; }

    long IOptimizerWrapper.SkippedStepCount { get => SkippedStepCount; set => SkippedStepCount = value; }

    long IOptimizerWrapper.Phase { get => Phase; set => Phase = value; }

    int IOptimizerWrapper.Period => Period;

    string IOptimizerWrapper.StateName => StateName;

    int IOptimizerWrapper.ParameterCount => ParameterArray.Length;

    (string Name, int Length) IOptimizerWrapper.ParameterShape(int index) => (ParameterArray[index].Name, ParameterArray[index].Length);

    Span<byte> IOptimizerWrapper.StateBytes(int index) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(StateVectors[index].AsSpan());
}

/// <summary>A wrapper seen without its element type, for checkpoints and schedules.</summary>
internal interface IOptimizerWrapper : IOptimizer
{
    IOptimizer Inner { get; }

    string Name { get; }

    Type ElementType { get; }

    IReadOnlyList<KeyValuePair<string, double>> Hyperparameters { get; }

    long StepCount { get; set; }

    long SkippedStepCount { get; set; }

    long Phase { get; set; }

    int Period { get; }

    string StateName { get; }

    int ParameterCount { get; }

    (string Name, int Length) ParameterShape(int index);

    Span<byte> StateBytes(int index);
}
