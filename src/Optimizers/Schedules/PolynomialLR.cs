namespace Optimizers.Schedules;

/// <summary>
/// Polynomial decay of the learning rate to zero over <see cref="TotalIters"/> epochs, as
/// <c>torch.optim.lr_scheduler.PolynomialLR</c>.
/// </summary>
/// <remarks>
/// <code>
/// closed form:  ηₜ = η₀ · (1 − min(t, N) / N)^p
/// recursive:    η₀ unchanged at construction;  for 1 ≤ t ≤ N:  ηₜ = ηₜ₋₁ · ((1 − t/N) / (1 − (t − 1)/N))^p;
///               for t &gt; N:  ηₜ = ηₜ₋₁  (zero from epoch N on)
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/>, N = <see cref="TotalIters"/> (default 5),
/// p = <see cref="Power"/> (default 1, a linear decay).
/// </para>
/// <para>
/// Each step uses torch 2.x's recursive form; <see cref="SequentialLR"/> uses the closed form at a milestone.
/// torch equivalent: <c>PolynomialLR(optimizer, total_iters=N, power=p)</c>; Optax:
/// <c>polynomial_schedule(η₀, 0, p, N)</c>; Keras: <c>PolynomialDecay(η₀, N, 0, power=p)</c>.
/// </para>
/// </remarks>
public sealed class PolynomialLR : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value (η₀, unchanged).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="totalIters">N, the number of epochs until the learning rate reaches zero: ≥ 1 (default 5).</param>
    /// <param name="power">p, the power of the polynomial: finite and &gt; 0 (default 1).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalIters"/> &lt; 1, or <paramref name="power"/> is not finite and positive.</exception>
    public PolynomialLR(IOptimizerBase optimizer, int totalIters = 5, double power = 1.0)
        : base(optimizer)
    {
        TotalIters = Check.PositiveInt(totalIters);
        Power = Check.PositiveFinite(power);
        Start();
    }

    /// <summary>N, the number of epochs until the learning rate reaches zero.</summary>
    public int TotalIters { get; }

    /// <summary>p, the power of the polynomial.</summary>
    public double Power { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => current;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
    {
        if (epoch > TotalIters)
        {
            return current;
        }

        double n = TotalIters;
        double decay = Math.Pow((1.0 - epoch / n) / (1.0 - (epoch - 1) / n), Power);
        return current * decay;
    }

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => baseLearningRate * Math.Pow(1.0 - Math.Min(TotalIters, 0) / (double)TotalIters, Power);

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => [("total_iters", TotalIters), ("power", Power)];
}
