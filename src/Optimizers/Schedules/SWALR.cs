namespace Optimizers.Schedules;

/// <summary>
/// Anneals the learning rate to a fixed SWA learning rate over a number of epochs and holds it there, as
/// <c>torch.optim.swa_utils.SWALR</c>; used with <see cref="Averaging.AveragedParameters{T}"/> for stochastic weight
/// averaging.
/// </summary>
/// <remarks>
/// <code>
/// t = clamp(epoch / max(1, A), 0, 1),   α(t) = (1 − cos(π·t)) / 2  (cos)   or   t  (linear)
/// η at epoch e, from the current rate ηₑ₋₁ (torch's recursive form):
///   η_prev = η_swa                                    if α(tₑ₋₁) = 1
///   η_prev = (ηₑ₋₁ − α(tₑ₋₁)·η_swa) / (1 − α(tₑ₋₁))   otherwise       (the rate before annealing, recovered)
///   ηₑ = η_swa·α(tₑ) + η_prev·(1 − α(tₑ))
/// with A = 0 every epoch counts as epoch ≥ 1 (η_swa at once).
/// </code>
/// <para>
/// Symbols: η_swa = <see cref="SwaLearningRate"/>, A = <see cref="AnnealEpochs"/> (default 10), the anneal
/// = <see cref="AnnealStrategy"/> (default cos). For example from η = 1 with η_swa = 0.1, A = 2, linear: epoch 0 keeps
/// 1 (α = 0); epoch 1: α(0) = 0 → η_prev = 1, α(1/2) = 0.5 → 0.1·0.5 + 1·0.5 = 0.55; epoch 2: η_prev = (0.55 − 0.05)/0.5 = 1,
/// α = 1 → 0.1; later epochs 0.1.
/// </para>
/// <para>
/// Every group anneals to the same η_swa (torch also takes one per group; not offered here). torch counts SWALR's
/// own <c>step()</c> calls rather than the epoch, which differs only inside torch's <c>SequentialLR</c>; there this
/// class restarts at epoch 0 from the learning rate of the milestone (not compared with torch). torch equivalent:
/// <c>SWALR(optimizer, swa_lr, anneal_epochs, anneal_strategy)</c>. Reference: P. Izmailov et al., "Averaging Weights
/// Leads to Wider Optima and Better Generalization" (UAI 2018).
/// </para>
/// </remarks>
public sealed class SWALR : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value (the current learning rate, α = 0).</summary>
    /// <param name="optimizer">The optimizer to drive.</param>
    /// <param name="swaLearningRate">η_swa, the learning rate reached after the annealing: finite and ≥ 0.</param>
    /// <param name="annealEpochs">A, the number of epochs of the annealing: ≥ 0 (default 10).</param>
    /// <param name="annealStrategy">Cosine or linear annealing (default <see cref="AnnealStrategy.Cos"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public SWALR(IOptimizerBase optimizer, double swaLearningRate, int annealEpochs = 10, AnnealStrategy annealStrategy = AnnealStrategy.Cos)
        : base(Checked(optimizer, swaLearningRate, annealEpochs, annealStrategy))
    {
        SwaLearningRate = swaLearningRate;
        AnnealEpochs = annealEpochs;
        AnnealStrategy = annealStrategy;
        Start();
    }

    /// <summary>η_swa, the learning rate after the annealing.</summary>
    public double SwaLearningRate { get; }

    /// <summary>A, the number of epochs of the annealing.</summary>
    public int AnnealEpochs { get; }

    /// <summary>Cosine or linear annealing.</summary>
    public AnnealStrategy AnnealStrategy { get; }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => Value(0, current);

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate) => Value(epoch, current);

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate) => Value(0, baseLearningRate);

    private protected override double AtMilestone(int target, double current, double baseLearningRate) => Value(0, current);

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => [("swa_lr", SwaLearningRate), ("anneal_epochs", AnnealEpochs), ("anneal_strategy", (int)AnnealStrategy)];

    private double Value(int epoch, double current)
    {
        int step = AnnealEpochs == 0 ? Math.Max(1, epoch) : epoch;
        double prevAlpha = Anneal(Math.Max(0, Math.Min(1, (step - 1) / (double)Math.Max(1, AnnealEpochs))));
        double previous = prevAlpha == 1 ? SwaLearningRate : (current - prevAlpha * SwaLearningRate) / (1 - prevAlpha);
        double alpha = Anneal(Math.Max(0, Math.Min(1, step / (double)Math.Max(1, AnnealEpochs))));
        return SwaLearningRate * alpha + previous * (1 - alpha);
    }

    private double Anneal(double t) => AnnealStrategy == AnnealStrategy.Cos ? (1 - Math.Cos(Math.PI * t)) / 2 : t;

    private static IOptimizerBase Checked(IOptimizerBase optimizer, double swaLearningRate, int annealEpochs, AnnealStrategy annealStrategy)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Check.NonNegativeFinite(swaLearningRate);
        Check.NonNegativeInt(annealEpochs);
        Check.Defined(annealStrategy);
        return optimizer;
    }
}
