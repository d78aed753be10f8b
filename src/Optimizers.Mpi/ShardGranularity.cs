namespace Optimizers.Mpi;

/// <summary>How <see cref="ShardedOptimizer{T}"/> cuts the parameters, laid end to end, among the processes.</summary>
public enum ShardGranularity
{
    /// <summary>
    /// Contiguous ranges of equal length (the first total mod N processes take one element more), cutting through
    /// parameters: for rules whose arithmetic is elementwise (<see cref="ElementwiseOptimizer{T}"/>), which give the same
    /// bits on a range as on the whole parameter.
    /// </summary>
    Range,

    /// <summary>
    /// Contiguous runs of whole parameters, each process's run ending at the first parameter boundary at or after its
    /// equal share: for rules that need a whole parameter at once (a norm or a factorisation over the parameter). Any
    /// rule may be sharded this way; the shares are less even.
    /// </summary>
    WholeParameter,
}
