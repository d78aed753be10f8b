using static Optimizers.Tests.Family.AdamFamilyAssert;

namespace Optimizers.Tests.Family;

public sealed class RAdamTests
{
    [Fact]
    public void Defaults_are_torch_defaults()
    {
        var radam = new RAdam([Theta(1.0)]);

        radam.LearningRate.Should().Be(0.001);
        radam.Beta1.Should().Be(0.9);
        radam.Beta2.Should().Be(0.999);
        radam.Epsilon.Should().Be(1e-8);
        radam.WeightDecay.Should().Be(0);
        radam.Maximize.Should().BeFalse();
        radam.StateNames.Should().Equal("exp_avg", "exp_avg_sq");
    }

    [Fact]
    public void First_two_steps_with_defaults_are_bias_corrected_momentum()
    {
        var theta = Theta(1.0, -0.5);
        var radam = new RAdam([theta]);

        // ρ∞ = 2/(1 − 0.999) − 1 = 1999.  t = 1: ρ₁ = 1999 − 2·1·0.999/0.001 = 1999 − 1998 = 1 ≤ 5, so θ −= α·m/(1 − β₁)
        theta.Feed(0.5, -2.0);
        radam.Step();
        radam.GetState("exp_avg", 0).ShouldBeNear([0.05, -0.2], "m₁");        // 0.1·0.5;  0.1·(−2)
        radam.GetState("exp_avg_sq", 0).ShouldBeNear([0.00025, 0.004], "v₁"); // v is kept up to date while unused
        theta.ShouldBeNear(
            0.9995,   // 1 − 0.001·0.05/0.1 = 1 − 0.0005
            -0.498);  // −0.5 − 0.001·(−0.2)/0.1 = −0.5 + 0.002

        // t = 2: ρ₂ = 1999 − 2·2·0.998001/0.001999 = 1999 − 1997.0005 = 1.9994997 ≤ 5;  α/(1 − β₁²) = 0.001/0.19
        theta.Feed(-0.25, 1.0);
        radam.Step();
        radam.GetState("exp_avg", 0).ShouldBeNear([0.02, -0.08], "m₂");             // 0.9·0.05 + 0.1·(−0.25);  0.9·(−0.2) + 0.1·1
        radam.GetState("exp_avg_sq", 0).ShouldBeNear([0.00031225, 0.004996], "v₂"); // 0.999·0.00025 + 0.001·0.0625;  0.999·0.004 + 0.001
        theta.ShouldBeNear(
            0.99939473684210526316,   // 0.9995 − 0.02/190 = 0.9995 − 0.00010526315789473684
            -0.49757894736842105263); // −0.498 + 0.08/190 = −0.498 + 0.00042105263157894737
    }

    [Fact]
    public void First_two_steps_with_weight_decay_and_maximize()
    {
        var theta = Theta(1.0, -0.5);
        var radam = new RAdam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.5, weightDecay: 0.1, maximize: true);

        // ρ∞ = 2/0.5 − 1 = 3 ≤ 5: never rectified.  t = 1: g = −∇ + λθ;  α/(1 − β₁) = 0.2
        theta.Feed(0.5, -2.0);
        radam.Step();
        radam.GetState("exp_avg", 0).ShouldBeNear(
            [-0.2,    // g = −0.5 + 0.1·1 = −0.4;    m₁ = 0.5·(−0.4)
             0.975],  // g = 2 + 0.1·(−0.5) = 1.95;  m₁ = 0.5·1.95
            "m₁");
        radam.GetState("exp_avg_sq", 0).ShouldBeNear([0.08, 1.90125], "v₁"); // 0.5·0.16;  0.5·3.8025
        theta.ShouldBeNear(
            1.04,     // 1 − 0.2·(−0.2)
            -0.695);  // −0.5 − 0.2·0.975

        // t = 2: α/(1 − β₁²) = 0.1/0.75
        theta.Feed(-0.25, 1.0);
        radam.Step();
        radam.GetState("exp_avg", 0).ShouldBeNear(
            [0.077,     // g = 0.25 + 0.1·1.04 = 0.354;        m₂ = 0.5·(−0.2) + 0.5·0.354 = −0.1 + 0.177
             -0.04725], // g = −1 + 0.1·(−0.695) = −1.0695;    m₂ = 0.5·0.975 + 0.5·(−1.0695) = 0.4875 − 0.53475
            "m₂");
        radam.GetState("exp_avg_sq", 0).ShouldBeNear(
            [0.102658,      // 0.5·0.08 + 0.5·0.125316 = 0.04 + 0.062658
             1.522540125],  // 0.5·1.90125 + 0.5·1.14383025 = 0.950625 + 0.571915125
            "v₂");
        theta.ShouldBeNear(
            1.0297333333333333333, // 1.04 − 0.077/0.75·0.1 = 1.04 − 0.010266666666666667
            -0.6887);              // −0.695 + 0.04725/0.75·0.1 = −0.695 + 0.0063
    }

    [Fact]
    public void Step_six_is_the_first_rectified_step_with_beta2_point_nine()
    {
        var theta = Theta(1.0, -0.5);
        var radam = new RAdam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.9);

        // A constant gradient g makes mₜ = (1 − β₁ᵗ)·g and vₜ = (1 − β₂ᵗ)·g², so m̂ₜ = g.
        // ρ∞ = 2/0.1 − 1 = 19;  ρₜ = 19 − 2t·0.9ᵗ/(1 − 0.9ᵗ) = 1, 1.947, 2.860, 3.737, 4.581 for t = 1..5: plain steps θ −= α·g.
        double[] g = [0.5, -2.0];
        for (int t = 1; t <= 5; t++)
        {
            theta.Feed(g);
            radam.Step();
            theta.ShouldBeNear(1.0 - t * 0.1 * 0.5, -0.5 + t * 0.1 * 2.0);
        }

        theta.ShouldBeNear(0.75, 0.5); // 1 − 5·0.05;  −0.5 + 5·0.2

        // t = 6: 0.9⁶ = 0.531441, 1 − 0.9⁶ = 0.468559;  ρ₆ = 19 − 12·0.531441/0.468559 = 5.3895646012561919 > 5
        //        r₆ = √((ρ₆ − 4)(ρ₆ − 2)·19/(15·17·ρ₆)) = √(1.3895646·3.3895646·19/(255·5.3895646)) = 0.25517680654668650
        //        m₆ = 0.984375·g, v₆ = 0.468559·g²;  adaptive term √0.468559/(√v₆ + ε) = 1/(|g| + ε/0.68451369...)
        theta.Feed(g);
        radam.Step();
        radam.GetState("exp_avg", 0).ShouldBeNear([0.4921875, -1.96875], "m₆");    // 0.984375·0.5;  0.984375·(−2)
        radam.GetState("exp_avg_sq", 0).ShouldBeNear([0.11713975, 1.874236], "v₆"); // 0.468559·0.25;  0.468559·4
        theta.ShouldBeNear(
            0.7244823200909024042,   // 0.75 − 0.1·0.2551768065466865·0.4921875/0.984375 · √0.468559/(√0.11713975 + 1e-8)
            0.5255176804682758826);  // 0.5 − 0.1·0.2551768065466865·(−1.96875)/0.984375 · √0.468559/(√1.874236 + 1e-8)
    }

    [Fact]
    public void With_defaults_the_first_rectified_step_is_step_six()
    {
        var theta = Theta(1.0, -0.5);
        var radam = new RAdam([theta]);

        // ρ₅ = 1999 − 10·0.999⁵/(1 − 0.999⁵) = 4.996 ≤ 5: five plain steps; m̂ₜ = g, so θ −= 0.001·g each.
        double[] g = [0.5, -2.0];
        for (int t = 1; t <= 5; t++)
        {
            theta.Feed(g);
            radam.Step();
        }

        theta.ShouldBeNear(0.9975, -0.49); // 1 − 5·0.0005;  −0.5 + 5·0.002

        // ρ₆ = 1999 − 12·0.999⁶/(1 − 0.999⁶) = 5.9941637516567173 > 5;  r₆ = √(1.99416·3.99416·1999/(1995·1997·5.99416)) = 0.025821112801865216
        theta.Feed(g);
        radam.Step();
        theta.ShouldBeNear(
            0.9974741788938734540,   // 0.9975 − 0.001·0.025821112801865216·0.5/(0.5 + 1e-8/√(1 − 0.999⁶))
            -0.4899741788888669649); // −0.49 − 0.001·0.025821112801865216·(−2)/(2 + 1e-8/√(1 − 0.999⁶))
    }

    [Fact]
    public void With_rho_infinity_at_most_five_it_never_rectifies()
    {
        // β₂ = 0.6: ρ∞ = 2/0.4 − 1 = 4, and ρₜ < ρ∞, so every step is θ −= α·mₜ/(1 − β₁ᵗ).
        const double lr = 0.05, beta1 = 0.8;
        var random = new Random(3);
        var theta = Theta(0.3, -0.7, 1.1);
        var reference = theta.Value.ToArray();
        var m = new double[reference.Length];
        var radam = new RAdam([theta], learningRate: lr, beta1: beta1, beta2: 0.6);

        for (int t = 1; t <= 40; t++)
        {
            var g = reference.Select(_ => random.NextDouble() * 2 - 1).ToArray();
            theta.Feed(g);
            radam.Step();
            double stepSize = lr / (1 - Math.Pow(beta1, t));
            for (int i = 0; i < reference.Length; i++)
            {
                m[i] = m[i] * beta1 + (1 - beta1) * g[i];
                reference[i] -= stepSize * m[i];
            }

            theta.Value.ToArray().Should().Equal(reference, $"step {t}");
        }
    }

    public static TheoryData<string, Func<Parameter, Optimizer<double>>> BadArguments => new()
    {
        { "learningRate", p => new RAdam([p], learningRate: double.NaN) },
        { "beta1", p => new RAdam([p], beta1: 1.0) },
        { "beta1", p => new RAdam([p], beta1: -0.9) },
        { "beta2", p => new RAdam([p], beta2: 1.0) },
        { "beta2", p => new RAdam([p], beta2: -1e-3) },
        { "epsilon", p => new RAdam([p], epsilon: -1e-8) },
        { "epsilon", p => new RAdam([p], epsilon: double.NaN) },
        { "weightDecay", p => new RAdam([p], weightDecay: -1e-4) },
        { "weightDecay", p => new RAdam([p], weightDecay: double.PositiveInfinity) },
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
