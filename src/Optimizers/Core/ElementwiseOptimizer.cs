using System.Numerics;

namespace Optimizers;

/// <summary>
/// Base for update rules whose vector arithmetic is elementwise, so that a parameter can be cut into ranges
/// and updated on several threads (see <see cref="Optimizer.MaxDegreeOfParallelism"/>).
/// </summary>
/// <remarks>
/// <para>A rule supplies two pieces instead of <see cref="Optimizer{T}.UpdateParameter"/>:</para>
/// <list type="bullet">
/// <item><see cref="BeginParameterStep"/>, called once per parameter and step, before any of that parameter's
/// ranges, on the calling thread: the place for per-parameter scalar state such as a running product
/// (NAdam's μ product) or a per-parameter step count. It may touch only the state of parameter
/// <c>index</c>, and scalars the rule forms once per step for every parameter, such as bias corrections.</item>
/// <item><see cref="UpdateRange"/>, called for contiguous ranges that together cover the parameter exactly
/// once, possibly on different threads at the same time. It must be purely elementwise: element k of θ and of
/// each state vector is computed from element k of θ, ∇J(θ) and that state, plus scalars that do not change
/// during the step (hyperparameters, t, values set by <see cref="BeginParameterStep"/>). It must not write any
/// field or scalar state.</item>
/// </list>
/// <para>
/// On one thread (<see cref="Optimizer.MaxDegreeOfParallelism"/> = 1, or a model too small to split) each
/// parameter gets <see cref="BeginParameterStep"/> followed by one <see cref="UpdateRange"/> over all of it.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class ElementwiseOptimizer<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private RangeWork? _work;

    /// <summary>Validates and stores the parameters and the learning rate.</summary>
    /// <param name="parameters">The parameters to update: at least one, none null, none repeated.</param>
    /// <param name="learningRate">The learning rate α: finite and ≥ 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds null or holds the same parameter twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is NaN, infinite or negative.</exception>
    protected ElementwiseOptimizer(IEnumerable<Parameter<T>> parameters, double learningRate)
        : base(parameters, learningRate)
    {
    }

    /// <summary>
    /// Updates per-parameter scalar state once per step, before any range of parameter <paramref name="index"/>
    /// is updated. Does nothing unless overridden.
    /// </summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected virtual void BeginParameterStep(int index, long step)
    {
    }

    /// <summary>
    /// Applies the rule to elements [<paramref name="start"/>, <paramref name="start"/> + value.Length) of the
    /// parameter at <paramref name="index"/>: slice every state vector the same way
    /// (<c>state[index].AsSpan(start, value.Length)</c>). Purely elementwise; may run concurrently for
    /// different ranges.
    /// </summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>, for per-parameter state.</param>
    /// <param name="start">The offset of the range inside the parameter (a multiple of 16 unless it is 0).</param>
    /// <param name="value">θ over the range, updated in place.</param>
    /// <param name="gradient">∇J(θ) over the range; finite unless <see cref="Optimizer.NonFiniteGradients"/> is <see cref="NonFiniteGradientPolicy.Propagate"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected abstract void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step);

    /// <summary>The single-threaded path: <see cref="BeginParameterStep"/>, then one range over the whole parameter.</summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="value">θ, updated in place.</param>
    /// <param name="gradient">∇J(θ).</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void UpdateParameter(int index, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        BeginParameterStep(index, step);
        UpdateRange(index, 0, value, gradient, step);
    }

    internal sealed override bool UpdateInParts(StepPartition partition, long step)
    {
        for (int i = 0; i < ParameterArray.Length; i++)
        {
            BeginParameterStep(i, step);
        }

        var work = _work ??= new RangeWork(this);
        work.Partition = partition;
        work.Step = step;
        WorkerPool.Shared.Run(work, partition.Parts);
        return true;
    }

    /// <summary>One step's <see cref="UpdateRange"/> calls, part by part.</summary>
    private sealed class RangeWork(ElementwiseOptimizer<T> owner) : IPartitionedWork
    {
        public StepPartition? Partition { get; set; }

        public long Step { get; set; }

        public void RunPart(int part)
        {
            foreach (var slice in Partition!.Slices(part))
            {
                var parameter = owner.ParameterArray[slice.Index];
                owner.UpdateRange(slice.Index, slice.Start,
                                  parameter.ValueSpan.Slice(slice.Start, slice.Length),
                                  parameter.GradientSpan.Slice(slice.Start, slice.Length), Step);
            }
        }
    }
}
