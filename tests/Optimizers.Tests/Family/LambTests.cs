using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Family;

/// <summary>LAMB: hand-worked steps, the trust ratio's special cases, and AdamW's direction when the ratio is forced to 1.</summary>
public abstract class LambTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static Parameter<T> Param(string name, params double[] values) => new(name, Element<T>.From(values));

    private static void Feed(Parameter<T> p, params double[] g) => Element<T>.From(g).CopyTo(p.GradientArray, 0);

    private static double Tolerance => Element<T>.IsSingle ? 4e-7 : 5e-16;

    private static void ShouldBeClose(ReadOnlySpan<T> actual, params double[] expected)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Element<T>.ToDouble(actual[i]).Should().BeApproximately(expected[i], Tolerance * Math.Abs(expected[i]), $"element {i}");
        }
    }

    [Fact]
    public void Defaults_are_Optax_with_our_learning_rate()
    {
        var optimizer = new Lamb<T>([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(1e-3);
        optimizer.Beta1.Should().Be(0.9);
        optimizer.Beta2.Should().Be(0.999);
        optimizer.Epsilon.Should().Be(1e-6);
        optimizer.EpsilonRoot.Should().Be(0);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.StateNames.Should().Equal("exp_avg", "exp_avg_sq");
    }

    [Fact]
    public void Two_steps_by_hand()
    {
        // α = 0.1, β₁ = 0.5, β₂ = 0.75, ε = 0; θ₀ = (3, 4), ‖θ₀‖ = 5
        var w = Param("w", 3.0, 4.0);
        var optimizer = new Lamb<T>([w], learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0);

        Feed(w, 1.0, -2.0);
        optimizer.Step();
        // m₁ = 0.5·g₁ = (0.5, −1), v₁ = 0.25·g₁² = (0.25, 1); m̂ = m₁/0.5 = (1, −2), v̂ = v₁/0.25 = (1, 4)
        // u₁ = m̂/√v̂ = (1, −1), ‖u₁‖ = √2; r₁ = 5/√2 = 3.5355339059327376; θ₁ = θ₀ − 0.1·r₁·u₁ = (3 − 0.35355339…, 4 + 0.35355339…)
        ShouldBeClose(w.ValueSpan, 2.6464466094067262, 4.3535533905932738);
        ShouldBeClose(optimizer.GetState("exp_avg", 0), 0.5, -1.0);
        ShouldBeClose(optimizer.GetState("exp_avg_sq", 0), 0.25, 1.0);

        Feed(w, 0.0, 0.0);
        optimizer.Step();
        // m₂ = 0.5·m₁ = (0.25, −0.5), v₂ = 0.75·v₁ = (0.1875, 0.75); 1 − β₁² = 0.75, 1 − β₂² = 0.4375
        // u₂ = (0.25/0.75)/√(0.1875/0.4375), (−0.5/0.75)/√(0.75/0.4375) = (0.50917507721731556, −0.50917507721731556)
        // ‖θ₁‖ = 5.0948117513001938; r₂ = ‖θ₁‖/‖u₂‖ = 7.0753186858666696; θ₂ = θ₁ − 0.1·r₂·u₂ = θ₁ ∓ 0.36025405…
        ShouldBeClose(w.ValueSpan, 2.2861890155853985, 4.7138109844146015);
    }

    [Fact]
    public void A_zero_parameter_takes_the_unscaled_step_and_decay_enters_the_direction()
    {
        // ‖θ‖ = 0 → r = 1: θ₁ = −α·u₁ = −0.1·(1, −1) (same β's and g as above).
        var zero = Param("bias", 0.0, 0.0);
        var optimizer = new Lamb<T>([zero], learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0);
        Feed(zero, 1.0, -2.0);
        optimizer.Step();
        zero.Value.ToArray().Should().Equal(Element<T>.From([-0.1, 0.1]));

        // λ = 0.25, θ₀ = (4, 0): u₁ = (1, −1) + 0.25·(4, 0) = (2, −1), ‖u₁‖ = √5, r = 4/√5;
        // θ₁ = θ₀ − 0.1·(4/√5)·(2, −1) = (4 − 0.8/√5, 0.4/√5) = (3.6422291236000337, 0.17888543819998318)
        var w = Param("w", 4.0, 0.0);
        var decayed = new Lamb<T>([w], learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0, weightDecay: 0.25);
        Feed(w, 1.0, -2.0);
        decayed.Step();
        ShouldBeClose(w.ValueSpan, 3.6422291236000337, 0.17888543819998318);
    }

    [Fact]
    public void With_the_trust_ratio_forced_to_one_a_step_is_AdamWs()
    {
        // θ − α·(m̂/(√v̂ + ε) + λθ) = θ·(1 − αλ) − α·m̂/(√v̂ + ε): AdamW, up to the order of the roundings.
        var random = new Random(3);
        double[] start = Enumerable.Range(0, 23).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var a = Param("a", start);
        var b = Param("b", start);
        var lamb = new Lamb<T>([a], learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1) { UnitTrustRatio = true };
        var adamW = new AdamW<T>([b], learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1);
        double worst = 0;
        for (int t = 0; t < 30; t++)
        {
            var g = Enumerable.Range(0, start.Length).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-2, 2))).ToArray();
            Feed(a, g);
            Feed(b, g);
            lamb.Step();
            adamW.Step();
            for (int i = 0; i < start.Length; i++)
            {
                double x = Element<T>.ToDouble(a.Value[i]), y = Element<T>.ToDouble(b.Value[i]);
                worst = Math.Max(worst, Math.Abs(x - y) / Math.Abs(y));
            }
        }

        worst.Should().BeLessThan(Element<T>.IsSingle ? 1e-5 : 1e-12);
        // …and the forcing matters: without it the same first gradient gives another step.
        var c = Param("c", start);
        var free = new Lamb<T>([c], learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1);
        Feed(c, Enumerable.Repeat(1.0, start.Length).ToArray());
        free.Step();
        c.Value.ToArray().Should().NotEqual(a.Value.ToArray());
    }

    [Fact]
    public void With_the_guard_off_a_NaN_reaches_its_whole_parameter_and_no_other()
    {
        var a = Param("a", 1.0, -2.0, 3.0);
        var b = Param("b", 0.5, 0.25, -1.0);
        var optimizer = new Lamb<T>([a, b], learningRate: 0.01) { NonFiniteGradients = NonFiniteGradientPolicy.Propagate };
        Feed(a, 0.1, 0.2, 0.3);
        Feed(b, 0.1, double.NaN, 0.3);
        optimizer.Step();

        a.Value.ToArray().All(T.IsFinite).Should().BeTrue();
        b.Value.ToArray().All(T.IsNaN).Should().BeTrue("‖u‖ is NaN, so is the trust ratio");
    }
}

public sealed class LambTests_Double : LambTests<double>;

public sealed class LambTests_Single : LambTests<float>;
