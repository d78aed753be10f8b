namespace Optimizers.Schedules;

/// <summary>
/// Exponential decay: multiplies the learning rate by γ every epoch, as <c>torch.optim.lr_scheduler.ExponentialLR</c>.
/// </summary>
/// <remarks>
/// <code>
/// closed form:  ηₜ = η₀ · γᵗ
/// recursive:    η₀ unchanged at construction;  ηₜ = ηₜ₋₁ · γ
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/>, γ = <see cref="Gamma"/> (no default, as in torch).
/// </para>
/// <para>
/// Each step uses the recursive form, as torch 2.x's <c>get_lr</c> does (the two forms differ in the last bits
/// after many steps); <see cref="SequentialLR"/> uses the closed form at a milestone. torch equivalent:
/// <c>ExponentialLR(optimizer, gamma=γ)</c>; Optax: <c>exponential_decay(transition_steps=1)</c>; Keras:
/// <c>ExponentialDecay(decay_steps=1)</c>.
/// </para>
/// </remarks>
public sealed class ExponentialLR : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value (η₀, unchanged).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="gamma">γ, the factor applied every epoch: finite and &gt; 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is not finite and positive.</exception>
    public ExponentialLR(IOptimizerBase optimizer, double gamma)
        : base(optimizer)
    {
        Gamma = Check.PositiveFinite(gamma);
        Start();
    }

    /// <summary>γ, the factor applied every epoch.</summary>
    public double Gamma { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => current;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => current * Gamma;

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => baseLearningRate * Math.Pow(Gamma, 0);

    private protected override IEnumerable<(string Name, double Value)> Configuration() => [("gamma", Gamma)];
}
