namespace Optimizers;

/// <summary>
/// An optimizer made of groups, each an <see cref="IOptimizer"/> over its own parameters with its own
/// learning rate and hyperparameters (see <see cref="ParameterGroups"/>).
/// </summary>
/// <remarks>
/// <para>
/// This is how a learning-rate schedule acts on every group: it treats each element of <see cref="Groups"/> as a
/// target with its own base learning rate (torch's <c>initial_lr</c> per param group) and sets each group's
/// <see cref="IOptimizerBase.LearningRate"/>, instead of the composite's single <see cref="IOptimizerBase.LearningRate"/>:
/// </para>
/// <code>
/// IReadOnlyList&lt;IOptimizer&gt; targets = optimizer is IGroupedOptimizer grouped ? grouped.Groups : [optimizer];
/// </code>
/// <para>
/// Setting the composite's <see cref="IOptimizerBase.LearningRate"/> sets every group to the same value, which loses
/// per-group ratios (a bias group at 2α, say); schedules therefore use <see cref="Groups"/>.
/// </para>
/// </remarks>
public interface IGroupedOptimizer : IOptimizer
{
    /// <summary>The groups in the order given at construction; their parameters, concatenated, are <see cref="IOptimizerBase{T}.Parameters"/>.</summary>
    IReadOnlyList<IOptimizer> Groups { get; }
}
