using System.Numerics;

namespace Optimizers.Mpi;

/// <summary>
/// Data-parallel training over MPI: wraps any optimizer so that every process averages its gradients with the other
/// processes' before the step, and every process applies the same step to the same parameters.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Each process computes gradients on its own rows of each global batch (<see cref="BatchSharding"/>), then calls
/// <see cref="IOptimizer.Step"/> as in a single process. The step first averages every gradient over the N processes,
/// g ← (g₀ + … + g_{N−1}) / N, in one all-reduce over all parameters laid end to end (one buffer allocated at
/// construction, nothing per step), then steps the wrapped optimizer. Because every process then holds the same
/// averaged gradient, the wrapped optimizer's non-finite guard decides the same everywhere: a NaN or ±∞ on any process
/// becomes NaN or ±∞ in the average, so every process skips (or throws) and nothing changes anywhere.
/// </para>
/// <para>
/// To clip or inspect the averaged gradients, call <see cref="AverageGradients"/> first; the next step then does not
/// average again. Clip after averaging: clipping each process's own gradient by its own norm would differ from clipping
/// the full batch's.
/// </para>
/// <para>
/// The mean of the processes' means equals the full batch's mean when each process takes the same number of rows. It
/// differs from a single process's mean only in the order of the additions (the library's all-reduce order): a few
/// units in the last place of each gradient element, which the rules then carry into the parameters.
/// </para>
/// <para>
/// The constructor copies the parameters' values from rank 0 to every process (MPI_Bcast), so processes that
/// initialised their models differently start alike. <see cref="VerifySameParameters"/> (or
/// <see cref="VerifyEvery"/>) checks that every process holds the same bits.
/// </para>
/// <para>Thread safety: not thread-safe; every process must call <see cref="IOptimizer.Step"/> the same number of times.</para>
/// </remarks>
public sealed class DataParallel<T> : IOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly GradientBuffer<T> _buffer;
    private bool _averaged;
    private long _steps;

    /// <summary>
    /// Wraps <paramref name="optimizer"/> and copies its parameters' values from rank 0 to every process.
    /// Every process must call it, in the same order as its other collectives.
    /// </summary>
    /// <param name="optimizer">Any optimizer over parameters of element type <typeparamref name="T"/>: a rule, a
    /// <see cref="ParameterGroups{T}"/>, or another wrapper.</param>
    /// <param name="communicator">The processes to average over; <see cref="Communicator.World"/> if null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentException">The optimizer has no parameters or more than 2³¹ − 1 elements in all.</exception>
    public DataParallel(IOptimizer<T> optimizer, Communicator? communicator = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer.Parameters.Count == 0)
        {
            throw new ArgumentException("The optimizer has no parameters to average.", nameof(optimizer));
        }

        if (optimizer.Parameters.Sum(p => (long)p.Length) > Array.MaxLength)
        {
            throw new ArgumentException("The parameters hold more elements than one array can; split the model over several DataParallel wrappers.", nameof(optimizer));
        }

        Inner = optimizer;
        Communicator = communicator ?? Communicator.World;
        _buffer = new GradientBuffer<T>(optimizer.Parameters);
        _buffer.BroadcastValues(Communicator);
    }

    /// <summary>The wrapped optimizer.</summary>
    public IOptimizer<T> Inner { get; }

    /// <summary>The processes the gradients are averaged over.</summary>
    public Communicator Communicator { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter<T>> Parameters => Inner.Parameters;

    /// <inheritdoc />
    public double LearningRate
    {
        get => Inner.LearningRate;
        set => Inner.LearningRate = value;
    }

    /// <summary>
    /// Checks that every process holds the same bits as rank 0 after every this-many steps (0, the default: never).
    /// Each check broadcasts all parameters, as large a transfer as the gradient average.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int VerifyEvery
    {
        get;
        set => field = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"VerifyEvery must be 0 (never) or a positive number of steps; got {value}.");
    }

    /// <summary>True when the gradients have been averaged since the last step or <see cref="ZeroGrad"/>.</summary>
    public bool GradientsAveraged => _averaged;

    /// <summary>
    /// Averages every parameter's gradient over the processes, g ← (Σᵣ gᵣ) / N, unless that has been done since the last
    /// step or <see cref="ZeroGrad"/>; every process must call it. In a world of one it changes nothing.
    /// </summary>
    public void AverageGradients()
    {
        if (_averaged)
        {
            return;
        }

        _buffer.AverageGradients(Communicator);
        _averaged = true;
    }

    /// <summary>
    /// Averages the gradients (unless <see cref="AverageGradients"/> already did) and steps the wrapped optimizer, on
    /// every process alike.
    /// </summary>
    /// <exception cref="NonFiniteGradientException">An averaged gradient is not finite and the wrapped optimizer's
    /// policy is to throw: thrown on every process, nothing changed.</exception>
    /// <exception cref="InvalidOperationException"><see cref="VerifyEvery"/> is on and the processes' parameters differ; or
    /// a schedule-free rule in the wrapped optimizer (alone, as a group or under a wrapper) is in evaluation mode, found
    /// before the gradients are averaged, so nothing changed.</exception>
    public void Step()
    {
        InnerStep.ThrowIfCannotStep(Inner);
        AverageGradients();
        _averaged = false;
        Inner.Step();
        _steps++;
        if (VerifyEvery > 0 && _steps % VerifyEvery == 0)
        {
            VerifySameParameters();
        }
    }

    /// <inheritdoc />
    public void ZeroGrad()
    {
        Inner.ZeroGrad();
        _averaged = false;
    }

    /// <summary>
    /// Checks that every process holds the same bits in every parameter as rank 0; every process must call it.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Some process differs: thrown on every process, naming the first differing parameter and element.
    /// </exception>
    public void VerifySameParameters() => _buffer.VerifySameValues(Communicator, _steps);
}
