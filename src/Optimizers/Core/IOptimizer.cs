namespace Optimizers;

/// <summary>
/// An update rule that moves a fixed list of <see cref="Parameter"/>s along their gradients.
/// </summary>
/// <remarks>
/// A training loop is <c>ZeroGrad()</c>, compute gradients (for example <see cref="Networks.Network.Backward"/>),
/// <c>Step()</c>. Implementations are not thread-safe: one optimizer is driven from one thread at a time;
/// distinct optimizers over distinct parameters may run on different threads.
/// </remarks>
public interface IOptimizer
{
    /// <summary>The parameters this optimizer updates, in the order given at construction.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The learning rate α used by the next <see cref="Step"/>; may change between steps (schedules).</summary>
    double LearningRate { get; set; }

    /// <summary>Performs one update of every parameter from its current <see cref="Parameter.Gradient"/>.</summary>
    void Step();

    /// <summary>Sets the gradient of every parameter to zero.</summary>
    void ZeroGrad();
}
