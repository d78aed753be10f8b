namespace Optimizers.Schedules;

/// <summary>
/// Cuts the learning rate by a factor when a metric has stopped improving, as
/// <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c>. Call <see cref="Step(double)"/> once per epoch with the
/// metric (for example the validation loss).
/// </summary>
/// <remarks>
/// <para>Each <see cref="Step(double)"/> with metric x:</para>
/// <code>
/// if better(x, best):  best ← x,  bad ← 0      else  bad ← bad + 1
/// if cooldown &gt; 0:     cooldown ← cooldown − 1,  bad ← 0      (bad epochs during a cooldown are ignored)
/// if bad &gt; patience:   η_new = max(η·factor, η_min);  if η − η_new &gt; ε then η ← η_new;
///                      cooldown ← cooldownEpochs,  bad ← 0
/// better(x, best) in min mode:  x &lt; best·(1 − threshold)  (relative)   or   x &lt; best − threshold  (absolute)
/// better(x, best) in max mode:  x &gt; best·(1 + threshold)  (relative)   or   x &gt; best + threshold  (absolute)
/// best starts at +∞ (min mode) or −∞ (max mode), so the first finite metric is always an improvement.
/// </code>
/// <para>
/// Symbols: mode = <see cref="Mode"/> (default min), factor = <see cref="Factor"/> (default 0.1), patience =
/// <see cref="Patience"/> (default 10), threshold = <see cref="Threshold"/> (default 10⁻⁴), threshold mode =
/// <see cref="ThresholdMode"/> (default relative), cooldownEpochs = <see cref="Cooldown"/> (default 0), η_min =
/// <see cref="MinLearningRate"/> (default 0), ε = <see cref="Eps"/> (default 10⁻⁸); bad = <see cref="BadEpochs"/>,
/// cooldown = <see cref="CooldownCounter"/>, best = <see cref="Best"/>.
/// </para>
/// <para>
/// A NaN metric is never an improvement, so it counts as a bad epoch, as in torch. Construction does not change
/// the learning rate. The rule reads the optimizer's current learning rate, so it composes with changes made
/// elsewhere, as torch's does.
/// </para>
/// <para>
/// This class does not implement <see cref="ILearningRateSchedule"/>, whose <c>Step()</c> takes no metric; torch
/// likewise refuses it in <c>SequentialLR</c>. torch equivalent: <c>ReduceLROnPlateau(optimizer, mode, factor,
/// patience, threshold, threshold_mode, cooldown, min_lr, eps)</c>; Keras: the <c>ReduceLROnPlateau</c> callback
/// (<c>min_delta</c> is an absolute threshold); Optax: <c>contrib.reduce_on_plateau</c>.
/// </para>
/// <para>Thread safety: instances are not thread-safe; step a schedule from the thread that steps its optimizer, between optimizer steps.</para>
/// </remarks>
public sealed class ReduceLROnPlateau
{
    /// <summary>Creates the rule; the optimizer's learning rate is left as it is.</summary>
    /// <param name="optimizer">The optimizer whose learning rate is reduced.</param>
    /// <param name="mode">Whether the metric should fall (<see cref="PlateauMode.Min"/>, the default) or rise.</param>
    /// <param name="factor">The factor applied on a plateau, in [0, 1) (default 0.1).</param>
    /// <param name="patience">The number of bad epochs tolerated before reducing: ≥ 0 (default 10).</param>
    /// <param name="threshold">The margin a metric must beat the best by: finite and ≥ 0 (default 10⁻⁴).</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative (the default) or absolute.</param>
    /// <param name="cooldown">The number of epochs after a reduction during which bad epochs are ignored: ≥ 0 (default 0).</param>
    /// <param name="minLearningRate">η_min, the floor of the learning rate: finite and ≥ 0 (default 0).</param>
    /// <param name="eps">ε, the smallest reduction worth applying: finite and ≥ 0 (default 10⁻⁸).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its range or an enum value is undefined.</exception>
    public ReduceLROnPlateau(IOptimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1,
                             int patience = 10, double threshold = 1e-4,
                             ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0,
                             double minLearningRate = 0, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Mode = Check.Defined(mode);
        Factor = Check.UnitInterval(factor);
        Patience = Check.NonNegativeInt(patience);
        Threshold = Check.NonNegativeFinite(threshold);
        ThresholdMode = Check.Defined(thresholdMode);
        Cooldown = Check.NonNegativeInt(cooldown);
        MinLearningRate = Check.NonNegativeFinite(minLearningRate);
        Eps = Check.NonNegativeFinite(eps);
        Optimizer = optimizer;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        CurrentLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate is reduced.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>Whether the metric should fall or rise.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor applied to the learning rate on a plateau.</summary>
    public double Factor { get; }

    /// <summary>The number of bad epochs tolerated before reducing.</summary>
    public int Patience { get; }

    /// <summary>The margin a metric must beat the best value by to count as an improvement.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>The number of epochs after a reduction during which bad epochs are ignored.</summary>
    public int Cooldown { get; }

    /// <summary>η_min, the floor of the learning rate.</summary>
    public double MinLearningRate { get; }

    /// <summary>ε: a reduction smaller than this is not applied.</summary>
    public double Eps { get; }

    /// <summary>The best metric seen so far (±∞ before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>The number of consecutive epochs without improvement (torch's <c>num_bad_epochs</c>).</summary>
    public int BadEpochs { get; private set; }

    /// <summary>The epochs of cooldown left (torch's <c>cooldown_counter</c>).</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The optimizer's learning rate after the last step (at construction: the learning rate then).</summary>
    public double CurrentLearningRate { get; private set; }

    /// <summary>The number of <see cref="Step(double)"/> calls so far (torch's <c>last_epoch</c>).</summary>
    public int Epoch { get; private set; }

    /// <summary>Records one epoch's metric and reduces the learning rate if it has stopped improving.</summary>
    /// <param name="metric">The monitored quantity; NaN counts as no improvement.</param>
    /// <returns>True when this step reduced the learning rate.</returns>
    public bool Step(double metric)
    {
        int epoch = checked(Epoch + 1);
        int bad = BadEpochs;
        int cooldownLeft = CooldownCounter;
        double best = Best;
        if (IsBetter(metric, best))
        {
            best = metric;
            bad = 0;
        }
        else
        {
            bad++;
        }

        if (cooldownLeft > 0)
        {
            cooldownLeft--;
            bad = 0;
        }

        bool reduced = false;
        if (bad > Patience)
        {
            double old = Optimizer.LearningRate;
            double next = Math.Max(old * Factor, MinLearningRate);
            if (old - next > Eps)
            {
                Optimizer.LearningRate = next;
                reduced = true;
            }

            cooldownLeft = Cooldown;
            bad = 0;
        }

        Epoch = epoch;
        Best = best;
        BadEpochs = bad;
        CooldownCounter = cooldownLeft;
        CurrentLearningRate = Optimizer.LearningRate;
        return reduced;
    }

    private bool IsBetter(double metric, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => metric < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => metric > best * (Threshold + 1.0),
        _ => metric > best + Threshold,
    };
}
