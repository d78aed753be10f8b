namespace Optimizers.Schedules;

/// <summary>
/// The 1cycle policy: warm up from η₀ = η_max / d to η_max, then anneal to η_min = η₀ / d_f, over a fixed number of
/// steps, and the momentum inversely from μ_max to μ_base and back, as <c>torch.optim.lr_scheduler.OneCycleLR</c>. Step it
/// once per batch.
/// </summary>
/// <remarks>
/// <code>
/// η₀ = η_max / d,   η_min = η₀ / d_f,   T = totalSteps,   a = pctStart
/// two phases (default):   steps 0 … a·T − 1:        η₀ → η_max
///                         then until T − 1:          η_max → η_min
/// three phases:           steps 0 … a·T − 1:        η₀ → η_max
///                         then until 2·a·T − 2:      η_max → η₀
///                         then until T − 1:          η₀ → η_min
/// within a phase from step s to step e:  pct = (t − s) / (e − s),  η = anneal(start, end, pct)
/// anneal = cos:     end + (start − end)/2 · (1 + cos(π·pct))
/// anneal = linear:  (end − start)·pct + start
/// momentum (cycleMomentum): the same phases and pct, anneal(μ_max → μ_base) while η rises, anneal(μ_base → μ_max)
///                   while it falls back; in the third phase μ_max throughout
/// </code>
/// <para>
/// Symbols: η_max = <see cref="MaxLearningRate"/>, T = <see cref="TotalSteps"/>, a = <see cref="PctStart"/>
/// (default 0.3), d = <see cref="DivFactor"/> (default 25), d_f = <see cref="FinalDivFactor"/> (default 10⁴),
/// anneal = <see cref="AnnealStrategy"/> (default cos), three phases = <see cref="ThreePhase"/> (default false).
/// The phase boundaries are real numbers, as in torch.
/// </para>
/// <para>
/// Unlike the other schedules, the base learning rate is η_max / d, not the optimizer's learning rate: as in
/// torch, the optimizer's learning rate at construction is ignored and replaced by the step-0 value, and the
/// optimizer's shared η₀ (torch's <c>initial_lr</c>, see <see cref="LearningRateSchedule"/>) becomes η_max / d, so a
/// schedule built on the optimizer afterwards starts from η_max / d, as in torch.
/// Parameter groups: every group runs the cycle from the one <c>maxLearningRate</c> (torch's <c>max_lr</c> as a
/// number), so all groups share η_max, η₀ and η_min and the optimizer's learning rates at construction, which torch
/// ignores too, do not matter. torch also takes a list of peaks, one per group; this class does not offer that yet
/// (its phases are computed per group, so it is a constructor overload away).
/// </para>
/// <para>
/// Every value is the closed form above (torch has no recursive form for this schedule). The schedule has epochs
/// 0 … T: a loop of T optimizer steps, each followed by <see cref="LearningRateSchedule.Step"/>, ends at epoch T,
/// whose value lies just past the end of the last phase (torch computes it too). A further step throws
/// <see cref="InvalidOperationException"/>, as torch raises. With the linear strategy the value at epoch T is below
/// η_min and often negative; torch sets it anyway, but this library's optimizers reject a negative learning rate,
/// so it is clamped at 0 (no update uses it, since the cycle is over).
/// </para>
/// <para>
/// Momentum: with <c>cycleMomentum</c> (default true, as torch's <c>cycle_momentum=True</c>) the schedule also moves each
/// group's momentum by torch's rule: <see cref="Momentum{T}.MomentumFactor"/> (and RMSProp's momentum, for which a
/// momentum buffer is then kept) if the rule has one, else β₁ of the Adam family (<see cref="Adam{T}.Beta1"/>), between
/// μ_max = <c>maxMomentum</c> (default 0.95) and μ_base = <c>baseMomentum</c> (default 0.85). Building the schedule
/// sets it to μ_max, as torch. A rule with neither (GradientDescent, AdaGrad, AdaDelta) throws
/// <see cref="ArgumentException"/>: pass <c>cycleMomentum: false</c> for those. Checkpoints of the optimizer save and
/// restore the cycled value.
/// torch's <c>epochs</c>/<c>steps_per_epoch</c> arguments are their product, <c>totalSteps</c>.
/// Reference: L. N. Smith, N. Topin, "Super-Convergence: Very Fast Training of Neural Networks Using Large Learning
/// Rates" (2017). Optax: <c>cosine_onecycle_schedule</c> / <c>linear_onecycle_schedule</c>.
/// </para>
/// </remarks>
public sealed class OneCycleLR : LearningRateSchedule
{
    private readonly Phase[] _phases;
    private readonly double[] _peaks;
    private readonly double[] _initial;
    private readonly double[] _floors;
    private readonly ICyclableMomentum[]? _cycled;

    /// <summary>
    /// Creates the schedule and sets the learning rate of the optimizer (of every parameter group) to the step-0 value
    /// (η₀ up to rounding).
    /// </summary>
    /// <param name="optimizer">The optimizer to drive; its current learning rates are replaced.</param>
    /// <param name="maxLearningRate">η_max, the peak learning rate of every group: finite and &gt; 0.</param>
    /// <param name="totalSteps">T, the number of steps in the cycle: ≥ 1.</param>
    /// <param name="pctStart">a, the fraction of the cycle spent warming up, in [0, 1] (default 0.3); a·T must exceed 1,
    /// and every later phase must be longer than zero steps.</param>
    /// <param name="annealStrategy">Cosine or linear annealing (default <see cref="AnnealStrategy.Cos"/>).</param>
    /// <param name="divFactor">d, giving η₀ = η_max / d: finite and &gt; 0 (default 25).</param>
    /// <param name="finalDivFactor">d_f, giving η_min = η₀ / d_f: finite and &gt; 0 (default 10⁴).</param>
    /// <param name="threePhase">Use the symmetric warm-up/cool-down followed by a third annihilation phase, as in
    /// the paper, instead of fastai's two phases (default false).</param>
    /// <param name="cycleMomentum">Cycle each group's momentum or β₁ inversely to the learning rate (default true, as
    /// torch); false for a rule with neither.</param>
    /// <param name="baseMomentum">μ_base, the momentum at the peak learning rate, in [0, 1) (default 0.85).</param>
    /// <param name="maxMomentum">μ_max, the momentum at the start and end of the cycle, in [0, 1) (default 0.95).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its range.</exception>
    /// <exception cref="ArgumentException">The phases implied by <paramref name="pctStart"/> and <paramref name="totalSteps"/>
    /// are empty, or <paramref name="cycleMomentum"/> is true for a rule with neither momentum nor β₁.</exception>
    public OneCycleLR(IOptimizerBase optimizer, double maxLearningRate, int totalSteps, double pctStart = 0.3,
                      AnnealStrategy annealStrategy = AnnealStrategy.Cos, double divFactor = 25.0,
                      double finalDivFactor = 1e4, bool threePhase = false, bool cycleMomentum = true,
                      double baseMomentum = 0.85, double maxMomentum = 0.95)
        : this(optimizer, Enumerable.Repeat(maxLearningRate, 1), broadcast: true, totalSteps, pctStart, annealStrategy,
               divFactor, finalDivFactor, threePhase,
               cycleMomentum ? MomentumCycling.Targets(optimizer, nameof(OneCycleLR), baseMomentum, maxMomentum) : null,
               baseMomentum, maxMomentum)
    {
    }

    /// <summary>
    /// The constructor, written per target: <paramref name="maxLearningRates"/> holds one peak per target, or one peak
    /// used for every target when <paramref name="broadcast"/> is true (torch's <c>max_lr</c> as a number).
    /// </summary>
    private OneCycleLR(IOptimizerBase optimizer, IEnumerable<double> maxLearningRates, bool broadcast, int totalSteps,
                       double pctStart, AnnealStrategy annealStrategy, double divFactor, double finalDivFactor, bool threePhase,
                       ICyclableMomentum[]? cycled, double baseMomentum, double maxMomentum)
        : base(optimizer)
    {
        double[] peaks = maxLearningRates.ToArray();
        foreach (double peak in peaks)
        {
            Check.PositiveFinite(peak, "maxLearningRate");
        }

        peaks = broadcast ? Enumerable.Repeat(peaks[0], TargetCount).ToArray() : peaks;

        TotalSteps = Check.PositiveInt(totalSteps);
        PctStart = Check.ClosedUnitInterval(pctStart);
        AnnealStrategy = Check.Defined(annealStrategy);
        DivFactor = Check.PositiveFinite(divFactor);
        FinalDivFactor = Check.PositiveFinite(finalDivFactor);
        ThreePhase = threePhase;

        _peaks = peaks;
        _initial = peaks.Select(p => p / divFactor).ToArray();
        _floors = _initial.Select(i => i / finalDivFactor).ToArray();
        MaxLearningRates = Array.AsReadOnly(_peaks);
        MinLearningRates = Array.AsReadOnly(_floors);
        _phases = threePhase
            ?
            [
                new Phase(pctStart * totalSteps - 1, Level.Initial, Level.Peak, MaxMomentumFirst: true, MaxMomentumLast: false),
                new Phase(2 * pctStart * totalSteps - 2, Level.Peak, Level.Initial, MaxMomentumFirst: false, MaxMomentumLast: true),
                new Phase(totalSteps - 1, Level.Initial, Level.Floor, MaxMomentumFirst: true, MaxMomentumLast: true),
            ]
            :
            [
                new Phase(pctStart * totalSteps - 1, Level.Initial, Level.Peak, MaxMomentumFirst: true, MaxMomentumLast: false),
                new Phase(totalSteps - 1, Level.Peak, Level.Floor, MaxMomentumFirst: false, MaxMomentumLast: true),
            ];

        double previousEnd = 0;
        for (int i = 0; i < _phases.Length; i++)
        {
            if (!(_phases[i].EndStep > previousEnd))
            {
                throw new ArgumentException(
                    $"With totalSteps = {totalSteps}, pctStart = {pctStart} and threePhase = {threePhase}, phase {i + 1} " +
                    $"would end at step {_phases[i].EndStep}, not after its start at step {previousEnd}; choose pctStart " +
                    "so that pctStart·totalSteps > 1 and every phase spans more than zero steps.",
                    nameof(pctStart));
            }

            previousEnd = _phases[i].EndStep;
        }

        _cycled = cycled;
        BaseMomentum = baseMomentum;
        MaxMomentum = maxMomentum;
        if (cycled is not null)
        {
            MomentumCycling.Begin(cycled, maxMomentum);
        }

        Rebase(_initial);
        Start();
    }

    private enum Level
    {
        Initial,
        Peak,
        Floor,
    }

    /// <summary>η_max, the peak learning rate of the first target (group 0).</summary>
    public double MaxLearningRate => _peaks[0];

    /// <summary>η_max of every target, one per parameter group (torch's <c>max_lr</c> per group).</summary>
    public IReadOnlyList<double> MaxLearningRates { get; }

    /// <summary>η_min = η_max / d / d_f, the learning rate at the end of the cycle, of the first target (group 0).</summary>
    public double MinLearningRate => _floors[0];

    /// <summary>η_min of every target, one per parameter group.</summary>
    public IReadOnlyList<double> MinLearningRates { get; }

    /// <summary>T, the number of steps in the cycle.</summary>
    public int TotalSteps { get; }

    /// <summary>a, the fraction of the cycle spent warming up.</summary>
    public double PctStart { get; }

    /// <summary>Cosine or linear annealing within each phase.</summary>
    public AnnealStrategy AnnealStrategy { get; }

    /// <summary>d, with η₀ = η_max / d.</summary>
    public double DivFactor { get; }

    /// <summary>d_f, with η_min = η₀ / d_f.</summary>
    public double FinalDivFactor { get; }

    /// <summary>Whether the cycle has three phases (the paper's) rather than two (fastai's).</summary>
    public bool ThreePhase { get; }

    /// <summary>Whether each group's momentum (or β₁) is cycled.</summary>
    public bool CycleMomentum => _cycled is not null;

    /// <summary>μ_base, the momentum at the peak learning rate (used when <see cref="CycleMomentum"/>).</summary>
    public double BaseMomentum { get; }

    /// <summary>μ_max, the momentum at the start and end of the cycle (used when <see cref="CycleMomentum"/>).</summary>
    public double MaxMomentum { get; }

    private protected override void Advance(int epoch)
    {
        if (epoch > TotalSteps)
        {
            throw new InvalidOperationException(
                $"OneCycleLR was created for {TotalSteps} steps and has been stepped {TotalSteps} times already; " +
                "create a new schedule to run another cycle.");
        }
    }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => Value(target, 0);

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => Math.Max(0, Value(target, epoch));

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate) => Value(target, 0);

    private protected override IEnumerable<(string Name, double Value)> Configuration()
        => ScheduleState.Indexed("max_lr", _peaks).Concat(
        [
            ("total_steps", TotalSteps), ("pct_start", PctStart), ("anneal_strategy", (int)AnnealStrategy),
            ("div_factor", DivFactor), ("final_div_factor", FinalDivFactor), ("three_phase", ThreePhase ? 1 : 0),
            ("cycle_momentum", CycleMomentum ? 1 : 0), ("base_momentum", BaseMomentum), ("max_momentum", MaxMomentum),
        ]);

    private protected override void Applied(int epoch)
    {
        if (_cycled is null)
        {
            return;
        }

        var (phase, pct) = PhaseAt(epoch);
        double start = _phases[phase].MaxMomentumFirst ? MaxMomentum : BaseMomentum;
        double end = _phases[phase].MaxMomentumLast ? MaxMomentum : BaseMomentum;
        double momentum = Anneal(start, end, pct);
        foreach (var target in _cycled)
        {
            target.CycledValue = momentum;
        }
    }

    private protected override void ValidateVariables(ScheduleState saved)
    {
        if (saved.Epoch < 0 || saved.Epoch > TotalSteps)
        {
            throw Checkpoints.PayloadReader.Malformed($"OneCycleLR is at step {saved.Epoch}; its steps are 0 … {TotalSteps}.");
        }
    }

    private double Value(int target, int step)
    {
        var (phase, pct) = PhaseAt(step);
        return Anneal(LevelOf(target, _phases[phase].Start), LevelOf(target, _phases[phase].End), pct);
    }

    /// <summary>The first phase whose end is at or after the step (the last phase takes every later step), and pct in it.</summary>
    private (int Phase, double Pct) PhaseAt(int step)
    {
        int phase = 0;
        double startStep = 0;
        while (phase < _phases.Length - 1 && step > _phases[phase].EndStep)
        {
            startStep = _phases[phase].EndStep;
            phase++;
        }

        return (phase, (step - startStep) / (_phases[phase].EndStep - startStep));
    }

    private double LevelOf(int target, Level level) => level switch
    {
        Level.Initial => _initial[target],
        Level.Peak => _peaks[target],
        _ => _floors[target],
    };

    private double Anneal(double start, double end, double pct) => AnnealStrategy == AnnealStrategy.Cos
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;

    private readonly record struct Phase(double EndStep, Level Start, Level End, bool MaxMomentumFirst, bool MaxMomentumLast);
}
