using System.Numerics;

namespace Optimizers;

/// <summary>
/// An optimizer that re-evaluates the loss and the gradients itself, as often as it needs within one step, through a
/// closure (torch's <c>optimizer.step(closure)</c>): <see cref="LBFGS{T}"/>.
/// </summary>
/// <remarks>
/// The closure zeroes the gradients, computes the loss at the parameters' current values, fills the gradients and
/// returns the loss:
/// <code>
/// double loss = optimizer.Step(() =&gt; { optimizer.ZeroGrad(); return model.LossAndGradients(); });
/// </code>
/// </remarks>
public interface IClosureOptimizer : IOptimizerBase
{
    /// <summary>Performs one optimization step, calling <paramref name="closure"/> as often as the rule needs.</summary>
    /// <param name="closure">Zeroes the gradients, computes the loss, fills the gradients and returns the loss.</param>
    /// <returns>The loss the first call of <paramref name="closure"/> returned (at the parameters' values on entry).</returns>
    double Step(Func<double> closure);
}

/// <summary>An <see cref="IClosureOptimizer"/> over parameters of element type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IClosureOptimizer<T> : IClosureOptimizer, IOptimizerBase<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
}
