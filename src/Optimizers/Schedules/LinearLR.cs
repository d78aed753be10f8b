namespace Optimizers.Schedules;

/// <summary>
/// Linear warm-up (or decay) of a factor on the learning rate, from <see cref="StartFactor"/> to
/// <see cref="EndFactor"/> over <see cref="TotalIters"/> epochs, as <c>torch.optim.lr_scheduler.LinearLR</c>.
/// </summary>
/// <remarks>
/// <code>
/// closed form:  ηₜ = η₀ · (f₀ + (f₁ − f₀) · min(t, N) / N)
/// recursive:    η₀ · f₀ at construction;  for 1 ≤ t ≤ N:  ηₜ = ηₜ₋₁ · (1 + (f₁ − f₀) / (N·f₀ + (t − 1)·(f₁ − f₀)));
///               for t &gt; N:  ηₜ = ηₜ₋₁
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/>, f₀ = <see cref="StartFactor"/> (default 1/3),
/// f₁ = <see cref="EndFactor"/> (default 1), N = <see cref="TotalIters"/> (default 5). The usual warm-up is
/// f₀ &lt; f₁ = 1; f₀ &gt; f₁ decays instead.
/// </para>
/// <para>
/// Each step uses torch 2.x's recursive form; <see cref="SequentialLR"/> uses the closed form at a milestone.
/// torch equivalent: <c>LinearLR(optimizer, start_factor, end_factor, total_iters)</c>; Optax:
/// <c>linear_schedule(η₀·f₀, η₀·f₁, N)</c>; Keras: a <c>PolynomialDecay</c> of power 1 (or the <c>warmup_*</c>
/// arguments of <c>CosineDecay</c>).
/// </para>
/// </remarks>
public sealed class LinearLR : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value: the current learning rate times f₀ (torch's
    /// recursive form), which is η₀·f₀ unless a schedule built earlier has already changed the rate.</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="startFactor">f₀, the factor at epoch 0: in (0, 1] (default 1/3).</param>
    /// <param name="endFactor">f₁, the factor from epoch N on: in [0, 1] (default 1).</param>
    /// <param name="totalIters">N, the number of epochs over which the factor moves: ≥ 1 (default 5).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A factor is outside its range, or <paramref name="totalIters"/> &lt; 1.</exception>
    public LinearLR(IOptimizerBase optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, $"startFactor must be in (0, 1]; got {startFactor}.");
        }

        StartFactor = startFactor;
        EndFactor = Check.ClosedUnitInterval(endFactor);
        TotalIters = Check.PositiveInt(totalIters);
        Start();
    }

    /// <summary>f₀, the factor on η₀ at epoch 0.</summary>
    public double StartFactor { get; }

    /// <summary>f₁, the factor on η₀ from epoch <see cref="TotalIters"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>N, the number of epochs over which the factor moves from f₀ to f₁.</summary>
    public int TotalIters { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate)
        => current * StartFactor;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
    {
        if (epoch > TotalIters)
        {
            return current;
        }

        double span = EndFactor - StartFactor;
        return current * (1.0 + span / (TotalIters * StartFactor + (epoch - 1) * span));
    }

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => baseLearningRate * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalIters, 0) / TotalIters);

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => [("start_factor", StartFactor), ("end_factor", EndFactor), ("total_iters", TotalIters)];
}
