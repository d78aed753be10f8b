namespace Optimizers.Schedules;

/// <summary>
/// Multiplies the learning rate by γ at each milestone epoch, as <c>torch.optim.lr_scheduler.MultiStepLR</c>.
/// </summary>
/// <remarks>
/// <code>
/// closed form:  ηₜ = η₀ · γ^(number of milestones ≤ t)
/// recursive:    η₀ unchanged at construction;  ηₜ = ηₜ₋₁ · γ^k  where k = number of milestones equal to t
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/>, γ = <see cref="Gamma"/> (default 0.1), the
/// milestones are <see cref="Milestones"/>. A milestone listed twice counts twice (γ² at that epoch), as in torch,
/// which keeps them in a multiset.
/// </para>
/// <para>
/// Each step uses the recursive form, as torch 2.x's <c>get_lr</c> does; <see cref="SequentialLR"/> uses the closed
/// form at a milestone. torch equivalent: <c>MultiStepLR(optimizer, milestones, gamma=γ)</c>; Optax:
/// <c>piecewise_constant_schedule</c>; Keras: <c>PiecewiseConstantDecay</c> (given values instead of a factor).
/// </para>
/// </remarks>
public sealed class MultiStepLR : LearningRateSchedule
{
    private readonly int[] _milestones;

    /// <summary>Creates the schedule and applies its epoch-0 value (η₀, unchanged).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="milestones">The epochs at which to decay: at least one, each ≥ 1, in non-decreasing order.</param>
    /// <param name="gamma">γ, the decay factor: finite and &gt; 0 (default 0.1).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="milestones"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="milestones"/> is empty, holds a value &lt; 1 or is not in order.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is not finite and positive.</exception>
    public MultiStepLR(IOptimizerBase optimizer, IEnumerable<int> milestones, double gamma = 0.1)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = milestones.ToArray();
        if (_milestones.Length == 0)
        {
            throw new ArgumentException("At least one milestone is required; the list is empty.", nameof(milestones));
        }

        for (int i = 0; i < _milestones.Length; i++)
        {
            if (_milestones[i] < 1)
            {
                throw new ArgumentException($"Milestones must be epochs ≥ 1; milestone {i} is {_milestones[i]}.", nameof(milestones));
            }

            if (i > 0 && _milestones[i] < _milestones[i - 1])
            {
                throw new ArgumentException(
                    $"Milestones must be in non-decreasing order; milestone {i} ({_milestones[i]}) is below milestone {i - 1} ({_milestones[i - 1]}).",
                    nameof(milestones));
            }
        }

        Gamma = Check.PositiveFinite(gamma);
        Milestones = _milestones.AsReadOnly();
        Start();
    }

    /// <summary>The milestone epochs, in non-decreasing order.</summary>
    public IReadOnlyList<int> Milestones { get; }

    /// <summary>γ, the factor applied at each milestone.</summary>
    public double Gamma { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => current;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
    {
        int k = 0;
        foreach (int milestone in _milestones)
        {
            if (milestone == epoch)
            {
                k++;
            }
        }

        return k == 0 ? current : current * Math.Pow(Gamma, k);
    }

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => baseLearningRate * Math.Pow(Gamma, 0);   // no milestone is ≤ 0

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => ScheduleState.Indexed("milestones", _milestones.Select(m => (double)m)).Append(("gamma", Gamma));
}
