namespace Optimizers.Tests;

/// <summary>
/// Hand-worked float32 steps of torch.optim.SGD's momentum (g′ = g + λθ; b₁ = g′₁, bₜ = μ·bₜ₋₁ + (1 − τ)·g′ₜ;
/// d = nesterov ? g′ + μ·b : b; θ ← θ − α·d): exact where every value fits in float32's 24-bit significand, and the
/// rounding of μ = 0.9 to float32 worked out by hand where it shows.
/// </summary>
/// <remarks>α, μ, 1 − τ and λ are rounded from double to float once; every product and sum is rounded to float.</remarks>
public sealed class MomentumFloat32Tests : OptimizerTestBase
{
    [Fact]
    public void Dampened_steps_with_weight_decay_are_exact_in_float32()
    {
        // α = 0.5, μ = 0.75, τ = 0.5 (1 − τ = 0.5), λ = 0.25, θ₀ = (4, −2).
        var p = Param("θ", 4f, -2f);
        var momentum = new Momentum<float>([p], learningRate: 0.5, momentum: 0.75, dampening: 0.5, weightDecay: 0.25);

        // Step 1: g′₁ = (1 + 0.25·4, 2 + 0.25·−2) = (2, 1.5); b₁ = g′₁ (no dampening on the first step).
        Step(momentum, p, 1f, 2f);
        Check(momentum.MomentumBuffer(0), 2f, 1.5f);
        Check(p, 3f, -2.75f);                       // θ₁ = (4 − 0.5·2, −2 − 0.5·1.5)

        // Step 2: g′₂ = (−2 + 0.25·3, 0.5 + 0.25·−2.75) = (−1.25, −0.1875).
        Step(momentum, p, -2f, 0.5f);
        Check(momentum.MomentumBuffer(0), 0.875f, 1.03125f);
                                                    // b₂ = 0.75·(2, 1.5) + 0.5·(−1.25, −0.1875) = (1.5 − 0.625, 1.125 − 0.09375)
        Check(p, 2.5625f, -3.265625f);              // θ₂ = (3 − 0.5·0.875, −2.75 − 0.5·1.03125)

        // Step 3: g′₃ = (0.5 + 0.25·2.5625, −1 + 0.25·−3.265625) = (1.140625, −1.81640625).
        Step(momentum, p, 0.5f, -1f);
        Check(momentum.MomentumBuffer(0), 1.2265625f, -0.134765625f);
                                                    // b₃ = (0.75·0.875 + 0.5·1.140625, 0.75·1.03125 − 0.5·1.81640625)
                                                    //    = (0.65625 + 0.5703125, 0.7734375 − 0.908203125)
        Check(p, 1.94921875f, -3.1982421875f);      // θ₃ = (2.5625 − 0.61328125, −3.265625 + 0.0673828125)
    }

    [Fact]
    public void Nesterov_steps_are_exact_in_float32()
    {
        // α = 0.5, μ = 0.25, θ₀ = (1, 3); d = g + μ·b.
        var p = Param("θ", 1f, 3f);
        var momentum = new Momentum<float>([p], learningRate: 0.5, momentum: 0.25, nesterov: true);

        Step(momentum, p, 4f, -8f);                 // b₁ = g₁ = (4, −8);  d₁ = (4 + 0.25·4, −8 + 0.25·−8) = (5, −10)
        Check(p, -1.5f, 8f);                        // θ₁ = (1 − 0.5·5, 3 + 0.5·10)

        Step(momentum, p, 2f, 2f);                  // b₂ = 0.25·(4, −8) + (2, 2) = (3, 0);  d₂ = (2 + 0.75, 2 + 0) = (2.75, 2)
        Check(momentum.MomentumBuffer(0), 3f, 0f);
        Check(p, -2.875f, 7f);                      // θ₂ = (−1.5 − 0.5·2.75, 8 − 0.5·2)
    }

    [Fact]
    public void Momentum_0_9_is_rounded_to_float32_and_the_buffer_shows_it()
    {
        // μ₃₂ = nearest float to 0.9 = 15099494·2^-24 = 0.89999997615814208984375 (0.9·2^24 = 15099494.4, rounded down).
        // α = 0.5, θ₀ = 2, g₁ = 2, g₂ = −1.
        var p = Param("θ", 2f);
        var momentum = new Momentum<float>([p], learningRate: 0.5, momentum: 0.9);

        Step(momentum, p, 2f);                      // b₁ = 2;  θ₁ = 2 − 0.5·2 = 1
        Check(p, 1f);

        // b₂ = b₁·μ₃₂ + g₂ = 2·15099494·2^-24 − 1 = 15099494·2^-23 − 8388608·2^-23 = 6710886·2^-23 = 13421772·2^-24
        //    = 0.7999999523162841796875, exact (a multiple of 2^-24 in [0.5, 1)). The double rule has b₂ = 2·0.9 − 1 = 0.8,
        //    whose nearest float is 13421773·2^-24 = 0.800000011920928955078125: the float32 buffer is one unit lower,
        //    because 2·μ₃₂ is 4.8e-8 below 1.8 and that error survives the (exact) subtraction of 1 in full.
        Step(momentum, p, -1f);
        Check(momentum.MomentumBuffer(0), 0.7999999523162841796875f);
        momentum.MomentumBuffer(0)[0].Should().NotBe((float)(2 * 0.9 - 1));

        // θ₂ = 1 − 0.5·b₂ = 1 − 6710886·2^-24 = 10066330·2^-24 = 0.600000023841857910156250 (exact), which happens to be the
        //    nearest float to the double rule's 0.6 as well.
        Check(p, 0.60000002384185791015625f);
    }
}
