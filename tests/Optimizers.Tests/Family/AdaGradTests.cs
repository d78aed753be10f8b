using static Optimizers.Tests.Family.HandWorked;

namespace Optimizers.Tests.Family;

public class AdaGradTests
{
    [Fact]
    public void Defaults_match_torch()
    {
        var optimizer = new AdaGrad([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(0.01);
        optimizer.LearningRateDecay.Should().Be(0);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.InitialAccumulatorValue.Should().Be(0);
        optimizer.Epsilon.Should().Be(1e-10);
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("sum");
    }

    [Fact]
    public void Two_steps_with_default_options()
    {
        // γ = 0.01, η = 0, λ = 0, s₀ = 0, ε = 1e-10
        var w = Param("w", 1.0, -2.0);
        var optimizer = new AdaGrad([w]);

        Feed(w, 3.0, -4.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("sum", 0),
            9.0,                   // s₁ = 0 + 3² = 9
            16.0);                 // s₁ = 0 + (−4)² = 16
        ShouldBeClose(w.ValueSpan,
            0.99000000000033333,   // θ₁ = 1 − 0.01·3/(√9 + 1e-10) = 1 − 0.03/3.0000000001 = 0.990000000000333333…
            -1.9900000000002500);  // θ₁ = −2 − 0.01·(−4)/(√16 + 1e-10) = −2 + 0.04/4.0000000001 = −1.99000000000024999…

        Feed(w, 4.0, -3.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("sum", 0),
            25.0,                  // s₂ = 9 + 4² = 25
            25.0);                 // s₂ = 16 + (−3)² = 25
        ShouldBeClose(w.ValueSpan,
            0.98200000000049333,   // θ₂ = θ₁ − 0.01·4/(√25 + 1e-10) = 0.990000000000333… − 0.04/5.0000000001 = 0.982000000000493333…
            -1.9840000000003700);  // θ₂ = θ₁ − 0.01·(−3)/(√25 + 1e-10) = −1.99000000000025 + 0.03/5.0000000001 = −1.98400000000036999…
    }

    [Fact]
    public void Learning_rate_decay_divides_by_step_count_and_the_accumulator_starts_eagerly()
    {
        // γ = 0.1, η = 0.5, s₀ = 7, ε = 0; LearningRate is set to 0.3 before the second step
        var w = Param("w", 1.0, -2.0);
        var optimizer = new AdaGrad([w], learningRate: 0.1, lrDecay: 0.5, initialAccumulatorValue: 7, epsilon: 0);

        ShouldBeClose(optimizer.GetState("sum", 0), 7.0, 7.0);    // filled at construction, as torch does

        Feed(w, 3.0, -3.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("sum", 0),
            16.0,                  // s₁ = 7 + 3² = 16
            16.0);                 // s₁ = 7 + (−3)² = 16
        ShouldBeClose(w.ValueSpan,
            0.925,                 // γ̃₁ = 0.1/(1 + 0·0.5) = 0.1;  θ₁ = 1 − 0.1·3/√16 = 1 − 0.075 = 0.925
            -1.925);               // θ₁ = −2 − 0.1·(−3)/4 = −2 + 0.075 = −1.925

        optimizer.LearningRate = 0.3;
        Feed(w, -3.0, 3.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("sum", 0),
            25.0,                  // s₂ = 16 + (−3)² = 25
            25.0);                 // s₂ = 16 + 3² = 25
        ShouldBeClose(w.ValueSpan,
            1.045,                 // γ̃₂ = 0.3/(1 + 1·0.5) = 0.2;  θ₂ = 0.925 − 0.2·(−3)/√25 = 0.925 + 0.12 = 1.045
            -2.045);               // θ₂ = −1.925 − 0.2·3/5 = −1.925 − 0.12 = −2.045
    }

    [Fact]
    public void Weight_decay_is_added_after_the_sign_flip_of_maximize()
    {
        // γ = 0.01, λ = 0.5, ε = 0, maximize: g = −∇ + λ·θ
        var w = Param("w", 2.0, -1.0);
        var optimizer = new AdaGrad([w], weightDecay: 0.5, epsilon: 0, maximize: true);

        Feed(w, -2.0, 1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("sum", 0),
            9.0,                   // g₁ = 2 + 0.5·2 = 3;       s₁ = 3² = 9
            2.25);                 // g₁ = −1 + 0.5·(−1) = −1.5; s₁ = (−1.5)² = 2.25
        ShouldBeClose(w.ValueSpan,
            1.99,                  // θ₁ = 2 − 0.01·3/√9 = 1.99
            -0.99);                // θ₁ = −1 − 0.01·(−1.5)/√2.25 = −0.99

        Feed(w, -2.0, 1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("sum", 0),
            17.970025,             // g₂ = 2 + 0.5·1.99 = 2.995;       s₂ = 9 + 2.995² = 17.970025
            4.485025);             // g₂ = −1 + 0.5·(−0.99) = −1.495;  s₂ = 2.25 + 1.495² = 4.485025
        ShouldBeClose(w.ValueSpan,
            1.9829348321164803,    // θ₂ = 1.99 − 0.01·2.995/√17.970025 = 1.98293483211648025…
            -0.98294074681307549); // θ₂ = −0.99 − 0.01·(−1.495)/√4.485025 = −0.98294074681307548…
    }

    [Fact]
    public void Each_parameter_keeps_its_own_accumulator()
    {
        var a = Param("a", 1.0);
        var b = Param("b", 1.0, 1.0, 1.0);
        var optimizer = new AdaGrad([a, b], initialAccumulatorValue: 1);

        Feed(a, 2.0);
        Feed(b, 0.0, 1.0, 3.0);
        optimizer.Step();

        ShouldBeClose(optimizer.GetState("sum", 0), 5.0);            // 1 + 2²
        ShouldBeClose(optimizer.GetState("sum", 1), 1.0, 2.0, 10.0); // 1 + 0², 1 + 1², 1 + 3²
    }

    public static TheoryData<string, double> BadArguments => new()
    {
        { "learningRate", -0.01 }, { "learningRate", double.NaN }, { "learningRate", double.PositiveInfinity },
        { "lrDecay", -1e-3 }, { "lrDecay", double.NaN }, { "lrDecay", double.PositiveInfinity },
        { "weightDecay", -1e-3 }, { "weightDecay", double.NaN }, { "weightDecay", double.PositiveInfinity },
        { "initialAccumulatorValue", -0.1 }, { "initialAccumulatorValue", double.NaN },
        { "initialAccumulatorValue", double.PositiveInfinity },
        { "epsilon", -1e-10 }, { "epsilon", double.NaN }, { "epsilon", double.PositiveInfinity },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Invalid_hyperparameter_throws_naming_the_argument(string argument, double value)
    {
        var w = Param("w", 1.0, 2.0);
        var create = () => argument switch
        {
            "learningRate" => new AdaGrad([w], learningRate: value),
            "lrDecay" => new AdaGrad([w], lrDecay: value),
            "weightDecay" => new AdaGrad([w], weightDecay: value),
            "initialAccumulatorValue" => new AdaGrad([w], initialAccumulatorValue: value),
            "epsilon" => new AdaGrad([w], epsilon: value),
            _ => throw new ArgumentException($"unknown argument {argument}"),
        };

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(argument);
        Values(w).Should().Equal(1.0, 2.0);
    }
}
