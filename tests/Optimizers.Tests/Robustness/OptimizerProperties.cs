using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Properties (1), (2) and (4) of docs/robustness.md over the rules of <see cref="RuleSetups.Names"/>, through the public constructors and
/// <see cref="Optimizer.Step"/>: random parameter lists (1 to 5 parameters of 0 … 1,500 elements), random finite
/// values of <typeparamref name="T"/> with zeros and subnormals, random valid hyperparameters, several steps. The ranges
/// are those of <see cref="Decades.Of{T}"/>.
/// </summary>
public abstract class OptimizerProperties<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly Decades D = Decades.Of<T>();

    private const int Cases = 400;

    /// <summary>Parameter values plus a gradient for each of several steps.</summary>
    internal sealed class Run
    {
        public required RuleSetup<T> Setup { get; init; }

        public required T[][] Values { get; init; }

        /// <summary>[step][parameter][element].</summary>
        public required T[][][] Gradients { get; init; }

        public int[] Permutation { get; init; } = [];

        public Parameter<T>[] FreshParameters() => Values.Select((v, i) => new Parameter<T>($"p{i}", v.ToArray())).ToArray();

        public override string ToString() =>
            $"{Setup}; lengths [{string.Join(", ", Values.Select(v => v.Length))}]; {Gradients.Length} steps" +
            (Permutation.Length > 0 ? $"; permutation [{string.Join(", ", Permutation)}]" : "");
    }

    private static readonly Gen<int> ParameterLength = Gen.Frequency(
        (1, Gen.Elements(0, 1)), (4, Gen.Choose(0, 40)), (1, Gen.Choose(41, 1500)));

    private static Gen<Run> Runs(Gen<RuleSetup<T>> setups, Func<RuleSetup<T>, Gen<T>> values, Func<RuleSetup<T>, Gen<T>> gradients,
                                 int maxSteps, int minParameters = 1) =>
        from setup in setups
        from lengths in Gen.Choose(minParameters, 5).SelectMany(k => Gen.ArrayOf(ParameterLength, k))
        from v in Gen.CollectToArray(lengths.Select(n => Gen.ArrayOf(values(setup), n)))
        from steps in Gen.Choose(1, maxSteps)
        from g in Gen.ArrayOf(Gen.CollectToArray(lengths.Select(n => Gen.ArrayOf(gradients(setup), n))), steps)
        from permutation in Gen.Shuffle(Enumerable.Range(0, lengths.Length).ToArray())
        select new Run { Setup = setup, Values = v, Gradients = g, Permutation = permutation };

    private static Property ForAll(Gen<Run> runs, Action<Run> check) => Prop.ForAll(runs.ToArbitrary(), check);

    private static void Fail(string message) => throw new Xunit.Sdk.XunitException(message);

    /// <summary>
    /// (1) From a fresh state, steps on an all-zero gradient leave every parameter unchanged: no weight decay, and ε &gt; 0
    /// (with ε = 0 the adaptive rules compute 0/0; see <see cref="A_zero_epsilon_turns_a_zero_gradient_into_NaN"/>).
    /// Bit for bit, except that −0 may come back as +0 (maximize: −0 − (−0) = +0), which compares equal.
    /// </summary>
    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property A_zero_gradient_from_a_fresh_state_changes_nothing() => ForAll(
        Runs(RuleSetups<T>.Any(new Constraints(WeightDecay: false, MinEpsilonExponent: D.Smallest, OrderedBetas: false)),
             _ => Numbers.Finite<T>(D.Largest), _ => Gen.Constant(T.Zero), maxSteps: 3),
        run =>
        {
            var parameters = run.FreshParameters();
            var optimizer = run.Setup.Create(parameters);
            for (int step = 0; step < run.Gradients.Length; step++)
            {
                optimizer.Step();
            }

            for (int p = 0; p < parameters.Length; p++)
            {
                var after = parameters[p].Value.AsArray();
                for (int i = 0; i < after.Length; i++)
                {
                    T before = run.Values[p][i];
                    bool same = T.IsZero(before) ? T.IsZero(after[i]) : Bits.Same(before, after[i]);
                    if (!same)
                    {
                        Fail($"parameter {p}[{i}] was {before:R}, is {after[i]:R} ({run})");
                    }
                }
            }
        });

    /// <summary>The documented exception to (1): ε = 0 makes the first adaptive step 0/0 = NaN.</summary>
    [Theory]
    [InlineData("AdaGrad")]
    [InlineData("RMSProp")]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    [InlineData("Adamax")]
    [InlineData("NAdam")]
    public void A_zero_epsilon_turns_a_zero_gradient_into_NaN(string rule)
    {
        Parameter<T>[] parameters = [new Parameter<T>("w", Element<T>.From([1.0, -2.0]))];
        Optimizer<T> optimizer = rule switch
        {
            "AdaGrad" => new AdaGrad<T>(parameters, epsilon: 0),
            "RMSProp" => new RMSProp<T>(parameters, epsilon: 0),
            "Adam" => new Adam<T>(parameters, epsilon: 0),
            "AdamW" => new AdamW<T>(parameters, epsilon: 0, weightDecay: 0),
            "Adamax" => new Adamax<T>(parameters, epsilon: 0),
            _ => new NAdam<T>(parameters, epsilon: 0),
        };
        optimizer.Step();
        parameters[0].Value.Where(x => !T.IsNaN(x)).Should().BeEmpty();
    }

    /// <summary>
    /// (2) Finite inputs inside the documented ranges give finite parameters and finite state after every step.
    /// GradientDescent, Momentum, Rprop and ASGD: |θ|, |g| ≤ 1e290 (float: 1e30). The eight adaptive rules: |g| ≤ 1e150 and
    /// |θ| ≤ 1e150 (float: 1e15; squares must not overflow: g² and (g + λθ)² stay below 1.8e308, float 3.4e38),
    /// β₁ ≤ β₂ for the Adam family and Adamax, ε ≥ 1e-300 (float: 1e-37); centred RMSProp has its own property below.
    /// </summary>
    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Finite_inputs_in_range_give_finite_results() => ForAll(
        Runs(Gen.OneOf(RuleSetups.Names.Select(n => RuleSetups<T>.Of(n, new Constraints(WeightDecay: true, MinEpsilonExponent: D.Smallest, OrderedBetas: true, Centered: false)))),
             s => Numbers.Finite<T>(Bound(s)), s => Numbers.Finite<T>(Bound(s)), maxSteps: 8),
        CheckFinite);

    /// <summary>
    /// (2) for centred RMSProp, whose denominator √max(v − ḡ², 0) + ε is ε alone when α = 0 (and near it for a
    /// gradient that does not vary), so a step can be as large as γ·|g|/ε: |θ|, |g| ≤ 1e50, ε ≥ 1e-50 (float: 1e6 and 1e-6), no weight decay
    /// (with λ &gt; 0 and α = 0 the update θ ← θ − γ·λθ/ε grows geometrically: divergence, not rounding).
    /// </summary>
    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Centered_RMSProp_finite_inputs_in_range_give_finite_results() => ForAll(
        Runs(RuleSetups<T>.Of("RMSProp", new Constraints(WeightDecay: false, MinEpsilonExponent: -D.Centered, OrderedBetas: true)),
             _ => Numbers.Finite<T>(D.Centered), _ => Numbers.Finite<T>(D.Centered), maxSteps: 8),
        CheckFinite);

    /// <summary>
    /// A constant gradient drives v and ḡ² together until v − ḡ² rounds below zero (torch.optim's RMSprop returns NaN
    /// there: after 5 steps at α = 0.001, 15 at α = 0.1); the clamped variance keeps every step finite.
    /// </summary>
    [Theory]
    [InlineData(0.001, 0.1)]
    [InlineData(0.01, 3.3)]
    [InlineData(0.1, 0.1)]
    [InlineData(0.5, 1.7)]
    [InlineData(0.9, 0.3)]
    [InlineData(0.99, 0.1)]
    public void Centered_RMSProp_stays_finite_under_a_constant_gradient(double alpha, double gradient)
    {
        var parameter = new Parameter<T>("w", Element<T>.From([1.0, -1.0, 0.5, 2.0, -3.0]));
        var optimizer = new RMSProp<T>([parameter], learningRate: 0.01, alpha: alpha, centered: true);
        for (int step = 0; step < 3000; step++)
        {
            parameter.Gradient.AsArray().AsSpan().Fill(Element<T>.From(gradient));
            optimizer.Step();
        }

        parameter.Value.Where(x => !T.IsFinite(x)).Should().BeEmpty();
    }

    /// <summary>
    /// Rules that never square: GradientDescent, Momentum, Rprop (θ moves by a clamped step size) and ASGD (θ·(1 − λη) −
    /// η·(g + λ_wd·θ) at most triples |θ| + |g| per step, η ≤ 1, and the average lies between θ's) take the linear bound.
    /// </summary>
    private static double Bound(RuleSetup<T> s) => s.Rule is "GradientDescent" or "Momentum" or "Rprop" or "ASGD" ? D.Linear : D.Squared;

    private static void CheckFinite(Run run)
    {
        var parameters = run.FreshParameters();
        var optimizer = run.Setup.Create(parameters);
        for (int step = 0; step < run.Gradients.Length; step++)
        {
            for (int p = 0; p < parameters.Length; p++)
            {
                run.Gradients[step][p].CopyTo(parameters[p].Gradient.AsArray(), 0);
            }

            optimizer.Step();
            for (int p = 0; p < parameters.Length; p++)
            {
                int bad = Array.FindIndex(parameters[p].Value.AsArray(), x => !T.IsFinite(x));
                if (bad >= 0)
                {
                    Fail($"step {step + 1}: parameter {p}[{bad}] = {parameters[p].Value[bad]:R} ({run})");
                }
            }

            foreach (var (name, index, values) in RuleSetups.States(optimizer))
            {
                int bad = Array.FindIndex(values, x => !T.IsFinite(x));
                if (bad >= 0)
                {
                    Fail($"step {step + 1}: state '{name}' of parameter {index} [{bad}] = {values[bad]:R} ({run})");
                }
            }
        }
    }

    /// <summary>
    /// (4) An update depends only on the parameter's own history: an optimizer over a permuted parameter list gives
    /// every parameter the same values and state, bit for bit (any finite values and valid hyperparameters, ε = 0
    /// included: a NaN must then be a NaN in both runs).
    /// </summary>
    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Permuting_the_parameter_list_changes_no_result() => ForAll(
        Runs(RuleSetups<T>.Any(new Constraints(WeightDecay: true, MinEpsilonExponent: null, OrderedBetas: false)),
             _ => Numbers.Finite<T>(D.Largest), _ => Numbers.Finite<T>(D.Largest), maxSteps: 4, minParameters: 2),
        run =>
        {
            var straight = run.FreshParameters();
            var permuted = run.FreshParameters();
            var a = run.Setup.Create(straight);
            var b = run.Setup.Create(run.Permutation.Select(i => permuted[i]));
            foreach (var gradients in run.Gradients)
            {
                for (int p = 0; p < straight.Length; p++)
                {
                    gradients[p].CopyTo(straight[p].Gradient.AsArray(), 0);
                    gradients[p].CopyTo(permuted[p].Gradient.AsArray(), 0);
                }

                a.Step();
                b.Step();
            }

            for (int p = 0; p < straight.Length; p++)
            {
                int i = Bits.FirstDifference<T>(straight[p].Value.AsArray(), permuted[p].Value.AsArray());
                if (i >= 0)
                {
                    Fail($"parameter {p}[{i}]: {straight[p].Value[i]:R} in list order, {permuted[p].Value[i]:R} permuted ({run})");
                }
            }

            var statesB = RuleSetups.States(b).ToDictionary(s => (s.Name, run.Permutation[s.Index]), s => s.Values);
            foreach (var (name, index, values) in RuleSetups.States(a))
            {
                if (Bits.FirstDifference<T>(values, statesB[(name, index)]) is var i and >= 0)
                {
                    Fail($"state '{name}' of parameter {index} differs at {i} ({run})");
                }
            }
        });
}

public sealed class OptimizerProperties_Double : OptimizerProperties<double>;

public sealed class OptimizerProperties_Single : OptimizerProperties<float>;
