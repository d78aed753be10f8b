namespace Optimizers.Schedules;

/// <summary>
/// Sets the learning rate to η₀ times a function of the epoch, as <c>torch.optim.lr_scheduler.LambdaLR</c>; one
/// function for every parameter group, or one per group.
/// </summary>
/// <remarks>
/// <code>
/// ηₜ = η₀ · λ(t)        (every step, including construction: t = 0)
/// </code>
/// <para>
/// Symbols: η₀ = <see cref="LearningRateSchedule.BaseLearningRate"/> (per group), λ = the function given for the
/// group. For example η₀ = 0.1 and <c>t =&gt; 0.95 ** t</c> (<c>Math.Pow(0.95, t)</c>) give 0.1, 0.095, 0.09025, ….
/// torch has only this closed form for LambdaLR, so a learning rate changed by hand between steps is not carried
/// forward. A value that is not finite and ≥ 0 throws <see cref="ArgumentOutOfRangeException"/> at that step and
/// changes no learning rate.
/// </para>
/// <para>
/// Checkpoints: a function is code, not data, so a checkpoint saves this schedule's position (epoch, base and current
/// learning rates, the number of functions) only, as torch's <c>state_dict</c> saves no plain function. Load it into a
/// schedule built with the same functions; the library cannot check that they are the same.
/// torch equivalent: <c>LambdaLR(optimizer, lr_lambda)</c> with a function or a list of them.
/// </para>
/// </remarks>
public sealed class LambdaLR : LearningRateSchedule
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the schedule with one function for every group and applies η₀ · λ(0).</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ is its learning rate now, or the one recorded by the first
    /// schedule built on it (see <see cref="LearningRateSchedule"/>).</param>
    /// <param name="lrLambda">λ, the factor on η₀ as a function of the epoch t ≥ 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambda"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">η₀ · λ(0) is not finite and ≥ 0.</exception>
    public LambdaLR(IOptimizerBase optimizer, Func<int, double> lrLambda)
        : this(Broadcast(optimizer, lrLambda, nameof(lrLambda)), optimizer)
    {
    }

    /// <summary>Creates the schedule with one function per parameter group and applies η₀ · λ_g(0) to each group g.</summary>
    /// <param name="optimizer">The optimizer to drive; η₀ of each group is its learning rate now, or the one recorded
    /// by the first schedule built on it.</param>
    /// <param name="lrLambdas">One function per target, in group order (one for an optimizer without groups).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambdas"/> is null.</exception>
    /// <exception cref="ArgumentException">A function is null, or there are not as many as groups.</exception>
    /// <exception cref="ArgumentOutOfRangeException">η₀ · λ(0) is not finite and ≥ 0.</exception>
    public LambdaLR(IOptimizerBase optimizer, IEnumerable<Func<int, double>> lrLambdas)
        : this(PerTarget(optimizer, lrLambdas, nameof(lrLambdas)), optimizer)
    {
    }

    private LambdaLR(Func<int, double>[] lambdas, IOptimizerBase optimizer)
        : base(optimizer)
    {
        _lambdas = lambdas;
        Start();
    }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate)
        => baseLearningRate * _lambdas[target](0);

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => baseLearningRate * _lambdas[target](epoch);

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate)
        => baseLearningRate * _lambdas[target](0);

    private protected override IEnumerable<(string Name, double Value)> Configuration() => [("lr_lambdas", _lambdas.Length)];

    /// <summary>One function repeated for every target of <paramref name="optimizer"/>.</summary>
    internal static Func<int, double>[] Broadcast(IOptimizerBase optimizer, Func<int, double> lambda, string name)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(lambda, name);
        return Enumerable.Repeat(lambda, ScheduleTargets.Of(optimizer).Length).ToArray();
    }

    /// <summary>The functions, checked: none null, one per target of <paramref name="optimizer"/>.</summary>
    internal static Func<int, double>[] PerTarget(IOptimizerBase optimizer, IEnumerable<Func<int, double>> lambdas, string name)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(lambdas, name);
        var array = lambdas.ToArray();
        int targets = ScheduleTargets.Of(optimizer).Length;
        if (array.Length != targets)
        {
            throw new ArgumentException(
                $"One function per parameter group is required: the optimizer has {targets} target(s); got {array.Length} function(s).", name);
        }

        int missing = Array.IndexOf(array, null);
        if (missing >= 0)
        {
            throw new ArgumentException($"The function at index {missing} is null.", name);
        }

        return array;
    }
}
