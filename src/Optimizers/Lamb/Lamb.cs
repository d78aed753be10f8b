using System.Numerics;

namespace Optimizers;

/// <summary>
/// LAMB: Adam's direction plus decoupled weight decay, rescaled per parameter by the trust ratio ‖θ‖/‖u‖ so that
/// every parameter (layer) moves by α times its own norm, whatever the scale of its gradients. As Optax's <c>lamb</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t, for each parameter as a whole (m and v are kept per element and start at 0):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)
/// mₜ = (1 − β₁)·gₜ + β₁·mₜ₋₁
/// vₜ = (1 − β₂)·gₜ² + β₂·vₜ₋₁
/// uₜ = (mₜ/(1 − β₁ᵗ)) / (√(vₜ/(1 − β₂ᵗ) + ε_root) + ε) + λ·θₜ₋₁
/// rₜ = ‖θₜ₋₁‖ / ‖uₜ‖                       (rₜ = 1 when either norm is 0; Euclidean norms over the whole parameter)
/// θₜ = θₜ₋₁ − α·rₜ·uₜ
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 1e-3), β₁ = <see cref="Beta1"/> (default 0.9),
/// β₂ = <see cref="Beta2"/> (default 0.999), ε = <see cref="Epsilon"/> (default 1e-6), ε_root = <see cref="EpsilonRoot"/>
/// (default 0), λ = <see cref="WeightDecay"/> (default 0). State: "exp_avg" (m), "exp_avg_sq" (v), read with
/// <see cref="Optimizer{T}.GetState"/>.
/// </para>
/// <para>
/// The trust ratio is taken per <see cref="Parameter{T}"/>, so a network should give each layer's weights and biases
/// their own parameters (as <see cref="Networks.Network{T}"/> does). A parameter that is all zeros (a fresh bias) has
/// r = 1 and takes Adam-sized steps α·u until it is not. Because the ratio needs the whole direction first, a step
/// updates each parameter in two passes over it, on one thread (<see cref="Optimizer.MaxDegreeOfParallelism"/> is
/// accepted and does not split the step), using one work array as long as the longest parameter, allocated here.
/// With the non-finite guard off, a NaN gradient element makes the whole parameter NaN (through ‖u‖), as in Optax.
/// </para>
/// <para>
/// Reference: Y. You, J. Li, S. Reddi et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes"
/// (ICLR 2020). Optax's <c>lamb</c> (google-deepmind/optax, <c>optax/_src/alias.py</c>):
/// <c>chain(scale_by_adam(b1, b2, eps, eps_root), add_decayed_weights(weight_decay), scale_by_trust_ratio(),
/// scale_by_learning_rate(lr))</c>; Optax has no default learning rate, 1e-3 is this library's. Not in torch.optim.
/// </para>
/// <para>
/// Single precision (<c>Lamb&lt;float&gt;</c>): β₁, 1 − β₁, β₂, 1 − β₂, ε, ε_root, λ and both bias corrections are formed in
/// double and rounded to float32 once per step; m, v and u live in float32; the two norms are summed in double and
/// α·r is formed in double and rounded once. Against a NumPy transcription of Optax's code: within 2 ulps element by
/// element in float64 and float32 (tests/Optimizers.Tests/Parity/LionLambAdopt/README.md).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Lamb<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _expAvg;
    private readonly T[][] _expAvgSq;
    private readonly T[] _work;
    private StepScalars<(double BiasCorrection1, double BiasCorrection2)> _perStep;

    /// <summary>Creates LAMB over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated; the trust ratio is taken per parameter.</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.001).</param>
    /// <param name="beta1">β₁, the decay rate of the first moment, in [0, 1) (default 0.9).</param>
    /// <param name="beta2">β₂, the decay rate of the second moment, in [0, 1) (default 0.999).</param>
    /// <param name="epsilon">ε, added after the square root: finite and ≥ 0 (default 1e-6).</param>
    /// <param name="epsilonRoot">ε_root, added inside the square root: finite and ≥ 0 (default 0).</param>
    /// <param name="weightDecay">λ, the decoupled decay added to the direction before the trust ratio: finite and ≥ 0 (default 0).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public Lamb(IEnumerable<Parameter<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double epsilon = 1e-6, double epsilonRoot = 0, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        Beta1 = Check.UnitInterval(beta1);
        Beta2 = Check.UnitInterval(beta2);
        Epsilon = Check.NonNegativeFinite(epsilon);
        EpsilonRoot = Check.NonNegativeFinite(epsilonRoot);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        RecordHyperparameter("beta1", Beta1);
        RecordHyperparameter("beta2", Beta2);
        RecordHyperparameter("eps", Epsilon);
        RecordHyperparameter("eps_root", EpsilonRoot);
        RecordHyperparameter("weight_decay", WeightDecay);
        _expAvg = AddVectorState("exp_avg");
        _expAvgSq = AddVectorState("exp_avg_sq");
        _work = new T[Parameters.Max(p => p.Length)];
    }

    /// <summary>β₁, the decay rate of the first moment m.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay rate of the second moment v.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to the bias-corrected root of the second moment.</summary>
    public double Epsilon { get; }

    /// <summary>ε_root, added to the bias-corrected second moment inside the square root.</summary>
    public double EpsilonRoot { get; }

    /// <summary>λ, the decoupled weight decay: λ·θ is added to the direction before the trust ratio scales it.</summary>
    public double WeightDecay { get; }

    /// <summary>Takes the trust ratio as 1, so that a step is AdamW's (for the tests only).</summary>
    internal bool UnitTrustRatio { get; set; }

    /// <inheritdoc />
    protected sealed override void UpdateParameter(int index, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        if (!_perStep.IsFor(step, LearningRate))
        {
            _perStep.Set(step, LearningRate, (1 - Math.Pow(Beta1, step), 1 - Math.Pow(Beta2, step)));
        }

        var (c1, c2) = _perStep.Value;
        LambKernel.Step(value, gradient, _expAvg[index], _expAvgSq[index], _work.AsSpan(0, value.Length), LearningRate,
                        Beta1, Beta2, Epsilon, EpsilonRoot, WeightDecay, c1, c2, UnitTrustRatio);
    }
}

/// <summary>
/// <see cref="Lamb{T}"/> over double-precision parameters, under its short name: <c>new Lamb(…)</c> and
/// <c>new Lamb&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class Lamb : Lamb<double>
{
    /// <inheritdoc />
    public Lamb(IEnumerable<Parameter<double>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double epsilon = 1e-6, double epsilonRoot = 0, double weightDecay = 0)
        : base(parameters, learningRate, beta1, beta2, epsilon, epsilonRoot, weightDecay)
    {
    }
}
