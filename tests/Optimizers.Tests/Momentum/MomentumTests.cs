namespace Optimizers.Tests;

/// <summary>Hand-worked steps of torch.optim.SGD's momentum: b ← μb + (1−τ)g (b₁ = g₁); θ ← θ − α·b.</summary>
public sealed class MomentumTests : OptimizerTestBase
{
    [Fact]
    public void ThreeStepsOnAQuadratic()
    {
        // J(θ) = ½(1·θ₁² + 2·θ₂² + 3·θ₃²), g = (θ₁, 2θ₂, 3θ₃); α = 0.25, μ = 0.5, θ₀ = (1, −2, 0.5).
        var p = Param("θ", 1, -2, 0.5);
        var momentum = new Momentum([p], learningRate: 0.25, momentum: 0.5);
        Check(momentum.MomentumBuffer(0), 0, 0, 0);    // b₀ = 0 before the first step

        Step(momentum, p, 1, -4, 1.5);                 // g₁ = (1, 2·−2, 3·0.5)
        Check(momentum.MomentumBuffer(0), 1, -4, 1.5); // b₁ = g₁ (first step: buffer is the gradient)
        Check(p, 0.75, -1, 0.125);                     // θ₁ = (1 − 0.25·1, −2 + 0.25·4, 0.5 − 0.25·1.5)

        Step(momentum, p, 0.75, -2, 0.375);            // g₂ = (0.75, 2·−1, 3·0.125)
        Check(momentum.MomentumBuffer(0), 1.25, -4, 1.125);
                                                       // b₂ = 0.5·(1, −4, 1.5) + g₂ = (0.5 + 0.75, −2 − 2, 0.75 + 0.375)
        Check(p, 0.4375, 0, -0.15625);                 // θ₂ = (0.75 − 0.3125, −1 + 1, 0.125 − 0.28125)

        Step(momentum, p, 0.4375, 0, -0.46875);        // g₃ = (0.4375, 2·0, 3·−0.15625)
        Check(momentum.GetState("momentum_buffer", 0), 1.0625, -2, 0.09375);
                                                       // b₃ = 0.5·(1.25, −4, 1.125) + g₃ = (0.625 + 0.4375, −2 + 0, 0.5625 − 0.46875)
        Check(p, 0.171875, 0.5, -0.1796875);           // θ₃ = (0.4375 − 0.265625, 0 + 0.5, −0.15625 − 0.0234375)

        momentum.StepCount.Should().Be(3);
        momentum.StateNames.Should().Equal("momentum_buffer");
    }

    [Fact]
    public void DampeningScalesTheGradientAfterTheFirstStep()
    {
        // α = 0.25, μ = 0.5, τ = 0.5, θ₀ = (1, −2).
        var p = Param("θ", 1, -2);
        var momentum = new Momentum([p], learningRate: 0.25, momentum: 0.5, dampening: 0.5);

        Step(momentum, p, 2, 4);
        Check(momentum.MomentumBuffer(0), 2, 4);       // b₁ = g₁, NOT (1 − τ)·g₁ = (1, 2): no dampening on step 1
        Check(p, 0.5, -3);                             // θ₁ = (1 − 0.25·2, −2 − 0.25·4)

        Step(momentum, p, 1, -2);
        Check(momentum.MomentumBuffer(0), 1.5, 1);     // b₂ = 0.5·(2, 4) + 0.5·(1, −2) = (1 + 0.5, 2 − 1)
        Check(p, 0.125, -3.25);                        // θ₂ = (0.5 − 0.25·1.5, −3 − 0.25·1)
    }

    [Fact]
    public void NesterovStepsAlongGradientPlusMuTimesBuffer()
    {
        // α = 0.25, μ = 0.5, θ₀ = (1, −2); d = g + μ·b.
        var p = Param("θ", 1, -2);
        var momentum = new Momentum([p], learningRate: 0.25, momentum: 0.5, nesterov: true);

        Step(momentum, p, 2, 4);
        Check(momentum.MomentumBuffer(0), 2, 4);       // b₁ = g₁
        Check(p, 0.25, -3.5);                          // d₁ = (2, 4) + 0.5·(2, 4) = (3, 6);  θ₁ = (1 − 0.75, −2 − 1.5)

        Step(momentum, p, 1, -2);
        Check(momentum.MomentumBuffer(0), 2, 0);       // b₂ = 0.5·(2, 4) + (1, −2)
        Check(p, -0.25, -3);                           // d₂ = (1, −2) + 0.5·(2, 0) = (2, −2);  θ₂ = (0.25 − 0.5, −3.5 + 0.5)
    }

    [Fact]
    public void WeightDecayEntersTheBuffer()
    {
        // α = 0.25, μ = 0.5, λ = 0.5, θ₀ = (1, −2).
        var p = Param("θ", 1, -2);
        var momentum = new Momentum([p], learningRate: 0.25, momentum: 0.5, weightDecay: 0.5);

        Step(momentum, p, 2, 4);                       // g′₁ = (2, 4) + 0.5·(1, −2) = (2.5, 3)
        Check(momentum.MomentumBuffer(0), 2.5, 3);     // b₁ = g′₁
        Check(p, 0.375, -2.75);                        // θ₁ = (1 − 0.625, −2 − 0.75)

        Step(momentum, p, 1, -2);                      // g′₂ = (1, −2) + 0.5·(0.375, −2.75) = (1.1875, −3.375)
        Check(momentum.MomentumBuffer(0), 2.4375, -1.875);
                                                       // b₂ = 0.5·(2.5, 3) + g′₂ = (1.25 + 1.1875, 1.5 − 3.375)
        Check(p, -0.234375, -2.28125);                 // θ₂ = (0.375 − 0.609375, −2.75 + 0.46875)
    }

    [Fact]
    public void MaximizeNegatesTheGradientBeforeTheBuffer()
    {
        // α = 0.25, μ = 0.5, θ₀ = (1, −2), g = (2, 4): g′ = −g; b₁ = (−2, −4); θ₁ = (1 + 0.5, −2 + 1)
        var p = Param("θ", 1, -2);
        var momentum = new Momentum([p], learningRate: 0.25, momentum: 0.5, maximize: true);
        Step(momentum, p, 2, 4);
        Check(momentum.MomentumBuffer(0), -2, -4);
        Check(p, 1.5, -1);
    }

    [Fact]
    public void MaximizeWithWeightDecayNegatesFirstThenAddsLambdaTheta()
    {
        // As torch.optim.SGD: g′ = −g + λθ.  α = 0.25, μ = 0.5, λ = 0.5, θ₀ = (1, −2).
        var p = Param("θ", 1, -2);
        var momentum = new Momentum([p], learningRate: 0.25, momentum: 0.5, weightDecay: 0.5, maximize: true);

        Step(momentum, p, 2, 4);                       // g′₁ = (−2 + 0.5, −4 − 1) = (−1.5, −5)
        Check(momentum.MomentumBuffer(0), -1.5, -5);   // b₁ = g′₁   (−(g + λθ) would give (−2.5, −3))
        Check(p, 1.375, -0.75);                        // θ₁ = (1 + 0.375, −2 + 1.25)

        Step(momentum, p, 1, -2);                      // g′₂ = (−1, 2) + 0.5·(1.375, −0.75) = (−0.3125, 1.625)
        Check(momentum.MomentumBuffer(0), -1.0625, -0.875);
                                                       // b₂ = 0.5·(−1.5, −5) + g′₂ = (−0.75 − 0.3125, −2.5 + 1.625)
        Check(p, 1.640625, -0.53125);                  // θ₂ = (1.375 + 0.265625, −0.75 + 0.21875)
    }

    [Fact]
    public void ChangingTheLearningRateScalesTheWholeStepAsInPyTorch()
    {
        // α₁ = 0.25, α₂ = 0.5, μ = 0.5, θ₀ = (1, −2).
        var p = Param("θ", 1, -2);
        var momentum = new Momentum([p], learningRate: 0.25, momentum: 0.5);
        Step(momentum, p, 2, 4);
        Check(p, 0.5, -3);                             // b₁ = (2, 4);  θ₁ = (1 − 0.5, −2 − 1)

        momentum.LearningRate = 0.5;
        Step(momentum, p, 1, -2);                      // b₂ = 0.5·(2, 4) + (1, −2) = (2, 0)
        Check(p, -0.5, -3);                            // θ₂ = θ₁ − α₂·b₂ = (0.5 − 1, −3 − 0)
        // The textbook velocity would keep α₁ inside v₁ = (−0.5, −1): v₂ = 0.5·v₁ − 0.5·(1, −2) = (−0.75, 0.5),
        // θ₂ = (−0.25, −2.5). The two forms agree only while α is constant.
    }

    [Fact]
    public void EachParameterHasItsOwnBuffer()
    {
        // α = 0.5, μ = 0.5.  a: g = 2 → b = 2, a = 1 − 1 = 0.   c: g = (−4, 8) → b = (−4, 8), c = (2, −4).
        var a = Param("a", 1);
        var c = Param("c", 0, 0);
        var momentum = new Momentum([a, c], learningRate: 0.5, momentum: 0.5);
        SetGradient(a, 2);
        SetGradient(c, -4, 8);
        momentum.Step();
        Check(momentum.MomentumBuffer(0), 2);
        Check(momentum.MomentumBuffer(1), -4, 8);
        Check(a, 0);
        Check(c, 2, -4);
    }

    [Fact]
    public void TextbookVelocityFormTracesTheSamePathWhileTheLearningRateIsConstant()
    {
        // J(θ) = ½θᵀAθ − cᵀθ with a symmetric positive definite A; g = Aθ − c is computed from θ at every step,
        // so the two runs would drift apart if their updates differed.
        double[,] a = { { 3.0, 0.5, -0.2 }, { 0.5, 2.0, 0.3 }, { -0.2, 0.3, 1.0 } };
        double[] c = [1.0, -2.0, 0.5];
        double[] theta0 = [2.0, -1.5, 3.0];
        const double alpha = 0.05, mu = 0.9;

        var p = Param("θ", theta0);
        var momentum = new Momentum([p], learningRate: alpha, momentum: mu);

        // Textbook (Polyak; Sutskever et al.): v ← μv − αg;  θ ← θ + v, with v₀ = 0.
        var theta = theta0.ToArray();
        var v = new double[3];

        for (int step = 1; step <= 50; step++)
        {
            SetGradient(p, Gradient(a, c, p.Value.ToArray()));
            momentum.Step();

            var g = Gradient(a, c, theta);
            for (int i = 0; i < 3; i++)
            {
                v[i] = mu * v[i] - alpha * g[i];
                theta[i] += v[i];
            }

            // Mathematically vₜ = −α·bₜ, so the paths are identical. In floating point they are not bit-exact:
            // PyTorch's form rounds α·(μb + g) while the textbook form rounds μ·(αb) + αg, so each step can differ in
            // the last bit and those differences propagate (but do not grow much on this contracting problem).
            double scale = theta.Max(Math.Abs);
            for (int i = 0; i < 3; i++)
            {
                p.Value[i].Should().BeApproximately(theta[i], 1e-12 * scale, $"θ[{i}] at step {step}");
                (-alpha * momentum.MomentumBuffer(0)[i]).Should().BeApproximately(v[i], 1e-12 * scale, $"v[{i}] at step {step}");
            }
        }

        // The run really moved: 50 steps took θ far from θ₀ (a test that cannot fail would not).
        Math.Abs(p.Value[0] - theta0[0]).Should().BeGreaterThan(0.5);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.01, false)]
    [InlineData(0.0, true)]
    [InlineData(0.01, true)]
    public void ZeroMomentumIsGradientDescentBitForBit(double weightDecay, bool maximize)
    {
        // 37 elements: more than one SIMD block plus a scalar remainder on every vector width.
        var random = new Random(42);
        double[] theta0 = Enumerable.Range(0, 37).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var pm = Param("θ", theta0);
        var pg = Param("θ", theta0);
        var momentum = new Momentum([pm], learningRate: 0.1, momentum: 0, weightDecay: weightDecay, maximize: maximize);
        var sgd = new GradientDescent([pg], learningRate: 0.1, weightDecay: weightDecay, maximize: maximize);

        for (int step = 1; step <= 20; step++)
        {
            if (step == 10)
            {
                momentum.LearningRate = sgd.LearningRate = 0.03;
            }

            var g = Enumerable.Range(0, 37).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            SetGradient(pm, g);
            SetGradient(pg, g);
            momentum.Step();
            sgd.Step();
            pm.Value.ToArray().Should().Equal(pg.Value.ToArray(), $"step {step} must match exactly");
        }

        pm.Value.ToArray().Should().NotEqual(theta0);
    }

    private static double[] Gradient(double[,] a, double[] c, double[] theta)
    {
        var g = new double[c.Length];
        for (int i = 0; i < c.Length; i++)
        {
            double sum = -c[i];
            for (int j = 0; j < c.Length; j++)
            {
                sum += a[i, j] * theta[j];
            }

            g[i] = sum;
        }

        return g;
    }
}
