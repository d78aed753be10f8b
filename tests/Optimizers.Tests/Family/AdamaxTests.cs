using static Optimizers.Tests.Family.HandWorked;

namespace Optimizers.Tests.Family;

public class AdamaxTests
{
    [Fact]
    public void Defaults_match_torch()
    {
        var optimizer = new Adamax([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(0.002);
        optimizer.Beta1.Should().Be(0.9);
        optimizer.Beta2.Should().Be(0.999);
        optimizer.Epsilon.Should().Be(1e-8);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("exp_avg", "exp_inf");
    }

    [Fact]
    public void Two_steps_with_default_options()
    {
        // γ = 0.002, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 inside the maximum
        var w = Param("w", 1.0, -2.0);
        var optimizer = new Adamax([w]);

        Feed(w, 0.5, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("exp_avg", 0),
            0.05,                  // m₁ = 0.9·0 + 0.1·0.5 = 0.05
            -0.1);                 // m₁ = 0.9·0 + 0.1·(−1) = −0.1
        ShouldBeClose(optimizer.GetState("exp_inf", 0),
            0.50000001,            // u₁ = max(0.999·0, |0.5| + 1e-8) = 0.50000001
            1.00000001);           // u₁ = max(0.999·0, |−1| + 1e-8) = 1.00000001
        ShouldBeClose(w.ValueSpan,
            0.99800000003999999,   // γ/(1 − 0.9¹) = 0.02;  θ₁ = 1 − 0.02·0.05/0.50000001 = 0.998000000039999999…
            -1.9980000000200000);  // θ₁ = −2 − 0.02·(−0.1)/1.00000001 = −1.998000000019999999…

        Feed(w, 0.25, -2.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("exp_avg", 0),
            0.07,                  // m₂ = 0.9·0.05 + 0.1·0.25 = 0.07
            -0.29);                // m₂ = 0.9·(−0.1) + 0.1·(−2) = −0.29
        ShouldBeClose(optimizer.GetState("exp_inf", 0),
            0.49950000999,         // u₂ = max(0.999·0.50000001, 0.25 + 1e-8) = 0.49950000999 (the decayed norm wins)
            2.00000001);           // u₂ = max(0.999·1.00000001, 2 + 1e-8) = 2.00000001
        ShouldBeClose(w.ValueSpan,
            0.99652484069960697,   // γ/(1 − 0.9²) = 0.002/0.19 = 0.0105263157894736842…;  θ₂ = θ₁ − 0.0105263…·0.07/0.49950000999 = 0.996524840699606974…
            -1.9964736842381579);  // θ₂ = θ₁ − 0.0105263…·(−0.29)/2.00000001 = −1.996473684238157894…
    }

    [Fact]
    public void Non_default_options_with_weight_decay_and_maximize()
    {
        // γ = 0.1, β₁ = 0.25, β₂ = 0.5, ε = 0, λ = 0.5, maximize: g = −∇ + λ·θ.
        // The lerp weight 1 − β₁ = 0.75 takes torch's other branch: m = g − (g − m)·(1 − 0.75).
        var w = Param("w", 2.0, -2.0);
        var optimizer = new Adamax([w], learningRate: 0.1, beta1: 0.25, beta2: 0.5, epsilon: 0, weightDecay: 0.5,
                                   maximize: true);

        Feed(w, -1.0, 3.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("exp_avg", 0),
            1.5,                   // g₁ = 1 + 0.5·2 = 2;        m₁ = 2 − (2 − 0)·0.25 = 1.5
            -3.0);                 // g₁ = −3 + 0.5·(−2) = −4;   m₁ = −4 − (−4 − 0)·0.25 = −3
        ShouldBeClose(optimizer.GetState("exp_inf", 0),
            2.0,                   // u₁ = max(0.5·0, |2|) = 2
            4.0);                  // u₁ = max(0.5·0, |−4|) = 4
        ShouldBeClose(w.ValueSpan,
            1.9,                   // γ/(1 − 0.25) = 0.1333…;  θ₁ = 2 − 0.1333…·1.5/2 = 2 − 0.1 = 1.9
            -1.9);                 // θ₁ = −2 − 0.1333…·(−3)/4 = −2 + 0.1 = −1.9

        Feed(w, 0.0, 0.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("exp_avg", 0),
            1.0875,                // g₂ = −0 + 0.5·1.9 = 0.95;       m₂ = 0.95 − (0.95 − 1.5)·0.25 = 1.0875
            -1.4625);              // g₂ = −0 + 0.5·(−1.9) = −0.95;   m₂ = −0.95 − (−0.95 + 3)·0.25 = −1.4625
        ShouldBeClose(optimizer.GetState("exp_inf", 0),
            1.0,                   // u₂ = max(0.5·2, 0.95) = 1
            2.0);                  // u₂ = max(0.5·4, 0.95) = 2
        ShouldBeClose(w.ValueSpan,
            1.784,                 // γ/(1 − 0.25²) = 0.1/0.9375 = 0.10666…;  θ₂ = 1.9 − 0.10666…·1.0875/1 = 1.9 − 0.116 = 1.784
            -1.822);               // θ₂ = −1.9 − 0.10666…·(−1.4625)/2 = −1.9 + 0.078 = −1.822
    }

    [Fact]
    public void Bias_correction_uses_the_current_learning_rate()
    {
        // as Two_steps_with_default_options, but LearningRate = 0.004 before step 2: γ/(1 − 0.9²) = 0.004/0.19
        var w = Param("w", 1.0, -2.0);
        var optimizer = new Adamax([w]);
        Feed(w, 0.5, -1.0);
        optimizer.Step();

        optimizer.LearningRate = 0.004;
        Feed(w, 0.25, -2.0);
        optimizer.Step();
        ShouldBeClose(w.ValueSpan,
            0.99504968135921395,   // θ₂ = 0.998000000039999999… − (0.004/0.19)·0.07/0.49950000999 = 0.995049681359213948…
            -1.9949473684563158);  // θ₂ = −1.998000000019999999… + (0.004/0.19)·0.29/2.00000001 = −1.994947368456315789…
    }

    public static TheoryData<string, double> BadArguments => new()
    {
        { "learningRate", -0.002 }, { "learningRate", double.NaN }, { "learningRate", double.PositiveInfinity },
        { "beta1", -0.1 }, { "beta1", 1.0 }, { "beta1", double.NaN },
        { "beta2", -0.1 }, { "beta2", 1.0 }, { "beta2", double.NaN },
        { "epsilon", -1e-8 }, { "epsilon", double.NaN }, { "epsilon", double.PositiveInfinity },
        { "weightDecay", -1e-3 }, { "weightDecay", double.NaN }, { "weightDecay", double.PositiveInfinity },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Invalid_hyperparameter_throws_naming_the_argument(string argument, double value)
    {
        var w = Param("w", 1.0, 2.0);
        var create = () => argument switch
        {
            "learningRate" => new Adamax([w], learningRate: value),
            "beta1" => new Adamax([w], beta1: value),
            "beta2" => new Adamax([w], beta2: value),
            "epsilon" => new Adamax([w], epsilon: value),
            "weightDecay" => new Adamax([w], weightDecay: value),
            _ => throw new ArgumentException($"unknown argument {argument}"),
        };

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(argument);
        Values(w).Should().Equal(1.0, 2.0);
    }
}
