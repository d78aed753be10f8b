using System.Numerics;

namespace Optimizers;

/// <summary>
/// Gradient accumulation: the gradients of k micro-batches are averaged and the inner optimizer steps once, so a batch
/// k times larger than fits in memory is trained as one. Optax's <c>MultiSteps(opt, every_k_schedule=k)</c>.
/// </summary>
/// <remarks>
/// <para>Call <see cref="OptimizerWrapper{T}.Step"/> once per micro-batch, after its backward pass (which overwrites the gradients):</para>
/// <code>
/// calls 1 … k−1 of a cycle:  S = S + g          (S, the wrapper's own sum, "sum"; S = g at call 1); θ unchanged
/// call k:                    g = (S + g) / k     (written into the parameters' gradients)
///                            inner step with g   (θ updated, once)
/// </code>
/// <para>
/// k = <see cref="Every"/>. The mean is divided (not multiplied by 1/k) in the element type, so k = 1 equals the inner
/// optimizer bit for bit, and for equal micro-batches of a mean loss it equals the full-batch gradient up to rounding:
/// the sum of k terms adds at most (k − 1) roundings of the running sum, plus one for the division, which is exact
/// for k a power of two. Optax accumulates a running mean instead (<c>acc + (g − acc)/(n + 1)</c>), equal to this
/// up to rounding. After the k-th call the gradients hold the mean the inner optimizer used.
/// </para>
/// <para>
/// Counts and the guard: <see cref="OptimizerWrapper{T}.TryStep"/> returns true only on the k-th accepted call, when
/// the parameters were updated; <see cref="OptimizerWrapper{T}.StepCount"/> counts those updates (inner steps), and
/// <see cref="MicroBatches"/> the micro-batches in the current sum. Under <see cref="NonFiniteGradientPolicy.Throw"/>
/// and <see cref="NonFiniteGradientPolicy.Skip"/> every micro-batch is checked before it is added: a gradient with
/// NaN or ±∞, or one whose addition would make the sum overflow to ±∞, throws (nothing changed: sum, count and
/// parameters as before) or is dropped (as in Optax's <c>skip_not_finite</c>: as if that call never happened; the
/// cycle still needs k good micro-batches) and counts in <see cref="OptimizerWrapper{T}.SkippedStepCount"/>, which
/// thus counts micro-batches; the inner optimizer's counts are untouched. Under
/// <see cref="NonFiniteGradientPolicy.Propagate"/> nothing is checked.
/// </para>
/// <para>
/// Schedules: the learning rate is the inner optimizer's, read at its step; step a schedule once per update, that is
/// when <c>TryStep()</c> returns true, so that it counts inner steps:
/// </para>
/// <code>
/// var optimizer = new GradientAccumulation(new Adam(network.Parameters), every: 4);
/// var schedule = new CosineAnnealingLR(optimizer, tMax: 1000);
/// foreach (var microBatch in microBatches)
/// {
///     network.Backward(microBatch.Inputs, microBatch.Labels);
///     if (optimizer.TryStep()) schedule.Step();
/// }
/// </code>
/// <para>Checkpoints save the sum, the micro-batch count and the counts, then the inner optimizer.</para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class GradientAccumulation<T> : OptimizerWrapper<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _sum;
    private readonly T _every;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The optimizer to step once per <paramref name="every"/> micro-batches: a rule, a <see cref="ParameterGroups{T}"/> or another wrapper, not yet wrapped.</param>
    /// <param name="every">k, the number of micro-batches per step: ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> already belongs to a wrapper or a parameter-groups optimizer, or is not an optimizer of this library.</exception>
#pragma warning disable RS0022 // by design: the wrapper base keeps its members internal; rules and wrappers are extended only here
    public GradientAccumulation(IOptimizer<T> inner, int every)
#pragma warning restore RS0022
        : base(Validate(inner, every))
    {
        Every = every;
        _every = T.CreateTruncating(every);
        RecordHyperparameter("every", every);
        _sum = Array.ConvertAll(ParameterArray, p => new T[p.Length]);
    }

    /// <summary>k: the number of micro-batches averaged per step of the inner optimizer.</summary>
    public int Every { get; }

    /// <summary>The number of micro-batches in the current sum: 0 to k − 1 (0 right after an update).</summary>
    public int MicroBatches => (int)Phase;

    internal override T[][] StateVectors => _sum;

    internal override string StateName => "sum";

    internal override long Phase { get; set; }

    internal override int Period => Every;

    internal override bool GradientsPass(NonFiniteGradientPolicy policy)
    {
        if (policy == NonFiniteGradientPolicy.Propagate)
        {
            return true;
        }

        for (int i = 0; i < ParameterArray.Length; i++)
        {
            var gradient = ParameterArray[i].GradientSpan;
            int bad = Phase == 0 ? Elementwise.IndexOfNonFinite(gradient) : IndexOfNonFiniteSum(_sum[i], gradient);
            if (bad >= 0)
            {
                return policy == NonFiniteGradientPolicy.Skip
                    ? false
                    : throw new NonFiniteGradientException(
                        ParameterArray[i].Name, bad,
                        double.CreateTruncating(T.IsFinite(gradient[bad]) ? _sum[i][bad] + gradient[bad] : gradient[bad]));
            }
        }

        return true;
    }

    internal override bool Update(NonFiniteGradientPolicy policy)
    {
        if (Phase < Every - 1)
        {
            for (int i = 0; i < _sum.Length; i++)
            {
                var gradient = ParameterArray[i].GradientSpan;
                if (Phase == 0)
                {
                    gradient.CopyTo(_sum[i]);
                }
                else
                {
                    Add(_sum[i], gradient);
                }
            }

            Phase++;
            return false;
        }

        for (int i = 0; i < _sum.Length; i++)
        {
            Mean(_sum[i], ParameterArray[i].GradientArray, _every, first: Phase == 0);
        }

        Phase = 0;
        if (Inner is OptimizerWrapper<T> && !InnerStep.GradientsPass(Inner, policy))
        {
            // Only a nested accumulation can refuse a finite mean (its own sum would overflow).
            InnerStep.CountSkipped(Inner);
            return false;
        }

        if (!InnerStep.Update(Inner, policy))
        {
            return false;
        }

        StepCount++;
        return true;
    }

    internal override void CountSkipped() => SkippedStepCount++;

    /// <summary>sum[j] += g[j].</summary>
    private static void Add(Span<T> sum, ReadOnlySpan<T> gradient)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && sum.Length >= Vector<T>.Count)
        {
            for (; j <= sum.Length - Vector<T>.Count; j += Vector<T>.Count)
            {
                (new Vector<T>(sum[j..]) + new Vector<T>(gradient[j..])).CopyTo(sum[j..]);
            }
        }

        for (; j < sum.Length; j++)
        {
            sum[j] += gradient[j];
        }
    }

    /// <summary>g[j] = (sum[j] + g[j]) / k, or g[j] / k when this is the first micro-batch of the cycle (k = 1).</summary>
    private static void Mean(ReadOnlySpan<T> sum, Span<T> gradient, T every, bool first)
    {
        for (int j = 0; j < gradient.Length; j++)
        {
            gradient[j] = (first ? gradient[j] : sum[j] + gradient[j]) / every;
        }
    }

    /// <summary>The first j where sum[j] + g[j] is NaN or ±∞, or −1.</summary>
    private static int IndexOfNonFiniteSum(ReadOnlySpan<T> sum, ReadOnlySpan<T> gradient)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && sum.Length >= Vector<T>.Count)
        {
            for (; j <= sum.Length - Vector<T>.Count; j += Vector<T>.Count)
            {
                var total = new Vector<T>(sum[j..]) + new Vector<T>(gradient[j..]);
                if (!Vector.EqualsAll(total - total, Vector<T>.Zero))
                {
                    break;
                }
            }
        }

        for (; j < sum.Length; j++)
        {
            if (!T.IsFinite(sum[j] + gradient[j]))
            {
                return j;
            }
        }

        return -1;
    }

    private static IOptimizer<T> Validate(IOptimizer<T> inner, int every)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        return inner;
    }
}

/// <summary><see cref="GradientAccumulation{T}"/> over double-precision parameters, under its short name.</summary>
public sealed class GradientAccumulation : GradientAccumulation<double>
{
    /// <inheritdoc />
    public GradientAccumulation(IOptimizer<double> inner, int every)
        : base(inner, every)
    {
    }
}
