using System.Numerics;

namespace Optimizers;

/// <summary>
/// What the schedule-free rules (<see cref="ScheduleFreeSgd{T}"/>, <see cref="ScheduleFreeAdamW{T}"/>) share: the base
/// sequence z, the running weight of the average, the warmup, and the switch of the parameters between the training
/// point y (<see cref="Train"/>) and the evaluation point x (<see cref="Eval"/>).
/// </summary>
/// <remarks>
/// <para>
/// Three sequences, of which two are kept: z (the state "z") takes the base optimizer's steps; x is the weighted
/// average of the z's; the gradient is taken at y = (1 − β)·z + β·x, which the parameters hold while training. Per step
/// (k = t − 1 steps taken before, η = <see cref="Optimizer.LearningRate"/>, β the rule's momentum):
/// </para>
/// <code>
/// γₜ = η·min(1, t / warmup)                 (γₜ = η when warmupSteps = 0)
/// γmax = max(γmax, γₜ)                      (lr_max, starts at −1)
/// wₜ = tʳ · γmaxᵖ ;  W = W + wₜ ;  cₜ = wₜ / W   (cₜ = 0 when W = 0)
/// uₜ = the rule's direction at yₜ₋₁ (+ λ·yₜ₋₁)
/// yₜ = lerp(yₜ₋₁, zₜ₋₁, cₜ) + γₜ·(β·(1 − cₜ) − 1)·uₜ
/// zₜ = zₜ₋₁ − γₜ·uₜ
/// x = lerp(y, z, 1 − 1/β)   (Eval)        y = lerp(x, z, 1 − β)   (Train)
/// </code>
/// <para>
/// Symbols: r = <see cref="R"/> (default 0), p = <see cref="WeightLearningRatePower"/> (default 2), warmup =
/// <see cref="WarmupSteps"/> (default 0), λ = <see cref="WeightDecay"/>. W and γmax are per optimizer (per group in
/// <see cref="ParameterGroups{T}"/>, as the reference keeps them per param group) and read with <see cref="WeightSum"/>
/// and <see cref="MaxLearningRate"/>. z is set to the parameter at the first step, as the reference clones it; before
/// that it reads as zeros and the switches leave the parameters alone (x = y = z then).
/// </para>
/// <para>
/// Modes. A new optimizer is in training mode (<see cref="IsTraining"/> is true; the reference starts in evaluation
/// mode and asks for <c>train()</c> before the first step, which moves nothing before that step). <see cref="Eval"/>
/// moves the parameters to x, <see cref="Train"/> back to y; calling either in the mode it sets does nothing.
/// <see cref="Optimizer.Step"/> and <see cref="Optimizer.TryStep"/> in evaluation mode throw
/// <see cref="InvalidOperationException"/> and change nothing (no skipped step is counted, the gradient is not read);
/// so does a step of a <see cref="ParameterGroups{T}"/> or a wrapper holding the rule, before it does anything
/// (<see cref="ParameterGroups{T}.Train"/> and <see cref="ParameterGroups{T}.Eval"/> switch every schedule-free group).
/// A loop that evaluates mid-training:
/// </para>
/// <code>
/// var optimizer = new ScheduleFreeAdamW(network.Parameters);
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
/// {
///     optimizer.Train();                    // parameters = y, where the gradient is taken
///     network.TrainEpoch(optimizer, inputs, targets, batchSize: 32, random);
///     optimizer.Eval();                     // parameters = x, the averaged point
///     Console.WriteLine(network.Loss(validationInputs, validationTargets));
/// }
/// // Leave it in Eval() to use or save the trained model.
/// </code>
/// <para>
/// Round trip. The switches interpolate as the reference does, so Eval() then Train() returns y up to rounding,
/// not bit for bit: within 3 ulps of max(|y|, |z|) per element, measured over 10⁶ random elements (|y|, |z| ≤ 1,
/// β ∈ {0.5, 0.9, 0.95, 0.99}): at most 3 ulps in double and 2 in float
/// (ScheduleFreeTests.Eval_then_Train_returns_y_within_three_ulps). Storing y to make it exact would cost one more
/// vector per parameter, so it is not kept. Only a switch moves the parameters this way, and the step never runs in
/// evaluation mode, so the error adds up only over switches: one Eval/Train pair per evaluation, as in the reference.
/// </para>
/// <para>
/// Checkpoints record the mode ("train_mode", 1 or 0), W ("weight_sum"), γmax ("lr_max"), t and z (and v), and
/// restore them; the parameters saved with them are in the saved mode, so load both. The reference asks for
/// <c>eval()</c> before saving; here either mode may be saved. The non-finite guard keeps its meaning: a skipped step
/// changes neither y, z, v, W, γmax nor t. With <see cref="Optimizer.MaxDegreeOfParallelism"/> above 1 the step is
/// split like any elementwise rule (bit for bit the same); the switches run on the calling thread.
/// </para>
/// <para>
/// Reference: A. Defazio, X. Yang, H. Mehta, K. Mishchenko, A. Khaled and A. Cutkosky, "The Road Less Scheduled"
/// (NeurIPS 2024); the authors' code, facebookresearch/schedule_free (<c>sgd_schedulefree.py</c>,
/// <c>adamw_schedulefree.py</c>).
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class ScheduleFreeOptimizer<T> : ElementwiseOptimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _z;
    private double _weightSum;
    private double _maxLearningRate = -1;

    /// <summary>Validates and records the shared hyperparameters; the rule records its own first.</summary>
    private protected ScheduleFreeOptimizer(IEnumerable<Parameter<T>> parameters, double learningRate, double momentum,
                                            double weightDecay, int warmupSteps, double r, double weightLrPower)
        : base(parameters, learningRate)
    {
        Beta = momentum;
        WeightDecay = Check.NonNegativeFinite(weightDecay, nameof(weightDecay));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps, nameof(warmupSteps));
        WarmupSteps = warmupSteps;
        R = Check.NonNegativeFinite(r, nameof(r));
        WeightLearningRatePower = Check.NonNegativeFinite(weightLrPower, nameof(weightLrPower));
        _z = AddVectorState("z");
        AddSetting(new RestorableSetting("train_mode", () => IsTraining ? 1 : 0, v => IsTraining = v == 1, v => v is 0 or 1));
        AddSetting(new RestorableSetting("weight_sum", () => _weightSum, v => _weightSum = v!.Value, v => double.IsFinite(v) && v >= 0));
        AddSetting(new RestorableSetting("lr_max", () => _maxLearningRate, v => _maxLearningRate = v!.Value, v => double.IsFinite(v) && v >= -1));
    }

    /// <summary>β, the weight of x in the training point y = (1 − β)·z + β·x (AdamW's β₁, SGD's momentum).</summary>
    private protected double Beta { get; }

    /// <summary>λ, the L2 coefficient: λ·y is added to the rule's direction.</summary>
    public double WeightDecay { get; }

    /// <summary>The number of steps over which the learning rate rises linearly to <see cref="Optimizer.LearningRate"/> (0: none).</summary>
    public int WarmupSteps { get; }

    /// <summary>r, the power of t in the average's weights tʳ·γmaxᵖ.</summary>
    public double R { get; }

    /// <summary>p, the power of the largest learning rate so far in the average's weights tʳ·γmaxᵖ (the reference's <c>weight_lr_power</c>).</summary>
    public double WeightLearningRatePower { get; }

    /// <summary>Whether the parameters hold the training point y (true) or the evaluation point x (false).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>W, the sum of the average's weights so far (the reference's <c>weight_sum</c>).</summary>
    public double WeightSum => _weightSum;

    /// <summary>γmax, the largest warmed-up learning rate so far, −1 before the first step (the reference's <c>lr_max</c>).</summary>
    public double MaxLearningRate => _maxLearningRate;

    /// <summary>Moves the parameters to the training point y (from x: θ = lerp(θ, z, 1 − β)), unless they are there already.</summary>
    public void Train()
    {
        if (!IsTraining)
        {
            Switch(1 - Beta);
            IsTraining = true;
        }
    }

    /// <summary>Moves the parameters to the evaluation point x (from y: θ = lerp(θ, z, 1 − 1/β)), unless they are there already.</summary>
    public void Eval()
    {
        if (IsTraining)
        {
            Switch(1 - 1 / Beta);
            IsTraining = false;
        }
    }

    /// <summary>The per-step scalars: γₜ, cₜ and the y step a = γₜ·(β·(1 − cₜ) − 1), formed once per step.</summary>
    private protected (double LearningRate, double AverageWeight, double YStep) PerStep { get; private set; }

    /// <summary>β, checked to be in (0, 1): the switch to x divides by it.</summary>
    private protected static double OpenUnitInterval(double value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string name = "")
        => value > 0 && value < 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in (0, 1), exclusive; got {value}.");

    /// <summary>z of parameter <paramref name="index"/>.</summary>
    private protected T[] Z(int index) => _z[index];

    internal sealed override void ThrowIfCannotStep()
    {
        if (!IsTraining)
        {
            throw new InvalidOperationException(
                $"This {RuleName} is in evaluation mode (its parameters hold the averaged point x); call Train() before " +
                "stepping, and Eval() again to evaluate. This call changed nothing.");
        }
    }

    /// <summary>
    /// On the first parameter of a step, updates γmax and W and forms the step's scalars (once per step: W is
    /// per optimizer); at step 1, sets z to the parameter.
    /// </summary>
    /// <param name="index">The parameter's position in <see cref="Optimizer{T}.Parameters"/>.</param>
    /// <param name="step">t, the 1-based number of this step.</param>
    protected sealed override void BeginParameterStep(int index, long step)
    {
        if (index == 0)
        {
            double scheduled = step - 1 < WarmupSteps ? LearningRate * ((double)step / WarmupSteps) : LearningRate;
            _maxLearningRate = Math.Max(scheduled, _maxLearningRate);
            double weight = Math.Pow(step, R) * Math.Pow(_maxLearningRate, WeightLearningRatePower);
            _weightSum += weight;
            double averageWeight = _weightSum == 0 ? 0 : weight / _weightSum;
            PerStep = (scheduled, averageWeight, scheduled * (Beta * (1 - averageWeight) - 1));
            BeginStep(step);
        }

        if (step == 1)
        {
            ParameterArray[index].ValueSpan.CopyTo(_z[index]);
        }
    }

    /// <summary>Forms the rule's own per-step scalars (once per step, after <see cref="PerStep"/>).</summary>
    private protected abstract void BeginStep(long step);

    private void Switch(double weight)
    {
        if (StepCount == 0)
        {
            return;
        }

        for (int i = 0; i < ParameterArray.Length; i++)
        {
            ScheduleFreeKernel.Interpolate(ParameterArray[i].ValueSpan, _z[i], weight);
        }
    }
}
