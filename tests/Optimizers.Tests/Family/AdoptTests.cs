using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Family;

/// <summary>ADOPT: hand-worked steps (steps 1–2 exact in float and double; step 3 with its irrational clip bound in double).</summary>
public abstract class AdoptTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static Parameter<T> Param(params double[] values) => new("w", Element<T>.From(values));

    private static void Feed(Parameter<T> p, params double[] g) => Element<T>.From(g).CopyTo(p.GradientArray, 0);

    private static void ShouldBe(ReadOnlySpan<T> actual, params double[] expected) =>
        actual.ToArray().Should().Equal(Element<T>.From(expected));

    [Fact]
    public void Defaults_are_the_authors()
    {
        var optimizer = new Adopt<T>([Param(1.0)]);

        optimizer.LearningRate.Should().Be(1e-3);
        optimizer.Beta1.Should().Be(0.9);
        optimizer.Beta2.Should().Be(0.9999);
        optimizer.Epsilon.Should().Be(1e-6);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.Decoupled.Should().BeFalse();
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("exp_avg", "exp_avg_sq");
    }

    [Fact]
    public void The_first_step_only_sets_v_and_the_second_is_clipped_at_one()
    {
        // α = 0.5, β₁ = 0.5, β₂ = 0.75, ε = 1e-6 (below every √v here)
        var w = Param(1.0, -2.0, 0.5);
        var optimizer = new Adopt<T>([w], learningRate: 0.5, beta1: 0.5, beta2: 0.75);

        Feed(w, 2.0, -4.0, 0.5);
        optimizer.Step();
        ShouldBe(w.ValueSpan, 1.0, -2.0, 0.5);                           // θ₁ = θ₀: the first step moves nothing
        ShouldBe(optimizer.GetState("exp_avg", 0), 0.0, 0.0, 0.0);        // m₁ = 0
        ShouldBe(optimizer.GetState("exp_avg_sq", 0), 4.0, 16.0, 0.25);   // v₁ = g₁²

        Feed(w, 1.0, 8.0, -0.25);
        optimizer.Step();
        // clip = (2 − 1)^¼ = 1;  n = g₂ / max(√v₁, ε) = (1/2, 8/4, −0.25/0.5) = (0.5, 2, −0.5) → clipped (0.5, 1, −0.5)
        ShouldBe(optimizer.GetState("exp_avg", 0), 0.25, 0.5, -0.25);     // m₂ = 0.5·0 + 0.5·n
        ShouldBe(w.ValueSpan, 0.875, -2.25, 0.625);                       // θ₂ = θ₁ − 0.5·m₂ = (1 − 0.125, −2 − 0.25, 0.5 + 0.125)
        ShouldBe(optimizer.GetState("exp_avg_sq", 0),
                 3.25, 28.0, 0.203125);                                   // v₂ = 0.75·v₁ + 0.25·g₂² = (3 + 0.25, 12 + 16, 0.1875 + 0.015625)
    }

    [Fact]
    public void Decoupled_decay_adds_minus_alpha_lambda_theta_and_coupled_decay_enters_v_on_the_first_step()
    {
        // Coupled, λ = 0.5: g₁ = (2, −4) + 0.5·(1, −2) = (2.5, −5), v₁ = (6.25, 25); θ unchanged.
        var coupled = Param(1.0, -2.0);
        var l2 = new Adopt<T>([coupled], learningRate: 0.5, beta1: 0.5, beta2: 0.75, weightDecay: 0.5);
        Feed(coupled, 2.0, -4.0);
        l2.Step();
        ShouldBe(coupled.ValueSpan, 1.0, -2.0);
        ShouldBe(l2.GetState("exp_avg_sq", 0), 6.25, 25.0);

        // Decoupled, λ = 0.5, α = 0.5: v₁ = g₁² = (4, 16); step 2 with g₂ = (1, 8): θ′ = θ + (−0.25)·θ = (0.75, −1.5);
        // n = (0.5, 2) → (0.5, 1); m₂ = (0.25, 0.5); θ₂ = θ′ − 0.5·m₂ = (0.75 − 0.125, −1.5 − 0.25).
        var decoupled = Param(1.0, -2.0);
        var adamW = new Adopt<T>([decoupled], learningRate: 0.5, beta1: 0.5, beta2: 0.75, weightDecay: 0.5, decoupled: true);
        Feed(decoupled, 2.0, -4.0);
        adamW.Step();
        ShouldBe(adamW.GetState("exp_avg_sq", 0), 4.0, 16.0);
        Feed(decoupled, 1.0, 8.0);
        adamW.Step();
        ShouldBe(decoupled.ValueSpan, 0.625, -1.75);
    }

    [Fact]
    public void The_third_step_clips_at_the_fourth_root_of_two()
    {
        var w = Param(1.0, -2.0, 0.5);
        var optimizer = new Adopt<T>([w], learningRate: 0.5, beta1: 0.5, beta2: 0.75);
        Feed(w, 2.0, -4.0, 0.5);
        optimizer.Step();
        Feed(w, 1.0, 8.0, -0.25);
        optimizer.Step();

        Feed(w, 100.0, 0.0, 0.0);
        optimizer.Step();
        // clip = 2^¼ = 1.18920711500272106…;  n = (100/√3.25 = 55.47… → 1.18920711…, 0, 0)
        // m₃ = lerp(m₂, n, 0.5) = ((0.25 + 1.18920711…)/2, 0.5/2, −0.25/2) = (0.71960355750136053…, 0.25, −0.125)
        // θ₃ = θ₂ − 0.5·m₃ = (0.875 − 0.35980177875…, −2.25 − 0.125, 0.625 + 0.0625)
        double[] expected = [0.51519822124931973, -2.375, 0.6875];
        double tolerance = Element<T>.IsSingle ? 3e-7 : 5e-16;   // a few roundings of the element type
        for (int i = 0; i < 3; i++)
        {
            Element<T>.ToDouble(w.Value[i]).Should().BeApproximately(expected[i], tolerance * Math.Abs(expected[i]), $"element {i}");
        }
    }

    [Fact]
    public void Maximize_negates_the_gradient()
    {
        var up = Param(1.0, -2.0, 0.5);
        var down = Param(1.0, -2.0, 0.5);
        var ascend = new Adopt<T>([up], learningRate: 0.5, beta1: 0.5, beta2: 0.75, maximize: true);
        var descend = new Adopt<T>([down], learningRate: 0.5, beta1: 0.5, beta2: 0.75);
        foreach (var g in new[] { new[] { 2.0, -4.0, 0.5 }, new[] { 1.0, 8.0, -0.25 } })
        {
            Feed(up, g);
            Feed(down, g.Select(x => -x).ToArray());
            ascend.Step();
            descend.Step();
        }

        up.Value.ToArray().Should().Equal(down.Value.ToArray());
        ShouldBe(up.ValueSpan, 1.125, -1.75, 0.375);                       // θ₂ = θ₁ + 0.5·m₂ with m₂ = (0.25, 0.5, −0.25)
    }
}

public sealed class AdoptTests_Double : AdoptTests<double>;

public sealed class AdoptTests_Single : AdoptTests<float>;
