using System.Numerics;

namespace Optimizers;

/// <summary>
/// An update rule that moves a fixed list of parameters along their gradients, whatever their element type: what a
/// learning-rate schedule or a training loop needs.
/// </summary>
/// <remarks>
/// A training loop is <c>ZeroGrad()</c>, compute gradients (for example <see cref="Networks.Network{T}.Backward(MathNet.Numerics.LinearAlgebra.Matrix{T}, IReadOnlyList{int})"/>),
/// <c>Step()</c>. The parameters themselves are typed by element in <see cref="IOptimizer{T}"/>. Implementations are not
/// thread-safe: one optimizer is driven from one thread at a time; distinct optimizers over distinct parameters may
/// run on different threads. <see cref="IOptimizerBase.LearningRate"/> and <see cref="IOptimizerBase.ZeroGrad"/> come
/// from <see cref="IOptimizerBase"/>, which <see cref="IClosureOptimizer"/> (L-BFGS) shares.
/// </remarks>
public interface IOptimizer : IOptimizerBase
{
    /// <summary>Performs one update of every parameter from its current gradient.</summary>
    void Step();
}

/// <summary>An <see cref="IOptimizer"/> over parameters of element type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IOptimizer<T> : IOptimizer, IOptimizerBase<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
}
