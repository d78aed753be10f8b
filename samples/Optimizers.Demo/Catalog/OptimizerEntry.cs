using System.Numerics;

namespace Optimizers.Demo.Catalog;

/// <summary>An optimizer as the demo knows it, whatever the element type: its name, a learning rate that suits the demo, and its options.</summary>
/// <param name="Name">The class name, also accepted (case-insensitively) by <c>train --optimizer</c>.</param>
/// <param name="DemoLearningRate">The learning rate used by the comparison and by <c>train</c> when <c>--lr</c> is not given.</param>
/// <param name="Hyperparameters">The options it takes besides <c>--lr</c>, with the library's defaults.</param>
public abstract record OptimizerEntry(string Name, double DemoLearningRate, IReadOnlyList<Hyperparameter> Hyperparameters)
{
    /// <summary>
    /// Whether the optimizer needs its parameters as matrices (Muon): the trajectories then move a 1 × 2 matrix
    /// parameter (x, y) rather than a vector.
    /// </summary>
    public bool TakesMatrices { get; init; }
}

/// <summary>An optimizer as the demo knows it, with how to build it over parameters of element type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The element type of the parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Name">The class name, also accepted (case-insensitively) by <c>train --optimizer</c>.</param>
/// <param name="DemoLearningRate">The learning rate used by the comparison and by <c>train</c> when <c>--lr</c> is not given.</param>
/// <param name="Hyperparameters">The options it takes besides <c>--lr</c>, with the library's defaults.</param>
/// <param name="Create">Builds the optimizer over the parameters with a learning rate and hyperparameter values.</param>
public sealed record OptimizerEntry<T>(
    string Name,
    double DemoLearningRate,
    IReadOnlyList<Hyperparameter> Hyperparameters,
    Func<IEnumerable<Parameter<T>>, double, HyperparameterValues, IOptimizer> Create)
    : OptimizerEntry(Name, DemoLearningRate, Hyperparameters)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the optimizer with <paramref name="learningRate"/> and every hyperparameter at its default.</summary>
    public IOptimizer CreateDefault(IEnumerable<Parameter<T>> parameters, double learningRate)
        => Create(parameters, learningRate, new HyperparameterValues(this));
}
