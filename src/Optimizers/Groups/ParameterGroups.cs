using System.Collections.ObjectModel;
using System.Numerics;

namespace Optimizers;

/// <summary>
/// One optimizer over several groups of parameters, each group with its own rule and hyperparameters: for example
/// weight decay on the weights but none on the biases, or Muon's recipe of one rule for the 2-D weights and AdamW for
/// the rest. Like a torch.optim optimizer given several param groups, without torch's one class for all of them.
/// </summary>
/// <remarks>
/// <para>Each group is an ordinary optimizer over its own parameters, of any rule:</para>
/// <code>
/// var optimizer = new ParameterGroups(
///     new AdamW(weights, learningRate: 1e-3, weightDecay: 0.01),
///     new AdamW(biases,  learningRate: 1e-3, weightDecay: 0));
/// var recipe = new ParameterGroups(
///     new Momentum(matrices, learningRate: 0.02, momentum: 0.95, nesterov: true),
///     new AdamW(vectors,     learningRate: 3e-4, weightDecay: 0));
/// </code>
/// <para>
/// Design: hyperparameters in this library are immutable properties validated once in a rule's constructor, so a
/// group is simply an optimizer built with its own arguments (Optax's <c>multi_transform</c> over disjoint
/// parameters), and no rule needs code for groups. The groups may be different rules. PyTorch needs one class per
/// optimizer because its param groups are dictionaries read by that one class's <c>step()</c>; here each group is its
/// own rule object that steps itself, so nothing ties the groups to one rule: what they share is this object's guard,
/// its step count, one checkpoint (which records each group's rule and checks it on loading) and the schedules built
/// on it, which drive each group's learning rate, and cycle each group's momentum or β₁, by torch's per-group rule.
/// </para>
/// <para>
/// <see cref="Step"/> checks the gradients of ALL groups first, under this object's
/// <see cref="NonFiniteGradients"/> policy (the groups' own policies are not used): a non-finite gradient anywhere
/// throws or skips before any group is modified. Then each group is updated in order, exactly as that rule alone would
/// be (its own <see cref="Optimizer.MaxDegreeOfParallelism"/> splits its own parameters). The groups are stepped
/// together, so they always share one <see cref="StepCount"/> and <see cref="SkippedStepCount"/>; stepping a group
/// directly throws <see cref="InvalidOperationException"/>. Setting a group's <see cref="IOptimizerBase.LearningRate"/>
/// directly is allowed (that is how a schedule drives groups, see <see cref="IGroupedOptimizer"/>).
/// </para>
/// <para>
/// Schedule-free groups (<see cref="ScheduleFreeOptimizer{T}"/>) keep their own mode: <see cref="Train"/> and
/// <see cref="Eval"/> switch every schedule-free group at once, and a step while any of them is in evaluation mode
/// throws <see cref="InvalidOperationException"/> naming the group, before anything changes (also when this object is
/// wrapped).
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
    /// At least one optimizer (of any rules, mixed as needed), none stepped yet, none already a group of another
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
    /// At least one optimizer (of any rules, mixed as needed), none stepped yet, none already a group of another
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

        ThrowIfCannotStep();
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

    /// <summary>
    /// Moves the parameters of every schedule-free group to its training point y (see
    /// <see cref="ScheduleFreeOptimizer{T}.Train"/>); the groups of other rules have no modes and are left alone.
    /// </summary>
    /// <exception cref="InvalidOperationException">No group is a schedule-free rule; nothing is changed.</exception>
    public void Train() => Switch(training: true);

    /// <summary>
    /// Moves the parameters of every schedule-free group to its evaluation point x (see
    /// <see cref="ScheduleFreeOptimizer{T}.Eval"/>); the groups of other rules have no modes and are left alone, so
    /// their parameters stay where the last step left them.
    /// </summary>
    /// <exception cref="InvalidOperationException">No group is a schedule-free rule; nothing is changed.</exception>
    public void Eval() => Switch(training: false);

    /// <summary>The wrapper this optimizer belongs to, or null.</summary>
    internal object? Owner { get; set; }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/>, naming the group, if a group cannot step in its present state (a
    /// schedule-free group in evaluation mode); writes nothing.
    /// </summary>
    internal void ThrowIfCannotStep()
    {
        for (int g = 0; g < _groups.Length; g++)
        {
            try
            {
                _groups[g].ThrowIfCannotStep();
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"Group {g} ({_groups[g].RuleName}) of this ParameterGroups cannot step: {e.Message}", e);
            }
        }
    }

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

    private void Switch(bool training)
    {
        bool any = false;
        foreach (var group in _groups)
        {
            if (group is ScheduleFreeOptimizer<T> scheduleFree)
            {
                any = true;
                if (training)
                {
                    scheduleFree.Train();
                }
                else
                {
                    scheduleFree.Eval();
                }
            }
        }

        if (!any)
        {
            throw new InvalidOperationException(
                $"{(training ? "Train" : "Eval")}() switches the schedule-free groups between their training and evaluation " +
                $"points, and no group of this ParameterGroups is schedule-free ({string.Join(", ", _groups.Select(g => g.RuleName))}); " +
                "the parameters already hold what the other rules evaluate.");
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
