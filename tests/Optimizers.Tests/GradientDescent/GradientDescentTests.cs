namespace Optimizers.Tests;

/// <summary>Hand-worked steps of θ ← θ − α·g, with weight decay and maximize.</summary>
public sealed class GradientDescentTests : OptimizerTestBase
{
    [Fact]
    public void ThreeStepsOnAQuadratic()
    {
        // J(θ) = ½(1·θ₁² + 2·θ₂² + 3·θ₃²), so g = (θ₁, 2θ₂, 3θ₃); α = 0.25, θ₀ = (1, −2, 0.5).
        // Each element shrinks by the factor 1 − α·aᵢ = (0.75, 0.5, 0.25) per step.
        var p = Param("θ", 1, -2, 0.5);
        var sgd = new GradientDescent([p], learningRate: 0.25);

        Step(sgd, p, 1, -4, 1.5);                      // g₁ = (1, 2·−2, 3·0.5)
        Check(p, 0.75, -1, 0.125);                     // (1 − 0.25·1, −2 + 0.25·4, 0.5 − 0.25·1.5)

        Step(sgd, p, 0.75, -2, 0.375);                 // g₂ = (0.75, 2·−1, 3·0.125)
        Check(p, 0.5625, -0.5, 0.03125);               // (0.75 − 0.1875, −1 + 0.5, 0.125 − 0.09375)

        Step(sgd, p, 0.5625, -1, 0.09375);             // g₃ = (0.5625, 2·−0.5, 3·0.03125)
        Check(p, 0.421875, -0.25, 0.0078125);          // (0.5625 − 0.140625, −0.5 + 0.25, 0.03125 − 0.0234375)

        sgd.StepCount.Should().Be(3);
        sgd.StateNames.Should().BeEmpty("plain gradient descent keeps no per-parameter state");
    }

    [Fact]
    public void WeightDecayAddsLambdaThetaToTheGradient()
    {
        // λ = 0.5, α = 0.25, θ = (1, −2), g = (2, 4):
        // g′ = g + λθ = (2 + 0.5, 4 − 1) = (2.5, 3);  θ = θ − α·g′ = (1 − 0.625, −2 − 0.75)
        var p = Param("θ", 1, -2);
        var sgd = new GradientDescent([p], learningRate: 0.25, weightDecay: 0.5);
        Step(sgd, p, 2, 4);
        Check(p, 0.375, -2.75);
    }

    [Fact]
    public void MaximizeAscendsTheGradient()
    {
        // α = 0.25, θ = (1, −2), g = (2, 4): g′ = −g = (−2, −4);  θ = θ − α·g′ = (1 + 0.5, −2 + 1)
        var p = Param("θ", 1, -2);
        var sgd = new GradientDescent([p], learningRate: 0.25, maximize: true);
        Step(sgd, p, 2, 4);
        Check(p, 1.5, -1);
    }

    [Fact]
    public void MaximizeWithWeightDecayNegatesFirstThenAddsLambdaTheta()
    {
        // As torch.optim.SGD: g′ = −g + λθ (decay still pulls θ towards 0 when maximising).
        // λ = 0.5, α = 0.25, θ = (1, −2), g = (2, 4): g′ = (−2 + 0.5, −4 − 1) = (−1.5, −5)
        // θ = θ − α·g′ = (1 + 0.375, −2 + 1.25).   (The other order, −(g + λθ), would give (1.625, −1.25).)
        var p = Param("θ", 1, -2);
        var sgd = new GradientDescent([p], learningRate: 0.25, weightDecay: 0.5, maximize: true);
        Step(sgd, p, 2, 4);
        Check(p, 1.375, -0.75);
    }

    [Fact]
    public void ANewLearningRateAppliesFromTheNextStep()
    {
        // θ = (1, −2); step 1 with α = 0.25, g = (2, 4): θ = (1 − 0.5, −2 − 1) = (0.5, −3)
        // step 2 with α = 0.5,  g = (1, −2): θ = (0.5 − 0.5, −3 + 1) = (0, −2)
        var p = Param("θ", 1, -2);
        var sgd = new GradientDescent([p], learningRate: 0.25);
        Step(sgd, p, 2, 4);
        Check(p, 0.5, -3);
        sgd.LearningRate = 0.5;
        Step(sgd, p, 1, -2);
        Check(p, 0, -2);
    }

    [Fact]
    public void EveryParameterIsUpdatedAndGradientsAreLeftForTheCaller()
    {
        // Two parameters, α = 0.5: a = 4 − 0.5·2 = 3;  b = (1, 1) − 0.5·(−2, 6) = (2, −2).
        var a = Param("a", 4);
        var b = Param("b", 1, 1);
        var sgd = new GradientDescent([a, b], learningRate: 0.5);
        SetGradient(a, 2);
        SetGradient(b, -2, 6);
        sgd.Step();
        Check(a, 3);
        Check(b, 2, -2);
        b.Gradient.ToArray().Should().Equal([-2.0, 6.0], "Step reads the gradient and does not clear it");

        sgd.ZeroGrad();
        a.Gradient.ToArray().Should().Equal([0.0]);
        b.Gradient.ToArray().Should().Equal([0.0, 0.0]);
    }

    [Fact]
    public void ZeroLearningRateLeavesThetaUnchanged()
    {
        var p = Param("θ", 1, -2);
        var sgd = new GradientDescent([p], learningRate: 0);
        Step(sgd, p, 2, 4);
        Check(p, 1, -2);
    }
}
