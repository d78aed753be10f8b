using System.Numerics;

namespace Optimizers.Demo.Catalog;

/// <summary>
/// L-BFGS for <c>train --optimizer lbfgs</c>: not in <see cref="OptimizerCatalog"/> (it steps from a closure, not from
/// the gradients of a mini-batch), so the comparison leaves it out; <c>train</c> runs it full batch, one closure over
/// every training row per epoch, with the strong Wolfe line search.
/// </summary>
public sealed record LbfgsEntry() : OptimizerEntry("LBFGS", 1.0, [])
{
    /// <summary>The one instance.</summary>
    public static LbfgsEntry Instance { get; } = new();

    /// <summary>L-BFGS over <paramref name="parameters"/> with learning rate α and the strong Wolfe line search.</summary>
    public static LBFGS<T> Create<T>(IEnumerable<Parameter<T>> parameters, double learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(parameters, learningRate, lineSearch: LineSearch.StrongWolfe);
}
