namespace Optimizers.Tests;

/// <summary>
/// Hand-worked float32 steps of θ ← θ − α·(g + λθ): exact where every value fits in float32's 24-bit significand, and
/// where it does not, float32's rounding worked out by hand (2⁻ⁿ written as 2^-n; u = one unit in the last place).
/// </summary>
/// <remarks>
/// In float32 the kernel computes g′ = g + λ·θ, then g′·α, then θ − g′·α, each rounded to the nearest float (ties to
/// even), with α and λ rounded from double to float once. Spacing of floats: 2^-24 in [0.5, 1), 2^-23 in [1, 2),
/// 2^-14 in [512, 1024).
/// </remarks>
public sealed class GradientDescentFloat32Tests : OptimizerTestBase
{
    [Fact]
    public void Steps_whose_values_fit_in_float32_are_exact_and_equal_the_double_steps()
    {
        // α = 0.5, λ = 0.5, θ₀ = (2, −1); every number below has at most 8 significant bits.
        var p = Param("θ", 2f, -1f);
        var sgd = new GradientDescent<float>([p], learningRate: 0.5, weightDecay: 0.5);

        Step(sgd, p, 1f, 0.5f);       // g′₁ = (1 + 0.5·2, 0.5 + 0.5·−1) = (2, 0)
        Check(p, 1f, -1f);            // θ₁ = (2 − 0.5·2, −1 − 0.5·0)
        Step(sgd, p, -0.5f, 0.25f);   // g′₂ = (−0.5 + 0.5·1, 0.25 + 0.5·−1) = (0, −0.25)
        Check(p, 1f, -0.875f);        // θ₂ = (1 − 0.5·0, −1 + 0.5·0.25)
        Step(sgd, p, 0.25f, -1f);     // g′₃ = (0.25 + 0.5·1, −1 + 0.5·−0.875) = (0.75, −1.4375)

        // θ₃ = (1 − 0.5·0.75, −0.875 + 0.5·1.4375) = (1 − 0.375, −0.875 + 0.71875); the double rule gives the same.
        Check(p, 0.625f, -0.15625f);
        var twin = Param("θ", 2.0, -1.0);
        var sgd64 = new GradientDescent([twin], learningRate: 0.5, weightDecay: 0.5);
        double[][] gradients = [[1, 0.5], [-0.5, 0.25], [0.25, -1]];
        foreach (var g in gradients)
        {
            Step(sgd64, twin, g);
        }

        twin.Value.ToArray().Should().Equal(0.625, -0.15625);
    }

    [Fact]
    public void The_learning_rate_is_rounded_to_float32_once()
    {
        // α = 0.1 is not a float; as torch casts its Python scalar, the kernel uses α₃₂ = nearest float to 0.1
        //    = 13421773·2^-27 = 0.100000001490116119384765625 (0.1·2^27 = 13421772.8 → 13421773).
        // θ₀ = 1, g = 1: g·α₃₂ = α₃₂ exactly; 1 − α₃₂ = (2^27 − 13421773)·2^-27 = 120795955·2^-27
        //    = 15099494.375·2^-24, and floats in [0.5, 1) are multiples of 2^-24: → 15099494·2^-24.
        var p = Param("θ", 1f);
        var sgd = new GradientDescent<float>([p], learningRate: 0.1);

        Step(sgd, p, 1f);

        Check(p, 0.89999997615814208984375f);   // 15099494·2^-24, not the double step's 0.9 (0.90000000000000002220…)
        ValueOf(p).Should().Be(15099494 * Math.Pow(2, -24)).And.NotBe(1 - 0.1);
    }

    [Fact]
    public void A_step_below_half_a_float32_spacing_is_lost()
    {
        // θ₀ = 1024, α = 0.5, g = 2^-15: α·g = 2^-16 exactly. Below 1024 floats are 2^-14 apart, so 1024 − 2^-16
        // lies a quarter of a spacing below 1024 and rounds back up to 1024: θ does not move. In double (spacing 2^-43)
        // the step lands exactly: 1024 − 2^-16 = 1023.9999847412109375.
        var p = Param("θ", 1024f);
        var sgd = new GradientDescent<float>([p], learningRate: 0.5);

        Step(sgd, p, 0.000030517578125f);         // g = 2^-15

        Check(p, 1024f);
        var twin = Param("θ", 1024.0);
        Step(new GradientDescent([twin], learningRate: 0.5), twin, 0.000030517578125);
        Check(twin, 1023.9999847412109375);
    }

    [Fact]
    public void Two_float32_roundings_can_land_one_unit_away_from_the_double_result_rounded_once()
    {
        // θ₀ = 2, α = 1 + 2^-23 = 1.00000011920928955078125, g = 1 − 2^-24 = 0.999999940395355224609375 (both floats).
        // float32: g·α = 1 + 2^-23 − 2^-24 − 2^-47 = 1 + 2^-24 − 2^-47: floats in [1, 2) are 2^-23 apart and the
        //          excess over 1 is just under half of that, so the product rounds to 1; then θ₁ = 2 − 1 = 1.
        // double:  g·α is exact (48 bits) and θ₁ = 2 − (1 + 2^-24 − 2^-47) = 1 − 2^-24 + 2^-47, also exact; rounded to
        //          float once that is 1 − 2^-24 (it lies below the midpoint 1 − 2^-25 between 1 − 2^-24 and 1).
        const double alpha = 1.00000011920928955078125;
        var p = Param("θ", 2f);
        var twin = Param("θ", 2.0);

        Step(new GradientDescent<float>([p], alpha), p, 0.999999940395355224609375f);
        Step(new GradientDescent([twin], alpha), twin, 0.999999940395355224609375);

        Check(p, 1f);
        Check(twin, 1 - Math.Pow(2, -24) + Math.Pow(2, -47));
        ((float)twin.Value[0]).Should().Be(0.999999940395355224609375f, "1 − 2^-24: one float below the float32 result");
    }

    /// <summary>The single element of <paramref name="p"/> as a double (exact).</summary>
    private static double ValueOf(Parameter<float> p) => p.Value[0];
}
