using static Optimizers.Tests.Family.HandWorked;

namespace Optimizers.Tests.Family;

public class AdaDeltaTests
{
    [Fact]
    public void Defaults_match_torch()
    {
        var optimizer = new AdaDelta([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(1.0);
        optimizer.Rho.Should().Be(0.9);
        optimizer.Epsilon.Should().Be(1e-6);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("square_avg", "acc_delta");
    }

    [Fact]
    public void Two_steps_with_default_options()
    {
        // γ = 1, ρ = 0.9, ε = 1e-6 inside both roots
        var w = Param("w", 1.0, -2.0);
        var optimizer = new AdaDelta([w]);

        Feed(w, 0.5, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            0.025,                 // v₁ = 0.9·0 + 0.1·0.5² = 0.025
            0.1);                  // v₁ = 0.9·0 + 0.1·(−1)² = 0.1
        // Δ₁ = √(0 + 1e-6)/√(0.025 + 1e-6)·0.5 = 0.00316221441651247…;  Δ₁ = √1e-6/√(0.1 + 1e-6)·(−1) = −0.00316226184889866…
        ShouldBeClose(optimizer.GetState("acc_delta", 0),
            9.9996000159993600e-7, // u₁ = 0.1·0.00316221441651247…² = 9.99960001599936…e-7
            9.9999000009999900e-7);// u₁ = 0.1·0.00316226184889866…² = 9.99990000099999…e-7
        ShouldBeClose(w.ValueSpan,
            0.99683778558348752,   // θ₁ = 1 − 1·0.00316221441651247… = 0.996837785583487520…
            -1.9968377381511013);  // θ₁ = −2 − 1·(−0.00316226184889866…) = −1.996837738151101337…

        Feed(w, 0.5, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            0.0475,                // v₂ = 0.9·0.025 + 0.1·0.25 = 0.0475
            0.19);                 // v₂ = 0.9·0.1 + 0.1·1 = 0.19
        // Δ₂ = √(9.99960001599936e-7 + 1e-6)/√(0.0475 + 1e-6)·0.5 = 0.00324436182846913…
        // Δ₂ = √(9.99990000099999e-7 + 1e-6)/√(0.19 + 1e-6)·(−1) = −0.00324441177370068…
        ShouldBeClose(optimizer.GetState("acc_delta", 0),
            1.9525523688427002e-6, // u₂ = 0.9·9.99960001599936e-7 + 0.1·0.00324436182846913…² = 1.95255236884270024…e-6
            1.9526117758227579e-6);// u₂ = 0.9·9.99990000099999e-7 + 0.1·0.00324441177370068…² = 1.95261177582275787…e-6
        ShouldBeClose(w.ValueSpan,
            0.99359342375501839,   // θ₂ = 0.996837785583487520… − 0.00324436182846913… = 0.993593423755018387…
            -1.9935933263774007);  // θ₂ = −1.996837738151101337… + 0.00324441177370068… = −1.993593326377400658…
    }

    [Fact]
    public void Non_default_options_with_weight_decay_and_maximize()
    {
        // γ = 0.5, ρ = 0.5, ε = 1, λ = 0.5, maximize: g = −∇ + λ·θ
        var w = Param("w", 2.0, -2.0);
        var optimizer = new AdaDelta([w], learningRate: 0.5, rho: 0.5, epsilon: 1, weightDecay: 0.5, maximize: true);

        Feed(w, -3.0, 3.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            8.0,                   // g₁ = 3 + 0.5·2 = 4;        v₁ = 0.5·4² = 8
            8.0);                  // g₁ = −3 + 0.5·(−2) = −4;   v₁ = 0.5·(−4)² = 8
        ShouldBeClose(optimizer.GetState("acc_delta", 0),
            0.88888888888888889,   // Δ₁ = √(0 + 1)/√(8 + 1)·4 = 4/3;   u₁ = 0.5·(4/3)² = 8/9
            0.88888888888888889);  // Δ₁ = −4/3;                         u₁ = 8/9
        ShouldBeClose(w.ValueSpan,
            1.3333333333333333,    // θ₁ = 2 − 0.5·4/3 = 4/3
            -1.3333333333333333);  // θ₁ = −2 + 0.5·4/3 = −4/3

        Feed(w, -3.0, 3.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            10.722222222222222,    // g₂ = 3 + 0.5·4/3 = 11/3;   v₂ = 0.5·8 + 0.5·(11/3)² = 4 + 121/18 = 193/18
            10.722222222222222);   // g₂ = −11/3;                 v₂ = 193/18
        ShouldBeClose(optimizer.GetState("acc_delta", 0),
            1.5276461295418641,    // Δ₂ = √(8/9 + 1)/√(193/18 + 1)·11/3 = 1.47187070430620344…;  u₂ = 0.5·8/9 + 0.5·Δ₂² = 1.52764612954186413…
            1.5276461295418641);   // Δ₂ = −1.47187070430620344…;                                      u₂ the same
        ShouldBeClose(w.ValueSpan,
            0.59739798118023161,   // θ₂ = 4/3 − 0.5·1.47187070430620344… = 0.597397981180231608…
            -0.59739798118023161); // θ₂ = −4/3 + 0.5·1.47187070430620344…
    }

    [Fact]
    public void Learning_rate_scales_the_step_but_not_the_accumulators()
    {
        // as Two_steps_with_default_options, but LearningRate = 0 before step 2: θ stays, v and u still advance
        var w = Param("w", 1.0, -2.0);
        var optimizer = new AdaDelta([w]);
        Feed(w, 0.5, -1.0);
        optimizer.Step();

        optimizer.LearningRate = 0;
        Feed(w, 0.5, -1.0);
        optimizer.Step();
        ShouldBeClose(w.ValueSpan, 0.99683778558348752, -1.9968377381511013);          // θ₂ = θ₁
        ShouldBeClose(optimizer.GetState("acc_delta", 0), 1.9525523688427002e-6, 1.9526117758227579e-6); // u₂ as with γ = 1
    }

    public static TheoryData<string, double> BadArguments => new()
    {
        { "learningRate", -1.0 }, { "learningRate", double.NaN }, { "learningRate", double.PositiveInfinity },
        { "rho", -0.1 }, { "rho", 1.0 }, { "rho", double.NaN },
        { "epsilon", 0.0 }, { "epsilon", -1e-6 }, { "epsilon", double.NaN }, { "epsilon", double.PositiveInfinity },
        { "weightDecay", -1e-3 }, { "weightDecay", double.NaN }, { "weightDecay", double.PositiveInfinity },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Invalid_hyperparameter_throws_naming_the_argument(string argument, double value)
    {
        var w = Param("w", 1.0, 2.0);
        var create = () => argument switch
        {
            "learningRate" => new AdaDelta([w], learningRate: value),
            "rho" => new AdaDelta([w], rho: value),
            "epsilon" => new AdaDelta([w], epsilon: value),
            "weightDecay" => new AdaDelta([w], weightDecay: value),
            _ => throw new ArgumentException($"unknown argument {argument}"),
        };

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(argument);
        Values(w).Should().Equal(1.0, 2.0);
    }
}
