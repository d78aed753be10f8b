namespace Optimizers.Schedules;

/// <summary>
/// Multiplies the learning rate by a constant factor for the first epochs, then restores it, as
/// <c>torch.optim.lr_scheduler.ConstantLR</c> (a simple warm-up).
/// </summary>
/// <remarks>
/// <code>
/// closed form:  ηₜ = η₀ · f   for t &lt; N,      ηₜ = η₀   for t ≥ N
/// recursive:    η · f at construction;   ηₜ = ηₜ₋₁ · (1 / f) at t = N;   ηₜ = ηₜ₋₁ otherwise
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/>, f = <see cref="Factor"/> (default 1/3),
/// N = <see cref="TotalIters"/> (default 5). For example η₀ = 0.1 with the defaults gives 0.1·(1/3) = 0.0333… for
/// epochs 0 … 4 and 0.0333…·3 = 0.1 from epoch 5 on.
/// </para>
/// <para>
/// Each step uses torch 2.x's recursive form (<c>lr · (1.0 / factor)</c> at N, the same operations);
/// <see cref="SequentialLR"/> uses the closed form at a milestone. torch accepts f = 0 and then fails dividing by it at
/// epoch N; here f must be in (0, 1]. With N = 0 torch's recursive form keeps η₀ · f for ever while its closed form
/// gives η₀; here N must be ≥ 1. torch equivalent: <c>ConstantLR(optimizer, factor, total_iters)</c>.
/// </para>
/// </remarks>
public sealed class ConstantLR : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value (the learning rate times f).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="factor">f, the factor for epochs 0 … N − 1: in (0, 1] (default 1/3).</param>
    /// <param name="totalIters">N, the first epoch at full learning rate: ≥ 1 (default 5).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is outside (0, 1], or <paramref name="totalIters"/> &lt; 1.</exception>
    public ConstantLR(IOptimizerBase optimizer, double factor = 1.0 / 3, int totalIters = 5)
        : base(optimizer)
    {
        if (!(factor > 0 && factor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor must be in (0, 1]; got {factor}.");
        }

        Factor = factor;
        TotalIters = Check.PositiveInt(totalIters);
        Start();
    }

    /// <summary>f, the factor on η₀ before epoch <see cref="TotalIters"/>.</summary>
    public double Factor { get; }

    /// <summary>N, the epoch from which the learning rate is η₀ again.</summary>
    public int TotalIters { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate)
        => current * Factor;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => epoch == TotalIters ? current * (1.0 / Factor) : current;

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => baseLearningRate * (Factor + (0 >= TotalIters ? 1 : 0) * (1 - Factor));

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => [("factor", Factor), ("total_iters", TotalIters)];
}
