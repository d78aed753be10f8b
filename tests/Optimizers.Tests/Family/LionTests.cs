using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Family;

/// <summary>Lion: hand-worked steps (every number exact in float and double) and the size of its steps.</summary>
public abstract class LionTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static Parameter<T> Param(params double[] values) => new("w", Element<T>.From(values));

    private static void Feed(Parameter<T> p, params double[] g) => Element<T>.From(g).CopyTo(p.GradientArray, 0);

    private static void ShouldBe(ReadOnlySpan<T> actual, params double[] expected) =>
        actual.ToArray().Should().Equal(Element<T>.From(expected));

    [Fact]
    public void Defaults_are_the_authors()
    {
        var optimizer = new Lion<T>([Param(1.0)]);

        optimizer.LearningRate.Should().Be(1e-4);
        optimizer.Beta1.Should().Be(0.9);
        optimizer.Beta2.Should().Be(0.99);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.StateNames.Should().Equal("exp_avg");
    }

    [Fact]
    public void Two_steps_by_hand()
    {
        // α = 0.125, β₁ = 0.5, β₂ = 0.75, λ = 0
        var w = Param(1.0, -2.0, 0.5);
        var optimizer = new Lion<T>([w], learningRate: 0.125, beta1: 0.5, beta2: 0.75);

        Feed(w, 0.5, 0.0, -1.0);
        optimizer.Step();
        // c₁ = 0.5·0 + 0.5·g₁ = (0.25, 0, −0.5);  sign = (1, 0, −1)
        ShouldBe(w.ValueSpan, 0.875, -2.0, 0.625);                    // θ₁ = (1 − 0.125, −2 − 0, 0.5 + 0.125)
        ShouldBe(optimizer.GetState("exp_avg", 0), 0.125, 0.0, -0.25); // m₁ = 0.75·0 + 0.25·g₁

        Feed(w, -1.0, 2.0, -0.25);
        optimizer.Step();
        // c₂ = 0.5·m₁ + 0.5·g₂ = (0.0625 − 0.5, 0 + 1, −0.125 − 0.125) = (−0.4375, 1, −0.25);  sign = (−1, 1, −1)
        ShouldBe(w.ValueSpan, 1.0, -2.125, 0.75);                     // θ₂ = (0.875 + 0.125, −2 − 0.125, 0.625 + 0.125)
        ShouldBe(optimizer.GetState("exp_avg", 0),
                 -0.15625, 0.5, -0.25);                               // m₂ = 0.75·m₁ + 0.25·g₂ = (0.09375 − 0.25, 0 + 0.5, −0.1875 − 0.0625)
    }

    [Fact]
    public void Weight_decay_shrinks_theta_by_alpha_lambda_before_the_sign_step()
    {
        // α = 0.125, λ = 2: θ·(1 − 0.25) = θ·0.75 first
        var w = Param(1.0, -2.0, 0.5);
        var optimizer = new Lion<T>([w], learningRate: 0.125, beta1: 0.5, beta2: 0.75, weightDecay: 2);

        Feed(w, 0.5, 0.0, -1.0);
        optimizer.Step();
        ShouldBe(w.ValueSpan, 0.625, -1.5, 0.5);                      // (0.75 − 0.125, −1.5 − 0, 0.375 + 0.125)

        Feed(w, -1.0, 2.0, -0.25);
        optimizer.Step();
        ShouldBe(w.ValueSpan, 0.59375, -1.25, 0.5);                   // (0.46875 + 0.125, −1.125 − 0.125, 0.375 + 0.125)
    }

    public static TheoryData<double, double> Betas => new() { { 0.9, 0.99 }, { 0.0, 0.5 }, { 0.5, 0.0 }, { 0.99, 0.9 } };

    [Theory]
    [MemberData(nameof(Betas))]
    public void Every_element_moves_by_exactly_alpha_where_the_interpolation_is_not_zero(double beta1, double beta2)
    {
        // θ on a grid of 2⁻¹⁰ within [−4, 4] and α = 2⁻¹⁰, so that θ ± α is exact in float and double: the step is then
        // exactly α wherever c = β₁·m + (1 − β₁)·g ≠ 0 (before decay; λ = 0 here), whatever the gradient's scale, and 0 where c = 0.
        const double alpha = 1.0 / 1024;
        var random = new Random(17);
        var w = new Parameter<T>("w", Element<T>.From(Enumerable.Range(0, 37).Select(_ => random.Next(-2048, 2048) / 1024.0)));
        var optimizer = new Lion<T>([w], alpha, beta1, beta2);
        int moved = 0, still = 0;
        for (int t = 1; t <= 50; t++)
        {
            var m = optimizer.GetState("exp_avg", 0).ToArray();
            var g = Enumerable.Range(0, w.Length).Select(i => (i + t) % 11 == 0 ? 0.0 : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 6))).ToArray();
            Feed(w, g);
            var before = w.Value.ToArray();
            optimizer.Step();
            for (int i = 0; i < w.Length; i++)
            {
                T c = m[i] * Element<T>.From(beta1) + w.Gradient[i] * Element<T>.From(1 - beta1);
                T step = T.Abs(w.Value[i] - before[i]);
                if (c == T.Zero)
                {
                    step.Should().Be(T.Zero, $"c = 0 at step {t}, element {i}");
                    still++;
                }
                else
                {
                    step.Should().Be(Element<T>.From(alpha), $"step {t}, element {i}, c = {c}");
                    moved++;
                }
            }
        }

        moved.Should().BeGreaterThan(1000);
        still.Should().BeGreaterThan(0, "some c are 0 (zero gradient on a zero momentum, or β₁ = 0)");
    }
}

public sealed class LionTests_Double : LionTests<double>;

public sealed class LionTests_Single : LionTests<float>;
