namespace Optimizers.Schedules;

/// <summary>
/// Step decay: multiplies the learning rate by γ every <see cref="StepSize"/> epochs, as
/// <c>torch.optim.lr_scheduler.StepLR</c>.
/// </summary>
/// <remarks>
/// <code>
/// closed form:  ηₜ = η₀ · γ^⌊t / s⌋
/// recursive:    η₀ unchanged at construction;  ηₜ = ηₜ₋₁ · γ  if t mod s = 0,  else ηₜ = ηₜ₋₁
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/> (the optimizer's learning rate when the first
/// schedule was built on it), s = <see cref="StepSize"/>, γ = <see cref="Gamma"/> (default 0.1), t = <see cref="LearningRateSchedule.Epoch"/>.
/// </para>
/// <para>
/// Each step uses the recursive form, as torch 2.x's <c>get_lr</c> does; <see cref="SequentialLR"/> uses the closed
/// form at a milestone. torch equivalent: <c>StepLR(optimizer, step_size=s, gamma=γ)</c>; Keras/Optax:
/// <c>ExponentialDecay(staircase=True)</c> / <c>optax.exponential_decay(staircase=True)</c>.
/// </para>
/// </remarks>
public sealed class StepLR : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value (η₀, unchanged).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="stepSize">s, the number of epochs between decays: ≥ 1.</param>
    /// <param name="gamma">γ, the decay factor: finite and &gt; 0 (default 0.1).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> &lt; 1, or <paramref name="gamma"/> is not finite and positive.</exception>
    public StepLR(IOptimizerBase optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        StepSize = Check.PositiveInt(stepSize);
        Gamma = Check.PositiveFinite(gamma);
        Start();
    }

    /// <summary>s, the number of epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ, the factor applied every <see cref="StepSize"/> epochs.</summary>
    public double Gamma { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => current;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => epoch % StepSize != 0 ? current : current * Gamma;

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => baseLearningRate * Math.Pow(Gamma, 0 / StepSize);

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => [("step_size", StepSize), ("gamma", Gamma)];
}
