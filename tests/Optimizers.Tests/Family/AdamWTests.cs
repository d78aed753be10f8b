using static Optimizers.Tests.Family.AdamFamilyAssert;

namespace Optimizers.Tests.Family;

public sealed class AdamWTests
{
    [Fact]
    public void Defaults_are_torch_defaults()
    {
        var adamW = new AdamW([Theta(1.0)]);

        adamW.LearningRate.Should().Be(0.001);
        adamW.Beta1.Should().Be(0.9);
        adamW.Beta2.Should().Be(0.999);
        adamW.Epsilon.Should().Be(1e-8);
        adamW.WeightDecay.Should().Be(0.01);
        adamW.AmsGrad.Should().BeFalse();
        adamW.Maximize.Should().BeFalse();
        adamW.StateNames.Should().Equal("exp_avg", "exp_avg_sq");
    }

    [Fact]
    public void First_two_steps_with_defaults()
    {
        var theta = Theta(1.0, -0.5);
        var adamW = new AdamW([theta]);

        // t = 1: θ shrinks by 1 − αλ = 1 − 0.001·0.01 = 0.99999 first; the moments see the raw gradient.
        theta.Feed(0.5, -2.0);
        adamW.Step();
        adamW.GetState("exp_avg", 0).ShouldBeNear([0.05, -0.2], "m₁");        // 0.1·0.5;  0.1·(−2)
        adamW.GetState("exp_avg_sq", 0).ShouldBeNear([0.00025, 0.004], "v₁"); // 0.001·0.25;  0.001·4
        theta.ShouldBeNear(
            0.9989900000199999996,   // 1·0.99999 − 0.01·0.05/(0.5 + 1e-8) = 0.99999 − 0.00099999998
            -0.4989950000049999999); // −0.5·0.99999 − 0.01·(−0.2)/(2 + 1e-8) = −0.499995 + 0.000999999995

        // t = 2: shrink 0.99999 again, α/(1 − β₁²) = 0.001/0.19, √(1 − β₂²) = √0.001999
        theta.Feed(-0.25, 1.0);
        adamW.Step();
        adamW.GetState("exp_avg", 0).ShouldBeNear([0.02, -0.08], "m₂");            // as Adam: the decay does not touch m
        adamW.GetState("exp_avg_sq", 0).ShouldBeNear([0.00031225, 0.004996], "v₂"); // nor v
        theta.ShouldBeNear(
            // 0.99899000002·0.99999 = 0.99898001012;  step 0.0052631578947368421·0.02/(0.39522538070166418 + 1e-8) = 0.00026633703292153797
            0.9987136730870782616,
            // −0.498995000005·0.99999 = −0.49899001005499995;  step 0.0052631578947368421·(−0.08)/(1.5809015228066567 + 1e-8) = −0.00026633703797568640
            -0.4987236730170242636);
    }

    [Fact]
    public void First_two_steps_with_amsgrad_maximize_and_a_learning_rate_change()
    {
        var theta = Theta(1.0, -0.5);
        var adamW = new AdamW([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.5, weightDecay: 0.5,
                              amsgrad: true, maximize: true);

        // t = 1: shrink 1 − 0.1·0.5 = 0.95;  g = −∇ (maximize);  α/(1 − β₁) = 0.2
        theta.Feed(2.0, -1.0);
        adamW.Step();
        adamW.GetState("exp_avg", 0).ShouldBeNear([-1.0, 0.5], "m₁");          // 0.5·(−2);  0.5·1
        adamW.GetState("exp_avg_sq", 0).ShouldBeNear([2.0, 0.5], "v₁");        // 0.5·4;  0.5·1
        adamW.GetState("max_exp_avg_sq", 0).ShouldBeNear([2.0, 0.5], "vmax₁");
        theta.ShouldBeNear(
            1.0499999995000000025,   // 0.95 − 0.2·(−1)/(√2/√0.5 + 1e-8) = 0.95 + 0.0999999995
            -0.5749999990000000100); // −0.475 − 0.2·0.5/(√0.5/√0.5 + 1e-8) = −0.475 − 0.099999999

        // t = 2 with α = 0.2: shrink is now 1 − 0.2·0.5 = 0.9 (the decay follows the learning rate);  α/0.75 = 0.26666666666666667
        adamW.LearningRate = 0.2;
        theta.Feed(0.5, 2.0);
        adamW.Step();
        adamW.GetState("exp_avg", 0).ShouldBeNear([-0.75, -0.75], "m₂");      // 0.5·(−1) + 0.5·(−0.5);  0.5·0.5 + 0.5·(−2)
        adamW.GetState("exp_avg_sq", 0).ShouldBeNear([1.125, 2.25], "v₂");    // 0.5·2 + 0.5·0.25;  0.5·0.5 + 0.5·4
        adamW.GetState("max_exp_avg_sq", 0).ShouldBeNear([2.0, 2.25], "vmax₂"); // max(2, 1.125);  max(0.5, 2.25)
        theta.ShouldBeNear(
            // 1.0499999995·0.9 = 0.94499999955;  0.26666666666666667·(−0.75)/(√2/√0.75 + 1e-8) = −0.2/1.6329931718554521 = −0.12247448638915891
            1.0674744859391589118,
            // −0.574999999·0.9 = −0.5174999991;  −0.2/(√2.25/√0.75 + 1e-8) = −0.2/1.7320508175688773 = −0.11547005317125849
            -0.4020299459287415189);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void With_zero_weight_decay_it_equals_Adam_bit_for_bit(bool amsgrad, bool maximize)
    {
        var random = new Random(11);
        var start = Enumerable.Range(0, 13).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var a = Theta(start);
        var w = Theta(start);
        var adam = new Adam([a], learningRate: 0.01, amsgrad: amsgrad, maximize: maximize);
        var adamW = new AdamW([w], learningRate: 0.01, weightDecay: 0, amsgrad: amsgrad, maximize: maximize);

        for (int t = 1; t <= 50; t++)
        {
            var g = start.Select(_ => (random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-4, 3))).ToArray();
            a.Feed(g);
            w.Feed(g);
            adam.Step();
            adamW.Step();

            w.Value.ToArray().Should().Equal(a.Value.ToArray(), $"step {t}");
        }
    }

    [Fact]
    public void Decay_is_decoupled_from_the_gradient_unlike_Adams_L2_penalty()
    {
        // With a zero gradient Adam's L2 penalty g = λθ is normalised by √v̂ and moves θ by about α per step,
        // while AdamW only shrinks θ by the factor 1 − αλ.
        var a = Theta(2.0);
        var w = Theta(2.0);
        var adam = new Adam([a], learningRate: 0.1, weightDecay: 0.5);
        var adamW = new AdamW([w], learningRate: 0.1, weightDecay: 0.5);

        adam.Step();
        adamW.Step();

        w.ShouldBeNear(1.9);                 // 2·(1 − 0.1·0.5) = 1.9; m = v = 0, so the Adam part is 0
        a.ShouldBeNear(1.90000000099999999); // g = 0.5·2 = 1; m̂ = 1, √v̂ = 1;  2 − 0.1·1/(1 + 1e-8) = 2 − 0.099999999
    }

    public static TheoryData<string, Func<Parameter, Optimizer<double>>> BadArguments => new()
    {
        { "learningRate", p => new AdamW([p], learningRate: double.PositiveInfinity) },
        { "beta1", p => new AdamW([p], beta1: -1e-9) },
        { "beta1", p => new AdamW([p], beta1: 1.0) },
        { "beta2", p => new AdamW([p], beta2: 1.5) },
        { "beta2", p => new AdamW([p], beta2: double.NaN) },
        { "epsilon", p => new AdamW([p], epsilon: -1) },
        { "epsilon", p => new AdamW([p], epsilon: double.NaN) },
        { "weightDecay", p => new AdamW([p], weightDecay: -0.01) },
        { "weightDecay", p => new AdamW([p], weightDecay: double.PositiveInfinity) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_hyperparameters_throw_naming_the_argument(string name, Func<Parameter, Optimizer<double>> create)
    {
        var theta = Theta(1.0, 2.0);

        var act = () => create(theta);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
        theta.Value.ToArray().Should().Equal(1.0, 2.0);
    }
}
