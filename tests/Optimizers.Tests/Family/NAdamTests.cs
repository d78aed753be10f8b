using static Optimizers.Tests.Family.AdamFamilyAssert;

namespace Optimizers.Tests.Family;

public sealed class NAdamTests
{
    [Fact]
    public void Defaults_are_torch_defaults()
    {
        var nadam = new NAdam([Theta(1.0)]);

        nadam.LearningRate.Should().Be(0.002);
        nadam.Beta1.Should().Be(0.9);
        nadam.Beta2.Should().Be(0.999);
        nadam.Epsilon.Should().Be(1e-8);
        nadam.WeightDecay.Should().Be(0);
        nadam.MomentumDecay.Should().Be(0.004);
        nadam.Maximize.Should().BeFalse();
        nadam.StateNames.Should().Equal("exp_avg", "exp_avg_sq", "mu_product");
        nadam.GetScalarState("mu_product", 0).Should().Be(1.0);
    }

    [Fact]
    public void First_two_steps_with_defaults()
    {
        var theta = Theta(1.0, -0.5);
        var nadam = new NAdam([theta]);

        // t = 1: 0.96^(1·0.004) = 0.99983672535267528;  μ₁ = 0.9·(1 − 0.5·0.99983672535267528) = 0.45007347359129612
        //        0.96^(2·0.004) = 0.99967347736396102;  μ₂ = 0.9·(1 − 0.5·0.99967347736396102) = 0.45014693518621754
        //        Π₁ = 1·μ₁ = 0.45007347359129612
        //        a = α(1 − μ₁)/(1 − Π₁) = 0.002·0.54992652640870388/0.54992652640870388 = 0.002
        //        b = α·μ₂/(1 − Π₁·μ₂) = 0.002·0.45014693518621754/(1 − 0.20259919474573697) = 0.0011290355671077647
        theta.Feed(0.5, -2.0);
        nadam.Step();
        nadam.GetScalarState("mu_product", 0).ShouldBeNear(0.45007347359129612471, "Π₁");
        nadam.GetState("exp_avg", 0).ShouldBeNear([0.05, -0.2], "m₁");        // 0.1·0.5;  0.1·(−2)
        nadam.GetState("exp_avg_sq", 0).ShouldBeNear([0.00025, 0.004], "v₁"); // 0.001·0.25;  0.001·4
        theta.ShouldBeNear(
            // d = √(0.00025/0.001) + ε = 0.50000001;  a·g/d = 0.0019999999600000008;  b·m/d = 0.00011290355445270538
            0.9978870964855472938,   // 1 − 0.0019999999600000008 − 0.00011290355445270538
            // d = √(0.004/0.001) + ε = 2.00000001;  a·g/d = −0.00199999999;  b·m/d = −0.00011290355614625869
            -0.4978870964538537413); // −0.5 + 0.00199999999 + 0.00011290355614625869

        // t = 2: μ₂ = 0.45014693518621754 (as above);  0.96^(3·0.004) = 0.99951024;  μ₃ = 0.45022038478672296
        //        Π₂ = Π₁·μ₂ = 0.45007347359129612·0.45014693518621754 = 0.20259919474573697
        //        a = 0.002·(1 − 0.45014693518621754)/(1 − 0.20259919474573697) = 0.0013791133923885459
        //        b = 0.002·0.45022038478672296/(1 − 0.20259919474573697·0.45022038478672296) = 0.00099081747996794572
        //        1 − β₂² = 0.001999
        theta.Feed(-0.25, 1.0);
        nadam.Step();
        nadam.GetScalarState("mu_product", 0).ShouldBeNear(0.20259919474573696958, "Π₂");
        nadam.GetState("exp_avg", 0).ShouldBeNear([0.02, -0.08], "m₂");             // 0.9·0.05 + 0.1·(−0.25);  0.9·(−0.2) + 0.1·1
        nadam.GetState("exp_avg_sq", 0).ShouldBeNear([0.00031225, 0.004996], "v₂"); // 0.999·0.00025 + 0.001·0.0625;  0.999·0.004 + 0.001·1
        theta.ShouldBeNear(
            // d = √(0.00031225/0.001999) + ε = 0.39522539070166418;  a·g/d = −0.00087235880135391490;  b·m/d = 0.000050139363678477030
            0.9987093159232227317,   // 0.99788709648554729 + 0.00087235880135391490 − 0.000050139363678477030
            // d = √(0.004996/0.001999) + ε = 1.5809015328066567;  a·g/d = 0.00087235881790824387;  b·m/d = −0.000050139364629947365
            -0.4987093159071320378); // −0.49788709645385374 − 0.00087235881790824387 + 0.000050139364629947365
    }

    [Fact]
    public void First_two_steps_with_momentum_decay_one_weight_decay_and_maximize()
    {
        var theta = Theta(1.0, -0.5);
        var nadam = new NAdam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.5, weightDecay: 0.1,
                              momentumDecay: 1.0, maximize: true);

        // ψ = 1: μₜ = 0.5·(1 − 0.5·0.96ᵗ):  μ₁ = 0.5·0.52 = 0.26,  μ₂ = 0.5·(1 − 0.4608) = 0.2696,  μ₃ = 0.5·(1 − 0.442368) = 0.278816
        // t = 1: Π₁ = 0.26;  a = 0.1·0.74/0.74 = 0.1;  b = 0.1·0.2696/(1 − 0.26·0.2696) = 0.02696/0.929904 = 0.028992240059188906
        //        g = −∇ + λθ;  1 − β₂ = 0.5
        theta.Feed(0.5, -2.0);
        nadam.Step();
        nadam.GetScalarState("mu_product", 0).ShouldBeNear(0.26, "Π₁");
        nadam.GetState("exp_avg", 0).ShouldBeNear(
            [-0.2,    // g = −0.5 + 0.1·1 = −0.4;     m₁ = 0.5·(−0.4)
             0.975],  // g = 2 + 0.1·(−0.5) = 1.95;   m₁ = 0.5·1.95
            "m₁");
        nadam.GetState("exp_avg_sq", 0).ShouldBeNear([0.08, 1.90125], "v₁"); // 0.5·0.16;  0.5·3.8025
        theta.ShouldBeNear(
            // d = √(0.08/0.5) + ε = 0.40000001;  a·g/d = −0.099999997500000063;  b·m/d = −0.014496119667191461
            1.1144961171671915236,   // 1 + 0.099999997500000063 + 0.014496119667191461
            // d = √(1.90125/0.5) + ε = 1.95000001;  a·g/d = 0.099999999487179490;  b·m/d = 0.014496119955255376
            -0.6144961194424348659); // −0.5 − 0.099999999487179490 − 0.014496119955255376

        // t = 2: Π₂ = 0.26·0.2696 = 0.070096 (each μ enters the product once)
        //        a = 0.1·(1 − 0.2696)/(1 − 0.070096) = 0.07304/0.929904 = 0.078545742356200210
        //        b = 0.1·0.278816/(1 − 0.070096·0.278816) = 0.0278816/0.980456113664 = 0.028437376861066684
        //        1 − β₂² = 0.75
        theta.Feed(-0.25, 1.0);
        nadam.Step();
        nadam.GetScalarState("mu_product", 0).ShouldBeNear(0.070096, "Π₂");
        nadam.GetState("exp_avg", 0).ShouldBeNear(
            [0.080724805858359576179,  // g = 0.25 + 0.1·1.1144961171671915 = 0.36144961171671915;  m₂ = 0.5·(−0.2) + 0.5·0.36144961171671915
             -0.04322480597212174329], // g = −1 + 0.1·(−0.61449611944243487) = −1.0614496119442435;  m₂ = 0.5·0.975 + 0.5·(−1.0614496119442435)
            "m₂");
        nadam.GetState("exp_avg_sq", 0).ShouldBeNear(
            [0.10532291090508351957,  // 0.5·0.08 + 0.5·0.36144961171671915²
             1.5139626393482925425],  // 0.5·1.90125 + 0.5·1.0614496119442435²
            "v₂");
        theta.ShouldBeNear(
            // d = √(0.10532291090508352/0.75) + ε = 0.37474065080833919;  a·g/d = 0.075759936946819890;  b·m/d = 0.0061258412218659954
            1.0326103389985056382,   // 1.1144961171671915 − 0.075759936946819890 − 0.0061258412218659954
            // d = √(1.5139626393482925/0.75) + ε = 1.4207803774264330;  a·g/d = −0.058680672304103666;  b·m/d = −0.00086515841343632221
            -0.5549502887248948780); // −0.61449611944243487 + 0.058680672304103666 + 0.00086515841343632221
    }

    [Fact]
    public void The_product_of_mu_is_kept_per_parameter_and_multiplies_each_mu_once()
    {
        var a = Theta(1.0);
        var b = Theta(2.0, 3.0);
        var nadam = new NAdam([a, b], beta1: 0.5, momentumDecay: 1.0);

        for (int t = 0; t < 3; t++)
        {
            nadam.Step();
        }

        // μ₁μ₂μ₃ = 0.26·0.2696·0.278816 = 0.019543886336 (PyTorch 1.13's default path would give a different number).
        nadam.GetScalarState("mu_product", 0).ShouldBeNear(0.019543886336, "Π₃ of a");
        nadam.GetScalarState("mu_product", 1).ShouldBeNear(0.019543886336, "Π₃ of b");
    }

    public static TheoryData<string, Func<Parameter, Optimizer<double>>> BadArguments => new()
    {
        { "learningRate", p => new NAdam([p], learningRate: -0.002) },
        { "beta1", p => new NAdam([p], beta1: -0.5) },
        { "beta1", p => new NAdam([p], beta1: 1.0) },
        { "beta2", p => new NAdam([p], beta2: 1.0) },
        { "beta2", p => new NAdam([p], beta2: double.NaN) },
        { "epsilon", p => new NAdam([p], epsilon: -1e-8) },
        { "epsilon", p => new NAdam([p], epsilon: double.PositiveInfinity) },
        { "weightDecay", p => new NAdam([p], weightDecay: -1) },
        { "weightDecay", p => new NAdam([p], weightDecay: double.NaN) },
        { "momentumDecay", p => new NAdam([p], momentumDecay: -0.004) },
        { "momentumDecay", p => new NAdam([p], momentumDecay: double.NaN) },
        { "momentumDecay", p => new NAdam([p], momentumDecay: double.PositiveInfinity) },
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
