namespace Optimizers.Schedules;

/// <summary>
/// Multiplies the learning rate by a function of the epoch at every step, as
/// <c>torch.optim.lr_scheduler.MultiplicativeLR</c>; one function for every parameter group, or one per group.
/// </summary>
/// <remarks>
/// <code>
/// η at construction unchanged;   ηₜ = ηₜ₋₁ · λ(t)  for t ≥ 1
/// </code>
/// <para>
/// Symbols: λ = the function given for the group. For example η = 0.1 and <c>t =&gt; 0.9</c> give 0.1, 0.09, 0.081, ….
/// The form is recursive only (torch has no closed form for it), so a learning rate changed by hand between steps is
/// carried forward; when <see cref="SequentialLR"/> restarts it at a milestone it keeps the learning rate of that
/// moment, as torch's <c>get_lr</c> at epoch 0. A value that is not finite and ≥ 0 throws
/// <see cref="ArgumentOutOfRangeException"/> at that step and changes no learning rate.
/// </para>
/// <para>
/// Checkpoints: a function is code, not data, so a checkpoint saves this schedule's position (epoch, base and current
/// learning rates, the number of functions) only. Load it into a schedule built with the same functions.
/// torch equivalent: <c>MultiplicativeLR(optimizer, lr_lambda)</c>.
/// </para>
/// </remarks>
public sealed class MultiplicativeLR : LearningRateSchedule
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the schedule with one function for every group; the learning rate is unchanged at epoch 0.</summary>
    /// <param name="optimizer">The optimizer to drive.</param>
    /// <param name="lrLambda">λ, the factor applied at epoch t ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambda"/> is null.</exception>
    public MultiplicativeLR(IOptimizerBase optimizer, Func<int, double> lrLambda)
        : this(LambdaLR.Broadcast(optimizer, lrLambda, nameof(lrLambda)), optimizer)
    {
    }

    /// <summary>Creates the schedule with one function per parameter group; the learning rates are unchanged at epoch 0.</summary>
    /// <param name="optimizer">The optimizer to drive.</param>
    /// <param name="lrLambdas">One function per target, in group order (one for an optimizer without groups).</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> or <paramref name="lrLambdas"/> is null.</exception>
    /// <exception cref="ArgumentException">A function is null, or there are not as many as groups.</exception>
    public MultiplicativeLR(IOptimizerBase optimizer, IEnumerable<Func<int, double>> lrLambdas)
        : this(LambdaLR.PerTarget(optimizer, lrLambdas, nameof(lrLambdas)), optimizer)
    {
    }

    private MultiplicativeLR(Func<int, double>[] lambdas, IOptimizerBase optimizer)
        : base(optimizer)
    {
        _lambdas = lambdas;
        Start();
    }

    private protected override double InitialLearningRate(int target, double current, double baseLearningRate) => current;

    private protected override double NextLearningRate(int target, int epoch, double current, double baseLearningRate)
        => current * _lambdas[target](epoch);

    private protected override double ClosedFormAtEpochZero(int target, double baseLearningRate) => baseLearningRate;

    private protected override double AtMilestone(int target, double current, double baseLearningRate) => current;

    private protected override IEnumerable<(string Name, double Value)> Configuration() => [("lr_lambdas", _lambdas.Length)];
}
