using System.Numerics;

namespace Optimizers;

/// <summary>
/// Lookahead: any optimizer takes k fast steps, then the slow weights move a fraction α of the way to where the fast
/// ones arrived, and the fast weights restart from there. Zhang et al. 2019; Optax's <c>lookahead</c>.
/// </summary>
/// <remarks>
/// <para>Every call of <see cref="OptimizerWrapper{T}.Step"/> that updates the parameters (t counts them):</para>
/// <code>
/// θₜ = inner step from θₜ₋₁                 (the fast weights: the parameters)
/// every k-th t:  φ = lerp(φ, θₜ, α)        (the slow weights φ, the wrapper's state: φ + α·(θₜ − φ))
///                θₜ = φ                     (the fast weights restart from the slow ones)
/// </code>
/// <para>
/// Symbols: k = <see cref="K"/> (default 5), α = <see cref="Alpha"/> (default 0.5). φ is taken from the parameters at
/// the first step of each cycle, which equals the previous sync's result (or the starting point) unless the
/// parameters were changed in between (for example by loading parameter values). The lerp is computed as torch's
/// <c>lerp</c> (<c>φ + α·(θ − φ)</c> for α &lt; 0.5, <c>θ − (θ − φ)·(1 − α)</c> otherwise) in the element type, so
/// α = 1 gives θ exactly (this wrapper then equals its inner optimizer bit for bit) and α = 0 keeps φ exactly.
/// The inner optimizer's state (moments, step count) is kept across syncs, as in Optax's <c>lookahead</c> with its
/// default <c>reset_state=False</c>.
/// </para>
/// <para>
/// Which weights to evaluate: the slow ones, as the paper and Optax advise (they generalise better). Right after a
/// sync (when <see cref="OptimizerWrapper{T}.StepCount"/> is a multiple of k) the parameters hold them; at any other
/// time read them with <see cref="GetSlowWeights"/> (for example copy them into an evaluation copy of the model).
/// Gradients are always computed at the fast weights, the parameters.
/// </para>
/// <para>
/// Counts: <see cref="OptimizerWrapper{T}.StepCount"/> counts the updates of the parameters (inner steps made through
/// this wrapper; an inner <see cref="GradientAccumulation{T}"/> that only accumulated makes none). A call skipped by
/// the guard counts in <see cref="OptimizerWrapper{T}.SkippedStepCount"/> and in the inner optimizer's, and changes
/// nothing else. Checkpoints save φ ("slow"), the steps since the last sync and the counts, then the inner optimizer.
/// </para>
/// <para>
/// Reference: M. R. Zhang, J. Lucas, G. Hinton and J. Ba, "Lookahead Optimizer: k steps forward, 1 step back"
/// (NeurIPS 2019). Optax's <c>lookahead(fast_optimizer, sync_period, slow_step_size)</c> computes the same sync in
/// merged form (fast update = update − (1 − α)·(θ + update − φ)), which rounds differently in the last bits.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Lookahead<T> : OptimizerWrapper<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _slow;
    private readonly T _alpha;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The optimizer taking the fast steps: a rule, a <see cref="ParameterGroups{T}"/> or another wrapper, not yet wrapped.</param>
    /// <param name="k">The number of fast steps between syncs: ≥ 1.</param>
    /// <param name="alpha">The slow step size α: in [0, 1].</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1, or <paramref name="alpha"/> is not in [0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> already belongs to a wrapper or a parameter-groups optimizer, or is not an optimizer of this library.</exception>
#pragma warning disable RS0022 // by design: the wrapper base keeps its members internal; rules and wrappers are extended only here
    public Lookahead(IOptimizer<T> inner, int k = 5, double alpha = 0.5)
#pragma warning restore RS0022
        : base(Validate(inner, k, alpha))
    {
        K = k;
        Alpha = alpha;
        _alpha = T.CreateTruncating(alpha);
        RecordHyperparameter("k", k);
        RecordHyperparameter("alpha", alpha);
        _slow = Array.ConvertAll(ParameterArray, p => p.ValueSpan.ToArray());
    }

    /// <summary>k: the number of fast steps between syncs.</summary>
    public int K { get; }

    /// <summary>α: how far the slow weights move toward the fast ones at a sync.</summary>
    public double Alpha { get; }

    internal override T[][] StateVectors => _slow;

    internal override string StateName => "slow";

    internal override long Phase { get; set; }

    internal override int Period => K;

    /// <summary>
    /// The slow weights φ of the parameter at <paramref name="index"/>: the weights to evaluate. Equal to the parameter
    /// right after a sync; between syncs, the point the current cycle started from.
    /// </summary>
    /// <param name="index">The parameter's position in <see cref="OptimizerWrapper{T}.Parameters"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not the position of a parameter.</exception>
    public ReadOnlySpan<T> GetSlowWeights(int index) => (uint)index < (uint)_slow.Length
        ? _slow[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be the position of a parameter, 0 to {_slow.Length - 1}; got {index}.");

    internal override bool GradientsPass(NonFiniteGradientPolicy policy) => InnerStep.GradientsPass(Inner, policy);

    internal override bool Update(NonFiniteGradientPolicy policy)
    {
        if (Phase == 0)
        {
            for (int i = 0; i < _slow.Length; i++)
            {
                ParameterArray[i].ValueSpan.CopyTo(_slow[i]);
            }
        }

        if (!InnerStep.Update(Inner, policy))
        {
            return false;
        }

        StepCount++;
        if (++Phase == K)
        {
            Phase = 0;
            for (int i = 0; i < _slow.Length; i++)
            {
                Sync(_slow[i], ParameterArray[i].ValueSpan, _alpha);
            }
        }

        return true;
    }

    internal override void CountSkipped()
    {
        SkippedStepCount++;
        InnerStep.CountSkipped(Inner);
    }

    /// <summary>φ = lerp(φ, θ, α), then θ = φ, element by element.</summary>
    private static void Sync(Span<T> slow, Span<T> fast, T alpha)
    {
        for (int j = 0; j < slow.Length; j++)
        {
            T s = Lerp.Of(slow[j], fast[j], alpha);
            slow[j] = s;
            fast[j] = s;
        }
    }

    private static IOptimizer<T> Validate(IOptimizer<T> inner, int k, double alpha)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha, the slow step size, must be in [0, 1].");
        }

        return inner;
    }
}

/// <summary><see cref="Lookahead{T}"/> over double-precision parameters, under its short name.</summary>
public sealed class Lookahead : Lookahead<double>
{
    /// <inheritdoc />
    public Lookahead(IOptimizer<double> inner, int k = 5, double alpha = 0.5)
        : base(inner, k, alpha)
    {
    }
}
