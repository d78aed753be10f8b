using System.Numerics;

namespace Optimizers;

/// <summary>
/// Adafactor: Adam-like scaling by a second moment that, for a matrix, is kept factored as one statistic per row and
/// one per column (memory rows + columns instead of rows × columns), with a relative step size and update clipping.
/// Exactly <c>torch.optim.Adafactor</c> (PyTorch ≥ 2.5).
/// </summary>
/// <remarks>
/// <para>Update at step t, for each parameter as a whole (its statistics start at 0):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                               (gₜ = −∇J(θₜ₋₁) when maximize)
/// β̂₂ₜ = 1 − t^τ
/// ρₜ = min(α, 1/√t)
/// αₜ = max(ε₂, RMS(θₜ₋₁))·ρₜ                    RMS(x) = ‖x‖/√n over the whole parameter
/// θ ← θₜ₋₁·(1 − α·λ)
/// rank 2 (rows × columns):
///   Rₜ = β̂₂ₜ·Rₜ₋₁ + (1 − β̂₂ₜ)·mean over columns of gₜ²     one per row      ("row_var")
///   Cₜ = β̂₂ₜ·Cₜ₋₁ + (1 − β̂₂ₜ)·mean over rows of gₜ²        one per column   ("col_var")
///   V̂ₜ = Rₜ·Cₜᵀ / max(mean(Rₜ), ε₁)                       the rank-one estimate of E[g²]
/// otherwise:
///   V̂ₜ = β̂₂ₜ·V̂ₜ₋₁ + (1 − β̂₂ₜ)·gₜ²                        one per element ("variance")
/// uₜ = gₜ / √max(V̂ₜ, ε₁²)
/// θₜ = θ − αₜ·uₜ / max(1, RMS(uₜ)/d)
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.01), τ = <see cref="Beta2Decay"/> (default −0.8),
/// ε₁ = <see cref="Epsilon1"/> (default null: the element type's machine epsilon, 2.220446049250313e-16 for double and
/// 1.1920929e-07 for float, as torch's <c>finfo(dtype).eps</c>), ε₂ = <see cref="Epsilon2"/> (default 1e-3),
/// d = <see cref="ClipThreshold"/> (default 1), λ = <see cref="WeightDecay"/> (default 0), maximize =
/// <see cref="Maximize"/> (default false). The running averages are torch's <c>lerp_</c> with weight t^τ (1 at the
/// first step, so the statistics start as the first gradient's). State, read with <see cref="Optimizer{T}.GetState"/>:
/// "row_var" (Rows elements for a rank-2 parameter, none otherwise), "col_var" (Columns elements for a rank-2
/// parameter, none otherwise) and "variance" (one per element for a parameter of rank 1, none for rank 2); the step
/// number t is <see cref="Optimizer.StepCount"/>.
/// </para>
/// <para>
/// The factored statistics follow each parameter's logical shape (<see cref="Parameter{T}.Rows"/> ×
/// <see cref="Parameter{T}.Columns"/>, torch's <c>[out, in]</c> for a weight), not its memory order, so a weight and its
/// transpose are different parameters here as in torch. A parameter built from a vector or an array (rank 1, a bias)
/// keeps the full second moment. A step updates each parameter in passes over it (the norms need the whole parameter
/// first), on one thread (<see cref="Optimizer.MaxDegreeOfParallelism"/> is accepted and does not split the step); the
/// only work space, one double per row of the tallest rank-2 parameter, is allocated here, and a step allocates
/// nothing.
/// </para>
/// <para>
/// Reference: N. Shazeer and M. Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost" (ICML 2018).
/// Where torch, and so this rule, departs from the paper: there is no first moment (the paper's optional β₁ is left
/// out); α is not in the paper, which fixes the largest relative step at 0.01 (ρₜ = min(10⁻², 1/√t)) — here, as in
/// torch, α takes that place (its default 0.01 gives the paper's value) and also scales the decoupled weight decay
/// λ; statistics are means rather than the paper's sums (the same estimate V̂); and ε₁ is not added to g² in the
/// statistics as in the paper but bounds the denominator mean(R) from below and V̂ from below by ε₁² (so the update's
/// denominator is at least ε₁).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.Adafactor(params, lr=α, beta2_decay=τ, eps=(ε₁, ε₂), d=d, weight_decay=λ,
/// maximize=…)</c>, in the order of operations of its single-tensor path (<c>_single_tensor_adafactor</c>, the default),
/// within 1e-12 relative in float64 against a NumPy transcription of torch's code
/// (tests/Optimizers.Tests/Parity/Adafactor/README.md). Sums of squares are accumulated in double in both element
/// types, where torch reduces in the tensor's type; the two norms are rounded to the element type, as torch's
/// <c>.item()</c> reads them.
/// </para>
/// <para>
/// Single precision (<c>Adafactor&lt;float&gt;</c>): t^τ, 1 − α·λ, ε₁ and ε₁² are formed in double and rounded to
/// float32, as torch casts Python scalars; αₜ and the clipping are formed in double from the norms and rounded once;
/// the statistics and the update live in float32.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Adafactor<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _rowVar;
    private readonly T[][] _colVar;
    private readonly T[][] _variance;
    private readonly double[] _rowSums;
    private readonly double _epsilon1;

    /// <summary>Creates Adafactor over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated; rank-2 parameters get factored statistics.</param>
    /// <param name="learningRate">α, the largest relative step size ρ and the weight decay's scale: finite and ≥ 0 (default 0.01).</param>
    /// <param name="beta2Decay">τ, the exponent of β̂₂ₜ = 1 − t^τ: finite and ≤ 0 (default −0.8).</param>
    /// <param name="epsilon1">ε₁, the floor of the denominators: finite and ≥ 0, or null for the element type's machine epsilon (default null).</param>
    /// <param name="epsilon2">ε₂, the floor of RMS(θ) in the step size: finite and ≥ 0 (default 1e-3).</param>
    /// <param name="d">d, the clipping threshold of RMS(u): finite and ≥ 1 (default 1).</param>
    /// <param name="weightDecay">λ, the decoupled weight decay (θ is multiplied by 1 − α·λ): finite and ≥ 0 (default 0).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Adafactor(IEnumerable<Parameter<T>> parameters, double learningRate = 0.01, double beta2Decay = -0.8,
                     double? epsilon1 = null, double epsilon2 = 1e-3, double d = 1.0, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate)
    {
        if (!(double.IsFinite(beta2Decay) && beta2Decay <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2Decay), beta2Decay, $"beta2Decay must be a finite number ≤ 0; got {beta2Decay}.");
        }

        if (epsilon1 is { } e1)
        {
            Check.NonNegativeFinite(e1, nameof(epsilon1));
        }

        Check.NonNegativeFinite(epsilon2);
        if (!(double.IsFinite(d) && d >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(d), d, $"d must be a finite number ≥ 1; got {d}.");
        }

        Check.NonNegativeFinite(weightDecay);
        Beta2Decay = beta2Decay;
        Epsilon1 = epsilon1;
        Epsilon2 = epsilon2;
        ClipThreshold = d;
        WeightDecay = weightDecay;
        Maximize = maximize;
        _epsilon1 = epsilon1 ?? double.CreateTruncating(T.BitIncrement(T.One) - T.One);
        RecordHyperparameter("beta2_decay", Beta2Decay);
        RecordHyperparameter("eps1", epsilon1 ?? double.NaN); // NaN: "the element type's epsilon", whichever it is
        RecordHyperparameter("eps2", Epsilon2);
        RecordHyperparameter("d", ClipThreshold);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("maximize", Maximize);
        _rowVar = AddVectorState("row_var", p => p.Rank == 2 ? p.Rows : 0);
        _colVar = AddVectorState("col_var", p => p.Rank == 2 ? p.Columns : 0);
        _variance = AddVectorState("variance", p => p.Rank == 2 ? 0 : p.Length);
        _rowSums = new double[Parameters.Max(p => p.Rank == 2 ? p.Rows : 0)];
    }

    /// <summary>τ, the decay exponent: β̂₂ₜ = 1 − t^τ, so the statistics average over a window that grows with t.</summary>
    public double Beta2Decay { get; }

    /// <summary>ε₁ as given, or null: then the element type's machine epsilon is used (torch's <c>finfo(dtype).eps</c>).</summary>
    public double? Epsilon1 { get; }

    /// <summary>ε₂, the smallest RMS(θ) the step size is scaled by (so that parameters at 0 can move).</summary>
    public double Epsilon2 { get; }

    /// <summary>d, the clipping threshold: an update whose RMS exceeds d is scaled down to RMS d.</summary>
    public double ClipThreshold { get; }

    /// <summary>λ, the decoupled weight decay: θ is multiplied by 1 − α·λ before each update.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the rule ascends (maximizes the objective) instead of descending.</summary>
    public bool Maximize { get; }

    /// <inheritdoc />
    protected sealed override void UpdateParameter(int index, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        if (value.IsEmpty)
        {
            return;
        }

        double t = step;
        double inverseRoot = 1 / Math.Pow(t, 0.5);
        var scalars = new AdafactorKernel.Scalars(
            Weight: Math.Pow(t, Beta2Decay),
            Decay: WeightDecay != 0 ? 1 - (LearningRate * WeightDecay) : 1.0,
            RelativeStep: inverseRoot < LearningRate ? inverseRoot : LearningRate,
            Epsilon1: _epsilon1,
            Epsilon2: Epsilon2,
            ClipThreshold: ClipThreshold,
            Maximize: Maximize);
        var parameter = ParameterArray[index];
        if (parameter.Rank == 2)
        {
            AdafactorKernel.Factored(value, gradient, parameter.Rows, parameter.Columns, _rowVar[index], _colVar[index], _rowSums, scalars);
        }
        else
        {
            AdafactorKernel.Full(value, gradient, _variance[index], scalars);
        }
    }
}

/// <summary>
/// <see cref="Adafactor{T}"/> over double-precision parameters, under its short name: <c>new Adafactor(…)</c> and
/// <c>new Adafactor&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Adafactor : Adafactor<double>
{
    /// <inheritdoc />
    public Adafactor(IEnumerable<Parameter<double>> parameters, double learningRate = 0.01, double beta2Decay = -0.8,
                     double? epsilon1 = null, double epsilon2 = 1e-3, double d = 1.0, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate, beta2Decay, epsilon1, epsilon2, d, weightDecay, maximize)
    {
    }
}
