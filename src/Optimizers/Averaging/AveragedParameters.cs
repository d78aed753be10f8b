using System.Numerics;

namespace Optimizers.Averaging;

/// <summary>
/// Running averages of parameters, for stochastic weight averaging (SWA) or an exponential moving average (EMA), as
/// <c>torch.optim.swa_utils.AveragedModel</c>: call <see cref="Update"/> after optimizer steps, then
/// <see cref="Swap"/> the averages into the parameters to evaluate them, and <see cref="Swap"/> again to go on training.
/// </summary>
/// <remarks>
/// <code>
/// first Update():   a = θ                                   (a copy, as torch's n_averaged = 0)
/// SWA (decay null): a ← a + (θ − a) / (n + 1)                n = updates so far (torch 1.13's default avg_fn)
/// EMA (decay d):    a ← d·a + (1 − d)·θ                       (torch 2.x's get_ema_avg_fn)
/// </code>
/// <para>
/// Symbols: a = <see cref="Average"/>, θ the parameter's value, n = <see cref="AveragedCount"/> before the update,
/// d = <see cref="Decay"/>. For example θ = 1, 3, 8 over three updates: SWA gives 1, 1 + (3 − 1)/2 = 2,
/// 2 + (8 − 2)/3 = 4; EMA with d = 0.5 gives 1, 0.5·1 + 0.5·3 = 2, 0.5·2 + 0.5·8 = 5.
/// </para>
/// <para>
/// Each operation is done in the element type T, with the scalars (1/(n + 1) is not formed: the difference is divided
/// by n + 1 rounded to T; d and 1 − d) formed in double and rounded to T once, as torch does for a float32 tensor.
/// <see cref="Swap"/> exchanges the values of parameters and averages element for element, so two swaps give back
/// exactly the numbers before them. <see cref="Update"/> refuses to run while swapped (it would average the averages).
/// </para>
/// <para>
/// Checkpoints: pass the averages to <see cref="Checkpoints.Checkpoint"/>'s overloads that take them
/// (<c>Checkpoint.Save(stream, optimizer, parameters, schedule, averaged)</c> and the matching <c>Load</c>,
/// <c>SaveToFile</c> and <c>LoadFromFile</c>): the "averaging" section saves the averages and <see cref="AveragedCount"/>
/// and compares the mode and <see cref="Decay"/>, so a run resumes bit for bit; not while swapped. Only the values are averaged (torch's <c>use_buffers=False</c>); this library has no buffers.
/// Instances are not thread-safe.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type, float or double.</typeparam>
public class AveragedParameters<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;
    private readonly Parameter<T>[] _averages;
    private long _count;

    /// <summary>Creates averages of <paramref name="parameters"/> (zeros until the first <see cref="Update"/>).</summary>
    /// <param name="parameters">The parameters to average: at least one, none repeated.</param>
    /// <param name="decay">Null for SWA's equal weights; otherwise d of the EMA, in [0, 1].</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds null or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is outside [0, 1].</exception>
    public AveragedParameters(IEnumerable<Parameter<T>> parameters, double? decay = null)
    {
        _parameters = Check.Parameters(parameters, nameof(parameters));
        if (decay is double d)
        {
            Check.ClosedUnitInterval(d, nameof(decay));
        }

        Decay = decay;
        _averages = _parameters.Select(p => Parameter<T>.ShapedLike(p, $"{p.Name}.averaged", new T[p.Length])).ToArray();
        Parameters = Array.AsReadOnly(_parameters);
        Averages = Array.AsReadOnly(_averages);
    }

    /// <summary>The parameters averaged.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The averages, one parameter per averaged parameter, named "name.averaged" (their gradients are unused).</summary>
    public IReadOnlyList<Parameter<T>> Averages { get; }

    /// <summary>d of the EMA, or null for SWA's equal weights.</summary>
    public double? Decay { get; }

    /// <summary>
    /// n, the number of <see cref="Update"/> calls so far (torch's <c>n_averaged</c>). Settable to resume from a
    /// checkpoint of <see cref="Averages"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long AveragedCount
    {
        get => _count;
        set => _count = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(AveragedCount), value, $"AveragedCount must be ≥ 0; got {value}.");
    }

    /// <summary>Whether <see cref="Swap"/> has put the averages into the parameters.</summary>
    public bool IsSwapped { get; private set; }

    /// <summary>The average of the parameter at <paramref name="index"/> (while swapped: the parameter's training values).</summary>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>.</param>
    public ReadOnlySpan<T> Average(int index) => _averages[index].ValueArray;

    /// <summary>Folds the parameters' current values into the averages (the first call copies them).</summary>
    /// <exception cref="InvalidOperationException">The averages are swapped into the parameters; swap back first.</exception>
    public void Update()
    {
        if (IsSwapped)
        {
            throw new InvalidOperationException(
                "The averages are swapped into the parameters; call Swap() again before Update(), which would otherwise average the averages. Nothing changed.");
        }

        for (int i = 0; i < _parameters.Length; i++)
        {
            Span<T> a = _averages[i].ValueArray;
            ReadOnlySpan<T> theta = _parameters[i].ValueArray;
            if (_count == 0)
            {
                theta.CopyTo(a);
            }
            else if (Decay is double d)
            {
                T keep = T.CreateTruncating(d), take = T.CreateTruncating(1 - d);
                for (int j = 0; j < a.Length; j++)
                {
                    a[j] = keep * a[j] + take * theta[j];
                }
            }
            else
            {
                T divisor = T.CreateTruncating((double)(_count + 1));
                for (int j = 0; j < a.Length; j++)
                {
                    a[j] += (theta[j] - a[j]) / divisor;
                }
            }
        }

        _count++;
    }

    /// <summary>
    /// Exchanges the values of the parameters and the averages: the first call puts the averages into the parameters
    /// (for evaluation), the second restores the training values exactly.
    /// </summary>
    public void Swap()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            T[] values = _parameters[i].ValueArray, averages = _averages[i].ValueArray;
            for (int j = 0; j < values.Length; j++)
            {
                (values[j], averages[j]) = (averages[j], values[j]);
            }
        }

        IsSwapped = !IsSwapped;
    }
}

/// <summary><see cref="AveragedParameters{T}"/> over double-precision parameters, under its short name.</summary>
public sealed class AveragedParameters : AveragedParameters<double>
{
    /// <summary>Creates averages of <paramref name="parameters"/>; see <see cref="AveragedParameters{T}"/>.</summary>
    /// <param name="parameters">The parameters to average: at least one, none repeated.</param>
    /// <param name="decay">Null for SWA's equal weights; otherwise d of the EMA, in [0, 1].</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">The list is empty, holds null or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is outside [0, 1].</exception>
    public AveragedParameters(IEnumerable<Parameter<double>> parameters, double? decay = null)
        : base(parameters, decay)
    {
    }
}
