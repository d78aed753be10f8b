using System.Numerics;

namespace Optimizers;

/// <summary>
/// Muon: momentum, then the Newton–Schulz orthogonalisation of each weight matrix's update, with decoupled weight
/// decay and a learning rate scaled to the matrix's shape. As <c>torch.optim.Muon</c> (PyTorch 2.9), for
/// two-dimensional parameters only: give a network's biases (and embeddings, and its first and last layers if you
/// follow the recipe) to another rule such as <see cref="AdamW{T}"/>.
/// </summary>
/// <remarks>
/// <para>Update at step t of a parameter with A rows and B columns (B is the momentum buffer, per element, starting at 0):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)
/// Bₜ = lerp(Bₜ₋₁, gₜ, 1 − μ) = μ·Bₜ₋₁ + (1 − μ)·gₜ
/// Uₜ = lerp(gₜ, Bₜ, μ) = (1 − μ)·gₜ + μ·Bₜ     if nesterov,   else  Uₜ = Bₜ
/// X = Uₜ, or Uₜᵀ when A &gt; B                (X is p × q with p ≤ q)
/// X = X / max(‖X‖_F, ε)
/// k times:  M = X·Xᵀ;  X = a·X + (b·M + c·M·M)·X
/// Oₜ = X, or Xᵀ when A &gt; B
/// θₜ = θₜ₋₁·(1 − α·λ) − α′·Oₜ,   α′ = α·√max(1, A/B)  (Original)  or  α′ = α·0.2·√max(A, B)  (MatchRmsAdamW)
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.001), λ = <see cref="WeightDecay"/> (default 0.1),
/// μ = <see cref="MomentumFactor"/> (default 0.95), nesterov = <see cref="Nesterov"/> (default true),
/// (a, b, c) = <see cref="NsCoefficients"/> (default (3.4445, −4.775, 2.0315)), ε = <see cref="Epsilon"/> (default
/// 1e-7), k = <see cref="NsSteps"/> (default 5), α′ by <see cref="AdjustLearningRate"/> (default
/// <see cref="MuonLearningRate.Original"/>). State: "momentum_buffer" (B, in the parameter's memory order), read with
/// <see cref="Optimizer{T}.GetState"/>. The weight decay uses the unadjusted α, the step the adjusted α′, as torch.
/// </para>
/// <para>
/// Shape: A and B are the parameter's logical <see cref="Parameter{T}.Rows"/> and <see cref="Parameter{T}.Columns"/>
/// (torch's <c>[out, in]</c> for a weight), never its memory order: MathNet stores a matrix column by column and
/// the rule reads element (i, j) at <c>i + j·A</c>. A tall weight (A &gt; B) is transposed before the iteration and
/// back after it, and under <see cref="MuonLearningRate.Original"/> steps √(A/B) times further than its transpose
/// would. The quintic iteration does not converge to the orthogonal factor: with torch's coefficients the singular
/// values of O land roughly in [0.7, 1.2] (Keller Jordan's note in torch's source).
/// </para>
/// <para>
/// Precision: torch runs the Newton–Schulz iteration in bfloat16 whatever the parameter's type; here it runs in the
/// parameter's own element type (float32 or float64), so a <c>Muon&lt;double&gt;</c> step is torch's algorithm at full
/// precision (the parity traces are from a NumPy transcription of torch's code in float64 and float32, not from
/// torch's bfloat16 path, whose rounding a float32 or float64 rule cannot reproduce). ‖X‖_F is summed in double and
/// rounded once; the matrix products are summed in the element type. 1 − α·λ and α′ are formed in double and rounded
/// to the element type once per parameter and step. Against that transcription (tests/Optimizers.Tests/Parity/Muon):
/// float64 within 3.4e-16 relative element by element, float32 within 1.1e-7 of a trace's largest |value| (1 ulp of it;
/// the order in which NumPy's BLAS sums the products differs).
/// </para>
/// <para>
/// Cost and memory: each iteration costs about 2p²q + 2p³ multiply-adds (p = min(A, B), q = max(A, B)), on the
/// calling thread (<see cref="Optimizer.MaxDegreeOfParallelism"/> is accepted and does not split the step). Work space
/// of 2·max(A·B) + 2·max(p²) elements over the parameters is allocated when the optimizer is built; a step allocates
/// nothing (the products are written over spans; MathNet's matrix product is not used). With the non-finite guard
/// off (<see cref="NonFiniteGradientPolicy.Propagate"/>), a NaN gradient element makes the whole parameter NaN through
/// the norm, as in torch.
/// </para>
/// <para>
/// Validation departs from torch where torch accepts values that cannot train: μ must be in [0, 1) (torch takes any
/// μ ≥ 0), ε must be finite and &gt; 0 (ε = 0 divides a zero update by 0), k in [0, 99] (torch rejects k ≥ 100), and
/// the coefficients finite. torch's <c>use_addmm</c> only changes how its products are fused and has no counterpart.
/// </para>
/// <para>
/// References: K. Jordan et al., "Muon: An optimizer for hidden layers in neural networks" (2024, kellerjordan.github.io
/// /posts/muon); J. Liu et al., "Muon is Scalable for LLM Training" (2025, arXiv:2502.16982) for
/// <see cref="MuonLearningRate.MatchRmsAdamW"/>. torch.optim: equals <c>torch.optim.Muon(params, lr, weight_decay,
/// momentum, nesterov, ns_coefficients, eps, ns_steps, adjust_lr_fn)</c> (torch/optim/_muon.py) except for the
/// precision of the iteration (above).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Muon<T> : Optimizer<T>, ICyclableMomentum
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>torch's default Newton–Schulz coefficients (a, b, c), from Keller Jordan's implementation.</summary>
    private static readonly (double A, double B, double C) TorchCoefficients = (3.4445, -4.775, 2.0315);

    private readonly T[][] _buffers;
    private readonly T[] _x;
    private readonly T[] _y;
    private readonly T[] _gram;
    private readonly T[] _poly;
    private double _momentum;

    /// <summary>Creates Muon over <paramref name="parameters"/>, every one two-dimensional.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated, each built from a matrix
    /// (<see cref="Parameter{T}.Rank"/> 2).</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.001).</param>
    /// <param name="weightDecay">λ, the decoupled weight decay θ·(1 − α·λ): finite and ≥ 0 (default 0.1).</param>
    /// <param name="momentum">μ, the momentum factor, in [0, 1) (default 0.95).</param>
    /// <param name="nesterov">Use the Nesterov direction lerp(g, B, μ) rather than B (default true).</param>
    /// <param name="nsCoefficients">The Newton–Schulz coefficients (a, b, c), each finite; null (the default) for
    /// torch's (3.4445, −4.775, 2.0315).</param>
    /// <param name="epsilon">ε, the least divisor when the update is normalised: finite and &gt; 0 (default 1e-7).</param>
    /// <param name="nsSteps">k, the number of Newton–Schulz iterations, 0 to 99 (default 5).</param>
    /// <param name="adjustLearningRate">How α is scaled to each weight's shape (default <see cref="MuonLearningRate.Original"/>).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter, or a parameter is not
    /// two-dimensional (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Muon(IEnumerable<Parameter<T>> parameters, double learningRate = 1e-3, double weightDecay = 0.1,
                double momentum = 0.95, bool nesterov = true, (double A, double B, double C)? nsCoefficients = null,
                double epsilon = 1e-7, int nsSteps = 5, MuonLearningRate adjustLearningRate = MuonLearningRate.Original)
        : base(parameters, learningRate)
    {
        foreach (var parameter in Parameters)
        {
            if (parameter.Rank != 2)
            {
                throw new ArgumentException(
                    $"Muon updates two-dimensional parameters only; parameter '{parameter.Name}' has shape [{parameter.Length}]. " +
                    "Build it from a matrix (new Parameter(name, matrix)) or give it to another rule such as AdamW.",
                    nameof(parameters));
            }
        }

        WeightDecay = Check.NonNegativeFinite(weightDecay);
        _momentum = Check.UnitInterval(momentum);
        var (a, b, c) = nsCoefficients ?? TorchCoefficients;
        if (!double.IsFinite(a) || !double.IsFinite(b) || !double.IsFinite(c))
        {
            throw new ArgumentOutOfRangeException(
                nameof(nsCoefficients), nsCoefficients, $"nsCoefficients must be three finite numbers; got ({a}, {b}, {c}).");
        }

        Epsilon = Check.PositiveFinite(epsilon);
        if (nsSteps is < 0 or > 99)
        {
            throw new ArgumentOutOfRangeException(nameof(nsSteps), nsSteps, $"nsSteps must be an integer from 0 to 99; got {nsSteps}.");
        }

        Nesterov = nesterov;
        NsCoefficients = (a, b, c);
        NsSteps = nsSteps;
        AdjustLearningRate = Check.Defined(adjustLearningRate);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("momentum", _momentum);
        RecordHyperparameter("nesterov", Nesterov);
        RecordHyperparameter("ns_a", a);
        RecordHyperparameter("ns_b", b);
        RecordHyperparameter("ns_c", c);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("ns_steps", NsSteps);
        RecordHyperparameter("adjust_lr_fn", (double)AdjustLearningRate);
        _buffers = AddVectorState("momentum_buffer");
        AddCycledSetting("momentum", () => _momentum, v => _momentum = v, _momentum, v => v >= 0 && v < 1);

        int longest = Parameters.Max(p => p.Length);
        int widest = Parameters.Max(p => Math.Min(p.Rows, p.Columns));
        _x = new T[longest];
        _y = new T[longest];
        _gram = new T[widest * widest];
        _poly = new T[widest * widest];
    }

    /// <summary>λ, the decoupled weight decay: θ is multiplied by 1 − α·λ (unadjusted α) before the step.</summary>
    public double WeightDecay { get; }

    /// <summary>
    /// μ, the momentum factor: the constructor's value, or the value a schedule cycling momentum
    /// (<see cref="Schedules.OneCycleLR"/>, <see cref="Schedules.CyclicLR"/>) or the caller set for the next step, as torch's
    /// <c>param_group['momentum']</c>. Checkpoints save and restore a changed value (the constructor's value is compared).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1); nothing changes.</exception>
    public double MomentumFactor
    {
        get => _momentum;
        set => _momentum = Check.UnitInterval(value, nameof(MomentumFactor));
    }

    /// <inheritdoc />
    string ICyclableMomentum.CycledName => "momentum";

    /// <inheritdoc />
    double ICyclableMomentum.CycledValue { get => MomentumFactor; set => MomentumFactor = value; }

    /// <summary>Whether the Nesterov direction lerp(g, B, μ) is orthogonalised (otherwise the buffer B).</summary>
    public bool Nesterov { get; }

    /// <summary>The Newton–Schulz coefficients (a, b, c) of X ← a·X + (b·M + c·M²)·X.</summary>
    public (double A, double B, double C) NsCoefficients { get; }

    /// <summary>ε, the least divisor when the update is normalised by its Frobenius norm.</summary>
    public double Epsilon { get; }

    /// <summary>k, the number of Newton–Schulz iterations per step.</summary>
    public int NsSteps { get; }

    /// <summary>How α is scaled to each weight's shape.</summary>
    public MuonLearningRate AdjustLearningRate { get; }

    /// <summary>The learning rate the step of a rows × columns weight uses at learning rate <paramref name="learningRate"/>.</summary>
    internal double AdjustedLearningRate(double learningRate, int rows, int columns) => AdjustLearningRate switch
    {
        MuonLearningRate.Original => learningRate * Math.Sqrt(Math.Max(1.0, (double)rows / columns)),
        _ => learningRate * (0.2 * Math.Sqrt(Math.Max(rows, columns))),
    };

    /// <inheritdoc />
    void ICyclableMomentum.BeginCycling()
    {
    }

    /// <inheritdoc />
    protected sealed override void UpdateParameter(int index, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var parameter = ParameterArray[index];
        int rows = parameter.Rows, columns = parameter.Columns;
        int p = Math.Min(rows, columns), q = Math.Max(rows, columns);
        var x = _x.AsSpan(0, value.Length);
        MuonKernel.Direction(gradient, _buffers[index], x, rows, columns, _momentum, Nesterov);
        var (a, b, c) = NsCoefficients;
        var orthogonal = MuonKernel.Orthogonalize(x, _y.AsSpan(0, value.Length), _gram.AsSpan(0, p * p), _poly.AsSpan(0, p * p),
                                                  p, q, a, b, c, NsSteps, Epsilon);
        MuonKernel.Apply(value, orthogonal, rows, columns, 1 - LearningRate * WeightDecay,
                         AdjustedLearningRate(LearningRate, rows, columns));
    }
}

/// <summary>
/// <see cref="Muon{T}"/> over double-precision parameters, under its short name: <c>new Muon(…)</c> and
/// <c>new Muon&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Muon : Muon<double>
{
    /// <inheritdoc />
    public Muon(IEnumerable<Parameter<double>> parameters, double learningRate = 1e-3, double weightDecay = 0.1,
                double momentum = 0.95, bool nesterov = true, (double A, double B, double C)? nsCoefficients = null,
                double epsilon = 1e-7, int nsSteps = 5, MuonLearningRate adjustLearningRate = MuonLearningRate.Original)
        : base(parameters, learningRate, weightDecay, momentum, nesterov, nsCoefficients, epsilon, nsSteps, adjustLearningRate)
    {
    }
}
