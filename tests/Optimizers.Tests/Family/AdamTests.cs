using System.Numerics;
using static Optimizers.Tests.Family.AdamFamilyAssert;

namespace Optimizers.Tests.Family;

public sealed class AdamTests
{
    [Fact]
    public void Defaults_are_torch_defaults()
    {
        var adam = new Adam([Theta(1.0)]);

        adam.LearningRate.Should().Be(0.001);
        adam.Beta1.Should().Be(0.9);
        adam.Beta2.Should().Be(0.999);
        adam.Epsilon.Should().Be(1e-8);
        adam.WeightDecay.Should().Be(0);
        adam.AmsGrad.Should().BeFalse();
        adam.Maximize.Should().BeFalse();
        adam.StateNames.Should().Equal("exp_avg", "exp_avg_sq");
    }

    [Fact]
    public void First_two_steps_with_defaults()
    {
        var theta = Theta(1.0, -0.5);
        var adam = new Adam([theta]);

        // t = 1: 1 − β₁ = 0.1, 1 − β₂ = 0.001, α/(1 − β₁) = 0.001/0.1 = 0.01
        theta.Feed(0.5, -2.0);
        adam.Step();
        adam.GetState("exp_avg", 0).ShouldBeNear(
            [0.05,    // m₁ = 0.9·0 + 0.1·0.5 = 0.05
             -0.2],   // m₁ = 0.9·0 + 0.1·(−2) = −0.2
            "m₁");
        adam.GetState("exp_avg_sq", 0).ShouldBeNear(
            [0.00025, // v₁ = 0.999·0 + 0.001·0.25 = 0.00025
             0.004],  // v₁ = 0.999·0 + 0.001·4 = 0.004
            "v₁");
        theta.ShouldBeNear(
            0.9990000000199999996,    // √v₁/√0.001 + ε = 0.5 + 1e-8;  1 − 0.01·0.05/0.50000001 = 1 − 0.00099999998
            -0.4990000000049999999);  // √v₁/√0.001 + ε = 2 + 1e-8;    −0.5 − 0.01·(−0.2)/2.00000001 = −0.5 + 0.000999999995

        // t = 2: 1 − β₁² = 0.19, 1 − β₂² = 0.001999, α/0.19 = 0.0052631578947368421
        theta.Feed(-0.25, 1.0);
        adam.Step();
        adam.GetState("exp_avg", 0).ShouldBeNear(
            [0.02,    // m₂ = 0.9·0.05 + 0.1·(−0.25) = 0.045 − 0.025 = 0.02
             -0.08],  // m₂ = 0.9·(−0.2) + 0.1·1 = −0.18 + 0.1 = −0.08
            "m₂");
        adam.GetState("exp_avg_sq", 0).ShouldBeNear(
            [0.00031225, // v₂ = 0.999·0.00025 + 0.001·0.0625 = 0.00024975 + 0.0000625 = 0.00031225
             0.004996],  // v₂ = 0.999·0.004 + 0.001·1 = 0.003996 + 0.001 = 0.004996
            "v₂");
        theta.ShouldBeNear(
            // √0.00031225/√0.001999 + ε = 0.39522538070166418 + 1e-8;  0.0052631578947368421·0.02/0.39522539070166418 = 0.00026633703292153797
            0.9987336629870784616,   // 0.99900000002 − 0.00026633703292153797
            // √0.004996/√0.001999 + ε = 1.5809015228066567 + 1e-8;  0.0052631578947368421·(−0.08)/1.5809015328066567 = −0.00026633703797568640
            -0.4987336629670243136); // −0.499000000005 + 0.00026633703797568640
    }

    [Fact]
    public void First_two_steps_with_amsgrad_normalise_by_the_maximum_of_the_raw_second_moment()
    {
        var theta = Theta(1.0, -0.5);
        var adam = new Adam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.5, amsgrad: true);
        adam.StateNames.Should().Equal("exp_avg", "exp_avg_sq", "max_exp_avg_sq");

        // t = 1: 1 − β₁ = 1 − β₂ = 0.5, α/(1 − β₁) = 0.2
        theta.Feed(2.0, -1.0);
        adam.Step();
        adam.GetState("exp_avg", 0).ShouldBeNear([1.0, -0.5], "m₁");     // 0.5·2 = 1;  0.5·(−1) = −0.5
        adam.GetState("exp_avg_sq", 0).ShouldBeNear([2.0, 0.5], "v₁");   // 0.5·4 = 2;  0.5·1 = 0.5
        adam.GetState("max_exp_avg_sq", 0).ShouldBeNear([2.0, 0.5], "vmax₁"); // max(0, 2) = 2;  max(0, 0.5) = 0.5
        theta.ShouldBeNear(
            0.9000000004999999975,   // √2/√0.5 + ε = 2 + 1e-8;  1 − 0.2·1/2.00000001 = 1 − 0.0999999995
            -0.4000000009999999900); // √0.5/√0.5 + ε = 1 + 1e-8;  −0.5 − 0.2·(−0.5)/1.00000001 = −0.5 + 0.099999999

        // t = 2: 1 − β₁² = 1 − β₂² = 0.75, α/0.75 = 0.13333333333333333
        theta.Feed(0.5, 2.0);
        adam.Step();
        adam.GetState("exp_avg", 0).ShouldBeNear([0.75, 0.75], "m₂");     // 0.5·1 + 0.5·0.5 = 0.75;  0.5·(−0.5) + 0.5·2 = 0.75
        adam.GetState("exp_avg_sq", 0).ShouldBeNear([1.125, 2.25], "v₂"); // 0.5·2 + 0.5·0.25 = 1.125;  0.5·0.5 + 0.5·4 = 2.25
        adam.GetState("max_exp_avg_sq", 0).ShouldBeNear(
            [2.0,   // max(2, 1.125) = 2: the second moment fell, the maximum keeps the old one
             2.25], // max(0.5, 2.25) = 2.25
            "vmax₂");
        theta.ShouldBeNear(
            // √2/√0.75 + ε = 1.6329931618554521 + 1e-8;  0.13333333333333333·0.75/1.6329931718554521 = 0.061237243194579455
            0.8387627573054205427,   // 0.9000000005 − 0.061237243194579455 (without AMSGrad √1.125/√0.75 = 1.2247 would be used)
            // √2.25/√0.75 + ε = 1.7320508075688773 + 1e-8;  0.1/1.7320508175688773 = 0.057735026585629245
            -0.4577350275856292350); // −0.400000001 − 0.057735026585629245
    }

    [Fact]
    public void First_two_steps_with_weight_decay_maximize_and_a_learning_rate_change()
    {
        var theta = Theta(1.0, -0.5);
        var adam = new Adam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.5, weightDecay: 0.1, maximize: true);

        // t = 1: g = −∇ + λθ;  α/(1 − β₁) = 0.1/0.5 = 0.2, √(1 − β₂) = √0.5
        theta.Feed(0.5, -2.0);
        adam.Step();
        adam.GetState("exp_avg", 0).ShouldBeNear(
            [-0.2,    // g = −0.5 + 0.1·1 = −0.4;      m₁ = 0.5·(−0.4) = −0.2
             0.975],  // g = 2 + 0.1·(−0.5) = 1.95;    m₁ = 0.5·1.95 = 0.975
            "m₁");
        adam.GetState("exp_avg_sq", 0).ShouldBeNear(
            [0.08,     // 0.5·0.16 = 0.08
             1.90125], // 0.5·3.8025 = 1.90125
            "v₁");
        theta.ShouldBeNear(
            1.0999999975000000625,   // √0.08/√0.5 + ε = 0.40000001;  1 − 0.2·(−0.2)/0.40000001 = 1 + 0.0999999975000000625
            -0.5999999994871794898); // √1.90125/√0.5 + ε = 1.95000001;  −0.5 − 0.2·0.975/1.95000001 = −0.5 − 0.099999999487179490

        // t = 2 with α changed to 0.05: the new α scales this step only; α/(1 − β₁²) = 0.05/0.75 = 0.066666666666666667
        adam.LearningRate = 0.05;
        theta.Feed(-0.25, 1.0);
        adam.Step();
        adam.GetState("exp_avg", 0).ShouldBeNear(
            [0.079999999875000003125,  // g = 0.25 + 0.1·1.0999999975 = 0.35999999975;  m₂ = 0.5·(−0.2) + 0.5·0.35999999975
             -0.04249999997435897449], // g = −1 + 0.1·(−0.59999999948717949) = −1.0599999999487179;  m₂ = 0.5·0.975 + 0.5·(−1.0599999999487179)
            "m₂");
        adam.GetState("exp_avg_sq", 0).ShouldBeNear(
            [0.10479999991000000228,  // 0.5·0.08 + 0.5·0.35999999975² = 0.04 + 0.06479999991
             1.5124249999456410259],  // 0.5·1.90125 + 0.5·1.0599999999487179² = 0.950625 + 0.56179999994564103
            "v₂");
        theta.ShouldBeNear(
            // √0.10479999991/√0.75 + ε = 0.37380923034285529;  0.066666666666666667·0.079999999875/0.37380923034285529 = 0.014267527102282368
            1.0857324703977176949,   // 1.0999999975000000625 − 0.014267527102282368
            // √1.5124249999456410/√0.75 + ε = 1.4200586942078703;  0.066666666666666667·(−0.042499999974358974)/1.4200586942078703 = −0.0019952226926820139
            -0.5980047767944974759); // −0.59999999948717949 + 0.0019952226926820139
    }

    [Fact]
    public void Without_amsgrad_there_is_no_max_state()
    {
        var adam = new Adam([Theta(1.0)]);

        var read = () => adam.GetState("max_exp_avg_sq", 0).ToArray();

        read.Should().Throw<KeyNotFoundException>().WithMessage("*max_exp_avg_sq*");
    }

    [Fact]
    public void With_beta1_zero_it_is_a_bias_corrected_rms_step()
    {
        // β₁ = 0 makes m = g and 1 − β₁ᵗ = 1, leaving θ ← θ − α·g/(√v/√(1 − β₂ᵗ) + ε) with v = β₂v + (1 − β₂)g²
        // (the kernel multiplies numerator and denominator by c = √(1 − β₂ᵗ), α·c and ε·c formed once per step: see AdamKernel).
        const double lr = 0.01, beta2 = 0.99, eps = 1e-8;
        var random = new Random(7);
        var theta = Theta(Enumerable.Range(0, 11).Select(_ => random.NextDouble() * 2 - 1).ToArray());
        var reference = theta.Value.ToArray();
        var v = new double[reference.Length];
        var adam = new Adam([theta], learningRate: lr, beta1: 0, beta2: beta2, epsilon: eps);

        for (int t = 1; t <= 50; t++)
        {
            var g = reference.Select(_ => (random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 3))).ToArray();
            theta.Feed(g);
            adam.Step();
            double correction = Math.Sqrt(1 - Math.Pow(beta2, t));
            for (int i = 0; i < reference.Length; i++)
            {
                v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i];
                reference[i] -= lr * correction * g[i] / (Math.Sqrt(v[i]) + eps * correction);
            }

            theta.Value.ToArray().Should().Equal(reference, $"step {t}");
        }
    }

    [Fact]
    public void A_zero_gradient_from_a_fresh_state_changes_nothing()
    {
        var theta = Theta(1.0, -2.0, 3.0);
        var adam = new Adam([theta], amsgrad: true);

        adam.Step();

        theta.Value.ToArray().Should().Equal(1.0, -2.0, 3.0);
    }

    public static TheoryData<string, Func<Parameter, Optimizer<double>>> BadArguments => new()
    {
        { "learningRate", p => new Adam([p], learningRate: -1e-3) },
        { "learningRate", p => new Adam([p], learningRate: double.NaN) },
        { "beta1", p => new Adam([p], beta1: -0.1) },
        { "beta1", p => new Adam([p], beta1: 1.0) },
        { "beta1", p => new Adam([p], beta1: double.NaN) },
        { "beta2", p => new Adam([p], beta2: -0.1) },
        { "beta2", p => new Adam([p], beta2: 1.0) },
        { "beta2", p => new Adam([p], beta2: double.PositiveInfinity) },
        { "epsilon", p => new Adam([p], epsilon: -1e-8) },
        { "epsilon", p => new Adam([p], epsilon: double.NaN) },
        { "epsilon", p => new Adam([p], epsilon: double.PositiveInfinity) },
        { "weightDecay", p => new Adam([p], weightDecay: -0.1) },
        { "weightDecay", p => new Adam([p], weightDecay: double.NaN) },
        { "weightDecay", p => new Adam([p], weightDecay: double.PositiveInfinity) },
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

/// <summary><c>Adam(decoupledWeightDecay: true)</c> is AdamW, as torch's <c>Adam(decoupled_weight_decay=True)</c>.</summary>
public abstract class AdamDecoupledWeightDecayTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Adam_with_decoupled_weight_decay_equals_AdamW_bit_for_bit(bool amsgrad, bool maximize)
    {
        var random = new Random(17);
        double[] start = Enumerable.Range(0, 37).Select(_ => 4 * random.NextDouble() - 2).ToArray();
        var a = new Parameter<T>("a", start.Select(T.CreateTruncating).ToArray());
        var b = new Parameter<T>("b", start.Select(T.CreateTruncating).ToArray());
        var adam = new Adam<T>([a], 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.3, amsgrad, maximize, decoupledWeightDecay: true);
        var adamW = new AdamW<T>([b], 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.3, amsgrad, maximize);

        for (int t = 1; t <= 50; t++)
        {
            double rate = 0.01 * (1 + Math.Sin(t));   // a schedule: the decay factor 1 − α·λ follows α in both
            adam.LearningRate = adamW.LearningRate = rate;
            for (int i = 0; i < start.Length; i++)
            {
                a.Gradient[i] = b.Gradient[i] = T.CreateTruncating(Math.Pow(10, 3 * random.NextDouble() - 2) * (random.NextDouble() - 0.5));
            }

            adam.Step();
            adamW.Step();
        }

        a.Value.ToArray().Should().Equal(b.Value.ToArray());
        foreach (var name in adamW.StateNames)
        {
            adam.GetState(name, 0).ToArray().Should().Equal(adamW.GetState(name, 0).ToArray(), name);
        }

        adam.DecoupledWeightDecay.Should().BeTrue();
        adam.Hyperparameters.Should().Contain(new KeyValuePair<string, double>("decoupled_weight_decay", 1));
    }

    [Fact]
    public void Without_it_weight_decay_is_an_L2_penalty_and_no_hyperparameter_is_recorded()
    {
        var a = new Parameter<T>("a", [T.One]);
        var b = new Parameter<T>("b", [T.One]);
        var coupled = new Adam<T>([a], 0.1, weightDecay: 0.5);
        var decoupled = new Adam<T>([b], 0.1, weightDecay: 0.5, decoupledWeightDecay: true);
        a.Gradient[0] = b.Gradient[0] = T.One;
        coupled.Step();
        decoupled.Step();

        coupled.DecoupledWeightDecay.Should().BeFalse();
        coupled.Hyperparameters.Select(h => h.Key).Should().NotContain("decoupled_weight_decay");
        // L2: g = 1 + 0.5·1 = 1.5, m̂/√v̂ = 1, θ = 1 − 0.1 = 0.9; decoupled: θ = 1·(1 − 0.05) − 0.1 = 0.85
        double.CreateTruncating(a.Value[0]).Should().BeApproximately(0.9, 1e-6);
        double.CreateTruncating(b.Value[0]).Should().BeApproximately(0.85, 1e-6);
    }
}

public sealed class AdamDecoupledWeightDecayTests_Double : AdamDecoupledWeightDecayTests<double>;

public sealed class AdamDecoupledWeightDecayTests_Single : AdamDecoupledWeightDecayTests<float>;
