namespace Optimizers.Demo.Catalog;

/// <summary>An optimizer as the demo knows it: its name, a learning rate that suits the demo, and how to build it.</summary>
/// <param name="Name">The class name, also accepted (case-insensitively) by <c>train --optimizer</c>.</param>
/// <param name="DemoLearningRate">The learning rate used by the comparison and by <c>train</c> when <c>--lr</c> is not given.</param>
/// <param name="Hyperparameters">The options it takes besides <c>--lr</c>, with the library's defaults.</param>
/// <param name="Create">Builds the optimizer over the parameters with a learning rate and hyperparameter values.</param>
public sealed record OptimizerEntry(
    string Name,
    double DemoLearningRate,
    IReadOnlyList<Hyperparameter> Hyperparameters,
    Func<IEnumerable<Parameter>, double, HyperparameterValues, IOptimizer> Create)
{
    /// <summary>Builds the optimizer with <paramref name="learningRate"/> and every hyperparameter at its default.</summary>
    public IOptimizer CreateDefault(IEnumerable<Parameter> parameters, double learningRate)
        => Create(parameters, learningRate, new HyperparameterValues(this));
}
