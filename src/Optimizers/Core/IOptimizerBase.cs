using System.Numerics;

namespace Optimizers;

/// <summary>
/// What every optimizer shares, whether it steps from the gradients alone (<see cref="IOptimizer"/>) or from a closure
/// that re-evaluates the loss (<see cref="IClosureOptimizer"/>, L-BFGS): the learning rate that schedules set, and
/// <see cref="ZeroGrad"/>.
/// </summary>
/// <remarks>
/// Learning-rate schedules (<see cref="Schedules"/>) and checkpoints (<see cref="Checkpoints.Checkpoint"/>) take this
/// interface, so they work with both kinds, as torch's schedulers work with any <c>torch.optim.Optimizer</c>.
/// </remarks>
public interface IOptimizerBase
{
    /// <summary>The learning rate α used by the next step; may change between steps (schedules).</summary>
    /// <remarks>A <see cref="double"/> whatever the element type, as in torch.optim.</remarks>
    double LearningRate { get; set; }

    /// <summary>Sets the gradient of every parameter to zero.</summary>
    void ZeroGrad();
}

/// <summary>An <see cref="IOptimizerBase"/> over parameters of element type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IOptimizerBase<T> : IOptimizerBase
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The parameters this optimizer updates, in the order given at construction.</summary>
    IReadOnlyList<Parameter<T>> Parameters { get; }
}
