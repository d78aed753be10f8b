using System.Numerics;

namespace Optimizers;

/// <summary>
/// ASGD: stochastic gradient descent with a decaying step size and a running average of the iterates (Polyak–Ruppert
/// averaging), which is the estimate to evaluate. Exactly <c>torch.optim.ASGD</c>.
/// </summary>
/// <remarks>
/// <para>Update at step t (ax starts at 0 per element; η starts at α and μ at 1 per parameter):</para>
/// <code>
/// gₜ = ∇J(θₜ₋₁)                         (gₜ = −∇J(θₜ₋₁) when maximize)
/// gₜ = gₜ + λ_wd·θₜ₋₁                    (L2 weight decay, when λ_wd ≠ 0)
/// θₜ = θₜ₋₁·(1 − λ·ηₜ₋₁) − ηₜ₋₁·gₜ
/// axₜ = θₜ                              when μₜ₋₁ = 1
/// axₜ = axₜ₋₁ + μₜ₋₁·(θₜ − axₜ₋₁)          otherwise
/// ηₜ = αₜ / (1 + λ·αₜ·t)^a
/// μₜ = 1 / max(1, t − t₀)
/// </code>
/// <para>
/// Symbols: α = <see cref="Optimizer.LearningRate"/> (default 0.01; αₜ is its value at step t), λ = <see cref="Lambda"/>
/// (default 1e-4), a = <see cref="Alpha"/> (default 0.75), t₀ = <see cref="T0"/> (default 1e6), λ_wd =
/// <see cref="WeightDecay"/> (default 0), maximize = <see cref="Maximize"/> (default false). State: the vector "ax"
/// (the averaged parameters, read with <see cref="Optimizer{T}.GetState"/>) and the per-parameter scalars "eta" (η)
/// and "mu" (μ), read with <see cref="Optimizer{T}.GetScalarState"/>; η and μ hold the values the next step uses.
/// </para>
/// <para>
/// Averaging starts after t₀ steps: until then μ = 1 and ax is a copy of θ; from step t₀ + 2 on, ax is the mean of the
/// iterates since step t₀ + 1. <see cref="CopyAveragesIntoParameters"/> writes ax into the parameters, to evaluate the
/// averaged model. The step size decays as η ∝ t^(−a) only once λ·α·t is no longer small (with the defaults, after
/// about 10⁶ steps), and λ also shrinks θ each step as a weight decay of its own. A learning-rate change reaches η one
/// step later: ηₜ is formed from αₜ at the end of step t and used at step t + 1, as in torch (the first step uses α).
/// </para>
/// <para>
/// References: B. T. Polyak and A. B. Juditsky, "Acceleration of Stochastic Approximation by Averaging" (SIAM J.
/// Control Optim. 1992); the step-size schedule is L. Bottou's, "Stochastic Gradient Descent Tricks" (2012).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.ASGD(params, lr, lambd=λ, alpha=a, t0=t₀, weight_decay=λ_wd, maximize=…)</c>
/// (its single-tensor code, the same in 1.13 and 2.x), with η and μ kept per parameter in the element type as torch's
/// <c>eta</c> and <c>mu</c> tensors. Against torch 1.13's traces: within 2 ulps element by element in float64
/// (2.7e−16 relative) and 5.6e−8 of a trace's largest |value| in float32, because torch's build fuses θ − η·g (and the
/// weight decay's g + λ_wd·θ) into one rounding where this kernel rounds the product and the sum apart.
/// </para>
/// <para>
/// Single precision (<c>ASGD&lt;float&gt;</c>): η and μ are formed in double and stored in float32 (torch's
/// <c>eta.copy_(torch.tensor(…))</c>); 1 − λ·η is formed in double from that float32 η and rounded to float32 once per
/// step, as are λ_wd and μ's use; ax lives in float32.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class ASGD<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _average;
    private readonly T[] _eta;
    private readonly T[] _mu;
    private readonly (double Eta, double Mu)[] _thisStep;
    private StepScalars<(double Eta, double Mu)> _next;

    /// <summary>Creates ASGD over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated.</param>
    /// <param name="learningRate">α, finite and ≥ 0 (default 0.01).</param>
    /// <param name="lambda">λ, the decay term of the step size and of θ: finite and ≥ 0 (default 1e-4).</param>
    /// <param name="alpha">a, the power of the step-size decay: finite and ≥ 0 (default 0.75).</param>
    /// <param name="t0">t₀, the step after which averaging starts: finite and ≥ 0 (default 1e6).</param>
    /// <param name="weightDecay">λ_wd, the L2 penalty added to the gradient: finite and ≥ 0 (default 0).</param>
    /// <param name="maximize">Ascend instead of descend (default false).</param>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public ASGD(IEnumerable<Parameter<T>> parameters, double learningRate = 0.01, double lambda = 1e-4, double alpha = 0.75,
                double t0 = 1e6, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate)
    {
        Lambda = Check.NonNegativeFinite(lambda);
        Alpha = Check.NonNegativeFinite(alpha);
        T0 = Check.NonNegativeFinite(t0);
        WeightDecay = Check.NonNegativeFinite(weightDecay);
        Maximize = maximize;
        RecordHyperparameter("lambd", Lambda);
        RecordHyperparameter("alpha", Alpha);
        RecordHyperparameter("t0", T0);
        RecordHyperparameter("weight_decay", WeightDecay);
        RecordHyperparameter("maximize", Maximize);
        _average = AddVectorState("ax");
        _eta = AddScalarState("eta", initialValue: learningRate);
        _mu = AddScalarState("mu", initialValue: 1);
        _thisStep = new (double, double)[Parameters.Count];
    }

    /// <summary>λ, the decay term: the step size decays as η = α/(1 + λ·α·t)^a and θ is multiplied by 1 − λ·η each step.</summary>
    public double Lambda { get; }

    /// <summary>a, the power of the step-size decay.</summary>
    public double Alpha { get; }

    /// <summary>t₀, the number of steps after which averaging starts.</summary>
    public double T0 { get; }

    /// <summary>λ_wd, the L2 penalty coefficient added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the objective is maximised (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <summary>
    /// Copies the averaged parameters ("ax") into the parameters' values, to evaluate the averaged model (torch users
    /// write <c>p.data.copy_(state['ax'])</c>). The optimizer's state is unchanged; to go on training from the
    /// iterates rather than the averages, keep a copy of the values first and write it back afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">No step has been taken yet, so there are no averages; nothing is changed.</exception>
    public void CopyAveragesIntoParameters()
    {
        if (StepCount == 0)
        {
            throw new InvalidOperationException("ASGD has no averaged parameters before its first step; nothing was copied.");
        }

        for (int i = 0; i < _average.Length; i++)
        {
            _average[i].AsSpan().CopyTo(ParameterArray[i].ValueSpan);
        }
    }

    /// <summary>
    /// Takes this step's η and μ of parameter <paramref name="index"/> (α and 1 at the first step) and forms the next
    /// step's, ηₜ = αₜ/(1 + λ·αₜ·t)^a and μₜ = 1/max(1, t − t₀), as torch does at the end of its step.
    /// </summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (step == 1)
        {
            _eta[index] = T.CreateTruncating(LearningRate);   // torch creates state['eta'] from the lr of the first step
            _mu[index] = T.One;
        }

        _thisStep[index] = (double.CreateTruncating(_eta[index]), double.CreateTruncating(_mu[index]));

        // η and μ of the next step depend on t and α only, so they are formed once per step rather than once per
        // parameter and stored per parameter, as torch keeps them; the bits are those of forming them anew.
        double lr = LearningRate;
        if (!_next.IsFor(step, lr))
        {
            _next.Set(step, lr, (lr / Math.Pow(1 + Lambda * lr * step, Alpha), 1 / Math.Max(1, step - T0)));
        }

        _eta[index] = T.CreateTruncating(_next.Value.Eta);
        _mu[index] = T.CreateTruncating(_next.Value.Mu);
    }

    /// <inheritdoc />
    protected sealed override void UpdateRange(int index, int start, Span<T> value, ReadOnlySpan<T> gradient, long step)
    {
        var (eta, mu) = _thisStep[index];
        ASGDKernel.Step(value, gradient, _average[index].AsSpan(start, value.Length), WeightDecay, Maximize,
                        shrink: 1 - Lambda * eta, eta, mu);
    }
}

/// <summary>
/// <see cref="ASGD{T}"/> over double-precision parameters, under its short name: <c>new ASGD(…)</c> and
/// <c>new ASGD&lt;double&gt;(…)</c> are the same rule (interchangeable in parameter groups, schedules and checkpoints).
/// </summary>
public sealed class ASGD : ASGD<double>
{
    /// <inheritdoc />
    public ASGD(IEnumerable<Parameter<double>> parameters, double learningRate = 0.01, double lambda = 1e-4, double alpha = 0.75,
                double t0 = 1e6, double weightDecay = 0, bool maximize = false)
        : base(parameters, learningRate, lambda, alpha, t0, weightDecay, maximize)
    {
    }
}
