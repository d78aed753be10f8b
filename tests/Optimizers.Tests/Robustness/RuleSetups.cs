using System.Globalization;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;

namespace Optimizers.Tests.Robustness;

/// <summary>One of the rules with concrete, valid hyperparameters, constructed through its public constructor.</summary>
internal sealed record RuleSetup<T>(string Rule, string Hyperparameters, Func<IEnumerable<Parameter<T>>, Optimizer<T>> Create)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string ToString() => $"{Rule}({Hyperparameters})";
}

/// <summary>Which corner of the valid hyperparameter space a property may draw from.</summary>
/// <param name="WeightDecay">Draw weight decay λ &gt; 0 sometimes (else λ = 0).</param>
/// <param name="MinEpsilonExponent">ε is drawn log-uniform from [10^this, 1]; null allows ε = 0 as well (down to 10^<see cref="Decades.Smallest"/>).</param>
/// <param name="OrderedBetas">Adam, AdamW, NAdam, RAdam and Adamax get β₁ ≤ β₂ (the default 0.9 ≤ 0.999 is).</param>
/// <param name="Centered">Allow centred RMSProp.</param>
internal sealed record Constraints(bool WeightDecay, double? MinEpsilonExponent, bool OrderedBetas, bool Centered = true);

/// <summary>
/// FsCheck generators of every rule over parameters of <typeparamref name="T"/> with random valid hyperparameters,
/// within the ranges stated in docs/robustness.md: learning rate α ∈ {0} ∪ [1e-8, 1], weight decay λ ∈ {0} ∪ [1e-8, 1],
/// every β/ρ/α-decay ∈ [0, 0.999], ε ∈ [1e-300, 1] in double and [1e-37, 1] in float (or 0 when allowed), plus every flag.
/// </summary>
internal static class RuleSetups<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The smallest exponent of ε and of AdaGrad's initial accumulator: 10^this is still &gt; 0 in <typeparamref name="T"/>.</summary>
    private static readonly double Smallest = Decades.Of<T>().Smallest;

    private static readonly Gen<bool> Flag = Gen.Elements(false, true);

    private static Gen<double> OrZero(Gen<double> g, int zeroWeight = 1, int weight = 3) =>
        Gen.Frequency((zeroWeight, Gen.Constant(0.0)), (weight, g));

    private static Gen<double> LearningRate { get; } = OrZero(Numbers.LogUniform(-8, 0), 1, 9);

    private static Gen<double> Decay { get; } = Gen.Frequency(
        (1, Gen.Constant(0.0)), (2, Numbers.Uniform(0, 0.999)), (1, Gen.Elements(0.5, 0.9, 0.99, 0.999)));

    private static Gen<double> WeightDecay(Constraints c) => c.WeightDecay ? OrZero(Numbers.LogUniform(-8, 0)) : Gen.Constant(0.0);

    private static Gen<double> Epsilon(Constraints c) => c.MinEpsilonExponent is double low
        ? Numbers.LogUniform(low, 0)
        : OrZero(Numbers.LogUniform(Smallest, 0), 1, 4);

    private static Gen<(double, double)> Betas(Constraints c) =>
        from b1 in Decay
        from b2 in Decay
        select c.OrderedBetas && b1 > b2 ? (b2, b1) : (b1, b2);

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Any of the rules of <see cref="RuleSetups.Names"/>.</summary>
    public static Gen<RuleSetup<T>> Any(Constraints c) => Gen.OneOf(RuleSetups.Names.Select(n => Of(n, c)));

    /// <summary>The named rule with random valid hyperparameters.</summary>
    public static Gen<RuleSetup<T>> Of(string rule, Constraints c) => rule switch
    {
        "GradientDescent" =>
            from lr in LearningRate
            from wd in WeightDecay(c)
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, weightDecay={F(wd)}, maximize={max}",
                p => new GradientDescent<T>(p, lr, weightDecay: wd, maximize: max)),
        "Momentum" =>
            from lr in LearningRate
            from mu in Decay
            from damp in OrZero(Numbers.Uniform(0, 1))
            from nesterovWanted in Flag
            from wd in WeightDecay(c)
            from max in Flag
            let nesterov = nesterovWanted && mu > 0 && damp == 0
            select new RuleSetup<T>(rule, $"lr={F(lr)}, momentum={F(mu)}, dampening={F(damp)}, nesterov={nesterov}, weightDecay={F(wd)}, maximize={max}",
                p => new Momentum<T>(p, lr, mu, damp, nesterov, wd, max)),
        "AdaGrad" =>
            from lr in LearningRate
            from lrDecay in OrZero(Numbers.LogUniform(-8, 0))
            from wd in WeightDecay(c)
            from init in OrZero(Numbers.LogUniform(Smallest, 10))
            from eps in Epsilon(c)
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, lrDecay={F(lrDecay)}, weightDecay={F(wd)}, initialAccumulatorValue={F(init)}, eps={F(eps)}, maximize={max}",
                p => new AdaGrad<T>(p, lr, lrDecay, wd, init, eps, max)),
        "RMSProp" =>
            from lr in LearningRate
            from alpha in Decay
            from eps in Epsilon(c)
            from wd in WeightDecay(c)
            from mu in Decay
            from centeredWanted in Flag
            from max in Flag
            let centered = centeredWanted && c.Centered
            select new RuleSetup<T>(rule, $"lr={F(lr)}, alpha={F(alpha)}, eps={F(eps)}, weightDecay={F(wd)}, momentum={F(mu)}, centered={centered}, maximize={max}",
                p => new RMSProp<T>(p, lr, alpha, eps, wd, mu, centered, max)),
        "AdaDelta" =>
            from lr in OrZero(Numbers.LogUniform(-8, 1), 1, 9)
            from rho in Decay
            from eps in Numbers.LogUniform(c.MinEpsilonExponent ?? Smallest, 0)
            from wd in WeightDecay(c)
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, rho={F(rho)}, eps={F(eps)}, weightDecay={F(wd)}, maximize={max}",
                p => new AdaDelta<T>(p, lr, rho, eps, wd, max)),
        "Adam" or "AdamW" =>
            from lr in LearningRate
            from betas in Betas(c)
            from eps in Epsilon(c)
            from wd in WeightDecay(c)
            from amsgrad in Flag
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, beta1={F(betas.Item1)}, beta2={F(betas.Item2)}, eps={F(eps)}, weightDecay={F(wd)}, amsgrad={amsgrad}, maximize={max}",
                rule == "Adam"
                    ? p => new Adam<T>(p, lr, betas.Item1, betas.Item2, eps, wd, amsgrad, max)
                    : p => new AdamW<T>(p, lr, betas.Item1, betas.Item2, eps, wd, amsgrad, max)),
        "Adamax" =>
            from lr in LearningRate
            from betas in Betas(c)
            from eps in Epsilon(c)
            from wd in WeightDecay(c)
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, beta1={F(betas.Item1)}, beta2={F(betas.Item2)}, eps={F(eps)}, weightDecay={F(wd)}, maximize={max}",
                p => new Adamax<T>(p, lr, betas.Item1, betas.Item2, eps, wd, max)),
        "NAdam" =>
            from lr in LearningRate
            from betas in Betas(c)
            from eps in Epsilon(c)
            from wd in WeightDecay(c)
            from psi in OrZero(Numbers.LogUniform(-4, 1))
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, beta1={F(betas.Item1)}, beta2={F(betas.Item2)}, eps={F(eps)}, weightDecay={F(wd)}, momentumDecay={F(psi)}, maximize={max}",
                p => new NAdam<T>(p, lr, betas.Item1, betas.Item2, eps, wd, psi, max)),
        "RAdam" =>
            from lr in LearningRate
            from betas in Betas(c)
            from eps in Epsilon(c)
            from wd in WeightDecay(c)
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, beta1={F(betas.Item1)}, beta2={F(betas.Item2)}, eps={F(eps)}, weightDecay={F(wd)}, maximize={max}",
                p => new RAdam<T>(p, lr, betas.Item1, betas.Item2, eps, wd, max)),
        "Rprop" =>
            from lr in LearningRate
            from etaMinus in Numbers.Uniform(1e-3, 0.999)
            from etaPlus in Numbers.Uniform(1.001, 3)
            from min in OrZero(Numbers.LogUniform(Smallest, -3))
            from max in Numbers.LogUniform(-3, 2)
            from maximize in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, etaMinus={F(etaMinus)}, etaPlus={F(etaPlus)}, minStepSize={F(min)}, maxStepSize={F(max)}, maximize={maximize}",
                p => new Rprop<T>(p, lr, etaMinus, etaPlus, min, max, maximize)),
        // λ shrinks θ by 1 − λη every step, a decay like weight decay: drawn (and left at 0) as weight decay is.
        "ASGD" =>
            from lr in LearningRate
            from lambda in WeightDecay(c)
            from alpha in Numbers.Uniform(0, 2)
            from t0 in Gen.Elements(0.0, 1, 3, 1e6)
            from wd in WeightDecay(c)
            from max in Flag
            select new RuleSetup<T>(rule, $"lr={F(lr)}, lambda={F(lambda)}, alpha={F(alpha)}, t0={F(t0)}, weightDecay={F(wd)}, maximize={max}",
                p => new ASGD<T>(p, lr, lambda, alpha, t0, wd, max)),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown rule."),
    };

}

/// <summary>The rule names, and what the properties read from any rule.</summary>
internal static class RuleSetups
{
    public static readonly string[] Names =
        ["GradientDescent", "Momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD"];

    /// <summary>The named rule over double parameters with random valid hyperparameters (<see cref="RuleSetups{T}.Of"/>).</summary>
    public static Gen<RuleSetup<double>> Of(string rule, Constraints c) => RuleSetups<double>.Of(rule, c);

    /// <summary>Every registered state of the optimizer: each vector per parameter, and each scalar per parameter.</summary>
    public static IEnumerable<(string Name, int Index, T[] Values)> States<T>(Optimizer<T> optimizer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (name, buffers) in optimizer.VectorStates)
        {
            for (int i = 0; i < buffers.Length; i++)
            {
                yield return (name, i, buffers[i]);
            }
        }

        foreach (var (name, values) in optimizer.ScalarStates)
        {
            for (int i = 0; i < values.Length; i++)
            {
                yield return (name, i, [values[i]]);
            }
        }
    }
}
