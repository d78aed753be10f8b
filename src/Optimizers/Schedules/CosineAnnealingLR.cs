namespace Optimizers.Schedules;

/// <summary>
/// Cosine annealing from η₀ down to η_min over <see cref="TMax"/> epochs, as
/// <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> (SGDR without restarts).
/// </summary>
/// <remarks>
/// <code>
/// closed form:  ηₜ = η_min + (η₀ − η_min) · (1 + cos(π·t / T_max)) / 2
/// recursive:    η₀ unchanged at construction; for t ≥ 1
///               ηₜ = ηₜ₋₁ + (η₀ − η_min) · (1 − cos(π / T_max)) / 2                          if (t − 1 − T_max) mod 2T_max = 0
///               ηₜ = (1 + cos(π·t / T_max)) / (1 + cos(π·(t − 1) / T_max)) · (ηₜ₋₁ − η_min) + η_min   otherwise
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/>, T_max = <see cref="TMax"/>,
/// η_min = <see cref="EtaMin"/> (default 0). After T_max epochs the cosine carries on, so the learning rate climbs
/// back towards η₀ over the next T_max epochs (torch does the same); use <see cref="CosineAnnealingWarmRestarts"/>
/// for a jump back instead.
/// </para>
/// <para>
/// Each step uses torch 2.x's recursive form (which equals the closed form mathematically while nobody else
/// changes the learning rate, and differs from it in the last bits); <see cref="SequentialLR"/> uses the closed
/// form at a milestone. torch equivalent: <c>CosineAnnealingLR(optimizer, T_max, eta_min)</c>; Optax:
/// <c>cosine_decay_schedule(alpha=η_min/η₀)</c>, which stays at η_min after T_max; Keras: <c>CosineDecay</c>.
/// Reference: I. Loshchilov, F. Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (ICLR 2017).
/// </para>
/// </remarks>
public sealed class CosineAnnealingLR : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value (η₀, unchanged).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="tMax">T_max, the number of epochs of the half cosine: ≥ 1.</param>
    /// <param name="etaMin">η_min, the learning rate reached at T_max: finite and ≥ 0 (default 0).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> &lt; 1, or <paramref name="etaMin"/> is negative or not finite.</exception>
    public CosineAnnealingLR(IOptimizerBase optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        TMax = Check.PositiveInt(tMax);
        EtaMin = Check.NonNegativeFinite(etaMin);
        Start();
    }

    /// <summary>T_max, the number of epochs from η₀ down to η_min.</summary>
    public int TMax { get; }

    /// <summary>η_min, the learning rate at epoch T_max.</summary>
    public double EtaMin { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => current;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
    {
        int period = 2 * TMax;
        int phase = ((epoch - 1 - TMax) % period + period) % period;   // Python's non-negative modulo
        if (phase == 0)
        {
            return current + (baseLearningRate - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
        }

        return (1 + Math.Cos(Math.PI * epoch / TMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / TMax))
               * (current - EtaMin) + EtaMin;
    }

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => EtaMin + (baseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * 0 / TMax)) / 2;

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => [("T_max", TMax), ("eta_min", EtaMin)];
}
