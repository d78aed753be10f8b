namespace Optimizers.Schedules;

/// <summary>
/// Cosine annealing with warm restarts (SGDR), as <c>torch.optim.lr_scheduler.CosineAnnealingWarmRestarts</c>.
/// </summary>
/// <remarks>
/// <code>
/// ηₜ = η_min + (η₀ − η_min) · (1 + cos(π · T_cur / T_i)) / 2
/// T_cur ← T_cur + 1 each step;  when T_cur reaches T_i:  T_cur ← T_cur − T_i,  T_i ← T_i · T_mult
/// (T_cur = 0 and T_i = T₀ at construction)
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/>, T₀ = <see cref="T0"/> (epochs until the first
/// restart), T_mult = <see cref="TMult"/> (default 1), η_min = <see cref="EtaMin"/> (default 0);
/// <see cref="TCur"/> and <see cref="TI"/> are the epochs since the last restart and the current period.
/// </para>
/// <para>
/// torch has only the closed form above for this schedule, and so does this class. torch equivalent:
/// <c>CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)</c> stepped with <c>step()</c>; torch's
/// fractional <c>step(epoch)</c> form is not offered. Optax: <c>sgdr_schedule</c>; Keras: <c>CosineDecayRestarts</c>
/// (whose restarts also shrink the peak by m_mul). Reference: I. Loshchilov, F. Hutter, "SGDR: Stochastic Gradient
/// Descent with Warm Restarts" (ICLR 2017).
/// </para>
/// </remarks>
public sealed class CosineAnnealingWarmRestarts : LearningRateSchedule
{
    /// <summary>Creates the schedule and applies its epoch-0 value (η_min + (η₀ − η_min)·2/2, which is η₀ up to rounding).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="t0">T₀, the number of epochs until the first restart: ≥ 1.</param>
    /// <param name="tMult">T_mult, the factor by which the period grows after each restart: ≥ 1 (default 1).</param>
    /// <param name="etaMin">η_min, the lowest learning rate: finite and ≥ 0 (default 0).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="t0"/> or <paramref name="tMult"/> is &lt; 1, or <paramref name="etaMin"/> is negative or not finite.
    /// </exception>
    public CosineAnnealingWarmRestarts(IOptimizerBase optimizer, int t0, int tMult = 1, double etaMin = 0)
        : base(optimizer)
    {
        T0 = Check.PositiveInt(t0);
        TMult = Check.PositiveInt(tMult);
        EtaMin = Check.NonNegativeFinite(etaMin);
        Start();
    }

    /// <summary>T₀, the number of epochs until the first restart.</summary>
    public int T0 { get; }

    /// <summary>T_mult, the factor by which the period grows after each restart.</summary>
    public int TMult { get; }

    /// <summary>η_min, the lowest learning rate.</summary>
    public double EtaMin { get; }

    /// <summary>T_cur, the number of epochs since the last restart.</summary>
    public int TCur { get; private set; }

    /// <summary>T_i, the length of the current period.</summary>
    public int TI { get; private set; }

    private protected override void ResetState()
    {
        TCur = 0;
        TI = T0;
    }

    private protected override void Advance(int epoch)
    {
        int tCur = TCur + 1;
        int tI = TI;
        if (tCur >= tI)
        {
            tCur -= tI;
            tI = checked(tI * TMult);
        }

        TCur = tCur;
        TI = tI;
    }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate)
        => Value(baseLearningRate);

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => Value(baseLearningRate);

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate) => Value(baseLearningRate);

    private double Value(double baseLearningRate)
        => EtaMin + (baseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * TCur / TI)) / 2;

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => [("T_0", T0), ("T_mult", TMult), ("eta_min", EtaMin)];

    private protected override IEnumerable<(string Name, double Value)> Variables() => [("T_cur", TCur), ("T_i", TI)];

    private protected override void ValidateVariables(ScheduleState saved)
    {
        int tI = saved.Counter("T_i", T0, int.MaxValue);
        int tCur = saved.Counter("T_cur", 0, tI - 1);
        if (tCur == tI - 1 && (long)tI * TMult > int.MaxValue)
        {
            // The next step would restart with a period T_i·T_mult that int32 cannot hold.
            throw Checkpoints.PayloadReader.Malformed(
                $"CosineAnnealingWarmRestarts is at the end of a period of {tI} epochs; the next, of {(long)tI * TMult}, could not be counted.");
        }
    }

    private protected override void RestoreVariables(ScheduleState saved)
    {
        TI = (int)saved.Variable("T_i");
        TCur = (int)saved.Variable("T_cur");
    }
}
