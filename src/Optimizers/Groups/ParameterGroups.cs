using System.Collections.ObjectModel;
using System.Numerics;

namespace Optimizers;

/// <summary>
/// One optimizer over several groups of parameters, each group with its own hyperparameters: for example
/// weight decay on the weights but none on the biases. Like a torch.optim optimizer given several param groups.
/// </summary>
/// <remarks>
/// <para>Each group is an ordinary optimizer of one rule type over its own parameters:</para>
/// <code>
/// var optimizer = new ParameterGroups(
///     new AdamW(weights, learningRate: 1e-3, weightDecay: 0.01),
///     new AdamW(biases,  learningRate: 1e-3, weightDecay: 0));
/// </code>
/// <para>
/// Design: hyperparameters in this library are immutable properties validated once in a rule's constructor, so a
/// group is simply an optimizer built with its own arguments (Optax's <c>multi_transform</c> over disjoint
/// parameters), and no rule needs code for groups. All groups must be the same rule type, as in PyTorch where
/// param groups share one optimizer class; this keeps "the optimizer's type" meaningful for checkpoints and
/// <see cref="LearningRate"/> meaningful across groups.
/// </para>
/// <para>
/// <see cref="Step"/> checks the gradients of ALL groups first, under this object's
/// <see cref="NonFiniteGradients"/> policy (the groups' own policies are not used): a non-finite gradient anywhere
/// throws or skips before any group is modified. Then each group is updated in order. The groups are stepped
/// together, so they always share one <see cref="StepCount"/> and <see cref="SkippedStepCount"/>; stepping a group
/// directly throws <see cref="InvalidOperationException"/>. Setting a group's <see cref="IOptimizerBase.LearningRate"/>
/// directly is allowed (that is how a schedule drives groups, see <see cref="IGroupedOptimizer"/>).
/// </para>
/// <para>
/// Thread safety: as for <see cref="Optimizer"/>; not thread-safe, and a <see cref="Step"/> or <see cref="TryStep"/>
/// entered while another step of this object is running throws <see cref="InvalidOperationException"/>.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type of every group's parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class ParameterGroups<T> : IGroupedOptimizer, IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Optimizer<T>[] _groups;
    private NonFiniteGradientPolicy _nonFiniteGradients = NonFiniteGradientPolicy.Throw;
    private int _stepping;

    /// <summary>Combines <paramref name="groups"/> into one optimizer.</summary>
    /// <param name="groups">
    /// At least one optimizer, all of the same rule type, none stepped yet, none already a group of another
    /// <see cref="ParameterGroups"/>, no <see cref="Parameter"/> in two of them and no two parameters of different
    /// groups over the same array.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null.</exception>
    /// <exception cref="ArgumentException">Any of the conditions above is not met; nothing is changed.</exception>
    public ParameterGroups(params Optimizer<T>[] groups)
        : this((IEnumerable<Optimizer<T>>)groups)
    {
    }

    /// <summary>Combines <paramref name="groups"/> into one optimizer.</summary>
    /// <param name="groups">
    /// At least one optimizer, all of the same rule type, none stepped yet, none already a group of another
    /// <see cref="ParameterGroups"/>, no <see cref="Parameter"/> in two of them and no two parameters of different
    /// groups over the same array.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> is null.</exception>
    /// <exception cref="ArgumentException">Any of the conditions above is not met; nothing is changed.</exception>
    public ParameterGroups(IEnumerable<Optimizer<T>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var list = groups.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one group is required; the list is empty.", nameof(groups));
        }

        var seenGroups = new HashSet<Optimizer<T>>(ReferenceEqualityComparer.Instance);
        var seenParameters = new Dictionary<Parameter<T>, int>(ReferenceEqualityComparer.Instance);
        var storage = new StorageOwners<T>(nameof(groups));
        for (int g = 0; g < list.Length; g++)
        {
            var group = list[g] ?? throw new ArgumentException($"The group at index {g} is null.", nameof(groups));
            if (group.RuleName != list[0].RuleName)
            {
                throw new ArgumentException(
                    $"Every group must be the same rule; group 0 is {list[0].RuleName} but group {g} is {group.RuleName}.",
                    nameof(groups));
            }

            if (!seenGroups.Add(group))
            {
                throw new ArgumentException($"The optimizer at index {g} is given twice; each group may be given once.", nameof(groups));
            }

            if (group.Owner is not null)
            {
                throw new ArgumentException(group.Owner is IOptimizerWrapper
                    ? $"The optimizer at index {g} is wrapped by a {Optimizer.RuleNameOf(group.Owner.GetType())}; a wrapped optimizer cannot be a group."
                    : $"The optimizer at index {g} is already a group of another ParameterGroups.", nameof(groups));
            }

            if (group.StepCount != 0 || group.SkippedStepCount != 0)
            {
                throw new ArgumentException(
                    $"The optimizer at index {g} has already been stepped ({group.StepCount} steps, {group.SkippedStepCount} skipped); groups must start fresh so that they share one step count.",
                    nameof(groups));
            }

            for (int i = 0; i < group.ParameterArray.Length; i++)
            {
                var parameter = group.ParameterArray[i];
                if (!seenParameters.TryAdd(parameter, g))
                {
                    throw new ArgumentException(
                        $"Parameter '{parameter.Name}' is in group {seenParameters[parameter]} and again in group {g}; a parameter may belong to one group only.",
                        nameof(groups));
                }

                storage.Claim(parameter, i, g);
            }
        }

        foreach (var group in list)
        {
            group.Owner = this;
        }

        _groups = list;
        Groups = new ReadOnlyCollection<Optimizer<T>>(list);
        Parameters = new ReadOnlyCollection<Parameter<T>>(list.SelectMany(g => g.Parameters).ToArray());
    }

    /// <summary>The groups, in the order given at construction.</summary>
    public IReadOnlyList<Optimizer<T>> Groups { get; }

    /// <inheritdoc />
    IReadOnlyList<IOptimizer> IGroupedOptimizer.Groups => Groups;

    /// <summary>Every group's parameters, group 0's first, each group's in its own order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>
    /// Get: the learning rate of group 0. Set: gives every group this learning rate (per-group ratios are lost;
    /// schedules drive each group through <see cref="Groups"/> instead).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN, infinite or negative; no group is changed.</exception>
    public double LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            Check.NonNegativeFinite(value, nameof(LearningRate));
            foreach (var group in _groups)
            {
                group.LearningRate = value;
            }
        }
    }

    /// <summary>The number of completed steps, shared by every group.</summary>
    public long StepCount => _groups[0].StepCount;

    /// <summary>The number of steps skipped under <see cref="NonFiniteGradientPolicy.Skip"/>, shared by every group.</summary>
    public long SkippedStepCount => _groups[0].SkippedStepCount;

    /// <summary>
    /// What <see cref="Step"/> does with a non-finite gradient in any group (default
    /// <see cref="NonFiniteGradientPolicy.Throw"/>); see <see cref="Optimizer.NonFiniteGradients"/>. The groups' own
    /// settings are not used.
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
    /// <exception cref="NonFiniteGradientException">
    /// A gradient in any group holds NaN or ±∞ under <see cref="NonFiniteGradientPolicy.Throw"/>; no group was modified.
    /// </exception>
    /// <exception cref="InvalidOperationException">Another step of this object is running (see <see cref="TryStep"/>).</exception>
    public void Step() => TryStep();

    /// <summary>
    /// Checks the gradients of every group under <see cref="NonFiniteGradients"/>, then updates every group; when a
    /// gradient is not finite under <see cref="NonFiniteGradientPolicy.Skip"/>, no group is modified, the shared
    /// <see cref="SkippedStepCount"/> grows by one and the result is false.
    /// </summary>
    /// <returns>True when the parameters were updated; false when the step was skipped.</returns>
    /// <exception cref="NonFiniteGradientException">
    /// A gradient in any group holds NaN or ±∞ under <see cref="NonFiniteGradientPolicy.Throw"/>; no group was modified.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// Another step of this object is running: on another thread, or this call comes from inside a step; or a group is
    /// a schedule-free rule in evaluation mode (see <see cref="ScheduleFreeOptimizer{T}"/>). The call changes nothing,
    /// and the running step goes on undisturbed.
    /// </exception>
    public bool TryStep()
    {
        if (Owner is not null)
        {
            throw new InvalidOperationException(
                $"This ParameterGroups is wrapped by a {Optimizer.RuleNameOf(Owner.GetType())}; step that, which steps this one.");
        }

        foreach (var group in _groups)
        {
            group.ThrowIfCannotStep();
        }

        Optimizer.EnterStep(ref _stepping, this);
        try
        {
            if (!GradientsPass(_nonFiniteGradients))
            {
                CountSkipped();
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
    public void ZeroGrad()
    {
        foreach (var group in _groups)
        {
            group.ZeroGrad();
        }
    }

    /// <summary>The wrapper this optimizer belongs to, or null.</summary>
    internal object? Owner { get; set; }

    /// <summary>Applies <paramref name="policy"/> to the gradients of every group; writes nothing.</summary>
    internal bool GradientsPass(NonFiniteGradientPolicy policy)
    {
        foreach (var group in _groups)
        {
            if (!group.GradientsPass(policy))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Updates every group, no check.</summary>
    internal void Update()
    {
        foreach (var group in _groups)
        {
            group.Update();
        }
    }

    /// <summary>Counts a skipped step in every group.</summary>
    internal void CountSkipped()
    {
        foreach (var group in _groups)
        {
            group.SkippedStepCount++;
        }
    }
}

/// <summary>
/// <see cref="ParameterGroups{T}"/> over double-precision optimizers, under its short name.
/// </summary>
public sealed class ParameterGroups : ParameterGroups<double>
{
    /// <inheritdoc />
    public ParameterGroups(params Optimizer<double>[] groups)
        : base(groups)
    {
    }

    /// <inheritdoc />
    public ParameterGroups(IEnumerable<Optimizer<double>> groups)
        : base(groups)
    {
    }
}
