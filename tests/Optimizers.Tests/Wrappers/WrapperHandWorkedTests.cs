using Optimizers.Tests.Family;

namespace Optimizers.Tests.Wrappers;

/// <summary>Lookahead and gradient accumulation over plain gradient descent, every number worked out by hand.</summary>
public sealed class WrapperHandWorkedTests
{
    [Fact]
    public void Lookahead_k2_alpha_half_over_gradient_descent()
    {
        var p = HandWorked.Param("w", 1.0, -2.0);
        var lookahead = new Lookahead(new GradientDescent([p], learningRate: 0.1), k: 2, alpha: 0.5);

        // Step 1: θ = θ − 0.1·g = (1 − 0.1·1, −2 − 0.1·2) = (0.9, −2.2); no sync yet, φ = θ₀ = (1, −2).
        HandWorked.Feed(p, 1.0, 2.0);
        lookahead.TryStep().Should().BeTrue();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.9, -2.2);
        HandWorked.ShouldBeClose(lookahead.GetSlowWeights(0), 1.0, -2.0);

        // Step 2: θ = (0.9 − 0.1·0.5, −2.2 − 0.1·(−1)) = (0.85, −2.1); sync (t = 2 = k):
        // φ = lerp(φ, θ, 0.5) = θ − (θ − φ)·0.5 = (0.85 + 0.15·0.5, −2.1 + 0.1·0.5) = (0.925, −2.05); θ = φ.
        HandWorked.Feed(p, 0.5, -1.0);
        lookahead.Step();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.925, -2.05);
        HandWorked.ShouldBeClose(lookahead.GetSlowWeights(0), 0.925, -2.05);

        // Step 3: θ = (0.925 − 0.1·2, −2.05 − 0.1·0) = (0.725, −2.05); φ stays (0.925, −2.05) until the next sync.
        HandWorked.Feed(p, 2.0, 0.0);
        lookahead.Step();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.725, -2.05);
        HandWorked.ShouldBeClose(lookahead.GetSlowWeights(0), 0.925, -2.05);

        // Step 4: θ = (0.725 − 0.1·(−1), −2.05 − 0.1·1) = (0.825, −2.15); sync:
        // φ = (0.825 − (0.825 − 0.925)·0.5, −2.15 − (−2.15 + 2.05)·0.5) = (0.875, −2.1).
        HandWorked.Feed(p, -1.0, 1.0);
        lookahead.Step();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.875, -2.1);
        lookahead.StepCount.Should().Be(4);
        ((GradientDescent)lookahead.Inner).StepCount.Should().Be(4);
    }

    [Fact]
    public void Lookahead_alpha_quarter_pulls_a_quarter_of_the_way()
    {
        var p = HandWorked.Param("w", 4.0);
        var lookahead = new Lookahead(new GradientDescent([p], learningRate: 1.0), k: 1, alpha: 0.25);

        // Step 1: θ = 4 − 1·2 = 2; sync (k = 1): α < 0.5 so φ = φ + α·(θ − φ) = 4 + 0.25·(2 − 4) = 3.5; θ = 3.5.
        HandWorked.Feed(p, 2.0);
        lookahead.Step();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 3.5);

        // Step 2: θ = 3.5 − 1·(−1) = 4.5; φ = 3.5 + 0.25·(4.5 − 3.5) = 3.75.
        HandWorked.Feed(p, -1.0);
        lookahead.Step();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 3.75);
    }

    [Fact]
    public void Accumulation_every_3_over_gradient_descent()
    {
        var p = HandWorked.Param("w", 1.0, -2.0);
        var inner = new GradientDescent([p], learningRate: 0.1);
        var accumulation = new GradientAccumulation(inner, every: 3);

        // Micro-batch 1: S = g = (1, 2); θ unchanged.
        HandWorked.Feed(p, 1.0, 2.0);
        accumulation.TryStep().Should().BeFalse();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 1.0, -2.0);
        accumulation.MicroBatches.Should().Be(1);

        // Micro-batch 2: S = (1 + 0.5, 2 − 1) = (1.5, 1); θ unchanged.
        HandWorked.Feed(p, 0.5, -1.0);
        accumulation.TryStep().Should().BeFalse();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 1.0, -2.0);
        accumulation.MicroBatches.Should().Be(2);

        // Micro-batch 3: g = (S + g)/3 = ((1.5 + 3)/3, (1 + 2)/3) = (1.5, 1); θ = (1 − 0.1·1.5, −2 − 0.1·1) = (0.85, −2.1).
        HandWorked.Feed(p, 3.0, 2.0);
        accumulation.TryStep().Should().BeTrue();
        HandWorked.ShouldBeClose(p.Gradient.AsArray(), 1.5, 1.0);
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.85, -2.1);
        accumulation.MicroBatches.Should().Be(0);
        accumulation.StepCount.Should().Be(1);
        inner.StepCount.Should().Be(1);

        // Next cycle: S = (2, 0), then (2 + 4, 0 − 6)/3 → g = (2, −2), θ = (0.85 − 0.2, −2.1 + 0.2) = (0.65, −1.9)
        // after the third micro-batch (0, 0).
        HandWorked.Feed(p, 2.0, 0.0);
        accumulation.Step();
        HandWorked.Feed(p, 4.0, -6.0);
        accumulation.Step();
        HandWorked.Feed(p, 0.0, 0.0);
        accumulation.TryStep().Should().BeTrue();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.65, -1.9);
        accumulation.StepCount.Should().Be(2);
    }

    [Fact]
    public void Lookahead_over_accumulation_counts_inner_steps()
    {
        var p = HandWorked.Param("w", 1.0);
        var lookahead = new Lookahead(new GradientAccumulation(new GradientDescent([p], learningRate: 0.5), every: 2), k: 2, alpha: 0.5);

        // Calls 1–2: mean (1 + 3)/2 = 2, θ = 1 − 0.5·2 = 0. Lookahead counts one step (no sync).
        HandWorked.Feed(p, 1.0);
        lookahead.TryStep().Should().BeFalse();
        HandWorked.Feed(p, 3.0);
        lookahead.TryStep().Should().BeTrue();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.0);
        lookahead.StepCount.Should().Be(1);

        // Calls 3–4: mean (−2 + 0)/2 = −1, θ = 0 + 0.5 = 0.5; sync: φ = 0.5 − (0.5 − 1)·0.5 = 0.75.
        HandWorked.Feed(p, -2.0);
        lookahead.Step();
        HandWorked.Feed(p, 0.0);
        lookahead.Step();
        HandWorked.ShouldBeClose(p.Value.AsArray(), 0.75);
        lookahead.StepCount.Should().Be(2);
    }
}
