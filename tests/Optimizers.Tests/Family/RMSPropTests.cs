using static Optimizers.Tests.Family.HandWorked;

namespace Optimizers.Tests.Family;

public class RMSPropTests
{
    [Fact]
    public void Defaults_match_torch()
    {
        var optimizer = new RMSProp([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(0.01);
        optimizer.Alpha.Should().Be(0.99);
        optimizer.Epsilon.Should().Be(1e-8);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.MomentumFactor.Should().Be(0);
        optimizer.Centered.Should().BeFalse();
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("square_avg");
    }

    [Fact]
    public void Optional_buffers_exist_only_when_asked_for()
    {
        var w = Param("w", 1.0);
        new RMSProp([w], momentum: 0.9).StateNames.Should().Equal("square_avg", "momentum_buffer");
        new RMSProp([w], centered: true).StateNames.Should().Equal("square_avg", "grad_avg");
        new RMSProp([w], momentum: 0.9, centered: true).StateNames
            .Should().Equal("square_avg", "momentum_buffer", "grad_avg");

        var plain = new RMSProp([w]);
        var read = () => plain.GetState("grad_avg", 0).ToArray();
        read.Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void Two_steps_with_default_options()
    {
        // γ = 0.01, α = 0.99, ε = 1e-8 (added after the root), no momentum, not centred
        var w = Param("w", 1.0, -2.0);
        var optimizer = new RMSProp([w]);

        Feed(w, 0.5, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            0.0025,                // v₁ = 0.99·0 + 0.01·0.5² = 0.0025
            0.01);                 // v₁ = 0.99·0 + 0.01·(−1)² = 0.01
        ShouldBeClose(w.ValueSpan,
            0.90000001999999600,   // θ₁ = 1 − 0.01·0.5/(√0.0025 + 1e-8) = 1 − 0.005/0.05000001 = 0.9000000199999960…
            -1.9000000099999990);  // θ₁ = −2 − 0.01·(−1)/(√0.01 + 1e-8) = −2 + 0.01/0.10000001 = −1.900000009999999…

        Feed(w, 0.5, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            0.004975,              // v₂ = 0.99·0.0025 + 0.01·0.5² = 0.002475 + 0.0025 = 0.004975
            0.0199);               // v₂ = 0.99·0.01 + 0.01·1 = 0.0099 + 0.01 = 0.0199
        ShouldBeClose(w.ValueSpan,
            0.82911190954941224,   // θ₂ = θ₁ − 0.01·0.5/(√0.004975 + 1e-8), √0.004975 = 0.07053367989832942…  → 0.829111909549412241…
            -1.8291118945242907);  // θ₂ = θ₁ + 0.01/(√0.0199 + 1e-8),       √0.0199 = 0.14106735979665884…    → −1.829111894524290681…
    }

    [Fact]
    public void Centred_with_momentum_two_steps()
    {
        // γ = 0.1, α = 0.5, ε = 0, μ = 0.5, centred. ḡ uses torch's lerp(ḡ, g, 1 − α); with weight 0.5 that is
        // g − (g − ḡ)·0.5, the same number as 0.5·ḡ + 0.5·g here.
        var w = Param("w", 1.0, -2.0);
        var optimizer = new RMSProp([w], learningRate: 0.1, alpha: 0.5, epsilon: 0, momentum: 0.5, centered: true);

        Feed(w, 2.0, -4.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            2.0,                   // v₁ = 0.5·0 + 0.5·2² = 2
            8.0);                  // v₁ = 0.5·0 + 0.5·(−4)² = 8
        ShouldBeClose(optimizer.GetState("grad_avg", 0),
            1.0,                   // ḡ₁ = 0.5·0 + 0.5·2 = 1
            -2.0);                 // ḡ₁ = 0.5·0 + 0.5·(−4) = −2
        ShouldBeClose(optimizer.GetState("momentum_buffer", 0),
            2.0,                   // d₁ = √(2 − 1²) = 1;       b₁ = 0.5·0 + 2/1 = 2
            -2.0);                 // d₁ = √(8 − (−2)²) = 2;    b₁ = 0.5·0 + (−4)/2 = −2
        ShouldBeClose(w.ValueSpan,
            0.8,                   // θ₁ = 1 − 0.1·2 = 0.8
            -1.8);                 // θ₁ = −2 − 0.1·(−2) = −1.8

        Feed(w, 6.0, 0.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            19.0,                  // v₂ = 0.5·2 + 0.5·6² = 1 + 18 = 19
            4.0);                  // v₂ = 0.5·8 + 0.5·0² = 4
        ShouldBeClose(optimizer.GetState("grad_avg", 0),
            3.5,                   // ḡ₂ = 6 − (6 − 1)·0.5 = 3.5
            -1.0);                 // ḡ₂ = 0 − (0 − (−2))·0.5 = −1
        ShouldBeClose(optimizer.GetState("momentum_buffer", 0),
            3.3094010767585031,    // d₂ = √(19 − 3.5²) = √6.75;  b₂ = 0.5·2 + 6/√6.75 = 1 + 4/√3 = 3.30940107675850305…
            -1.0);                 // d₂ = √(4 − 1) = √3;         b₂ = 0.5·(−2) + 0/√3 = −1
        ShouldBeClose(w.ValueSpan,
            0.46905989232414969,   // θ₂ = 0.8 − 0.1·3.30940107675850305… = 0.46905989232414969…
            -1.7);                 // θ₂ = −1.8 − 0.1·(−1) = −1.7
    }

    [Fact]
    public void A_new_learning_rate_scales_the_whole_momentum_step()
    {
        // as Centred_with_momentum_two_steps, but LearningRate = 0.05 before step 2: the buffer (in gradient units)
        // is unchanged and only the step is scaled, as in torch.optim.RMSprop
        var w = Param("w", 1.0, -2.0);
        var optimizer = new RMSProp([w], learningRate: 0.1, alpha: 0.5, epsilon: 0, momentum: 0.5, centered: true);
        Feed(w, 2.0, -4.0);
        optimizer.Step();

        optimizer.LearningRate = 0.05;
        Feed(w, 6.0, 0.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("momentum_buffer", 0), 3.3094010767585031, -1.0);   // b₂ as before
        ShouldBeClose(w.ValueSpan,
            0.63452994616207485,   // θ₂ = 0.8 − 0.05·3.30940107675850305… = 0.634529946162074847…
            -1.75);                // θ₂ = −1.8 − 0.05·(−1) = −1.75
    }

    [Fact]
    public void Weight_decay_is_added_after_the_sign_flip_of_maximize()
    {
        // γ = 0.01, α = 0.99, ε = 1e-8, λ = 0.1, maximize: g = −∇ + λ·θ
        var w = Param("w", 1.0, -2.0);
        var optimizer = new RMSProp([w], weightDecay: 0.1, maximize: true);

        Feed(w, -0.4, 0.3);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("square_avg", 0),
            0.0025,                // g₁ = 0.4 + 0.1·1 = 0.5;        v₁ = 0.01·0.5² = 0.0025
            0.0025);               // g₁ = −0.3 + 0.1·(−2) = −0.5;   v₁ = 0.01·(−0.5)² = 0.0025
        ShouldBeClose(w.ValueSpan,
            0.90000001999999600,   // θ₁ = 1 − 0.01·0.5/(0.05 + 1e-8) = 0.9000000199999960…
            -1.9000000199999960);  // θ₁ = −2 + 0.01·0.5/(0.05 + 1e-8) = −1.9000000199999960…
    }

    public static TheoryData<string, double> BadArguments => new()
    {
        { "learningRate", -0.01 }, { "learningRate", double.NaN }, { "learningRate", double.PositiveInfinity },
        { "alpha", -0.1 }, { "alpha", 1.0 }, { "alpha", 1.5 }, { "alpha", double.NaN },
        { "epsilon", -1e-8 }, { "epsilon", double.NaN }, { "epsilon", double.PositiveInfinity },
        { "weightDecay", -1e-3 }, { "weightDecay", double.NaN }, { "weightDecay", double.PositiveInfinity },
        { "momentum", -0.1 }, { "momentum", 1.0 }, { "momentum", double.NaN },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Invalid_hyperparameter_throws_naming_the_argument(string argument, double value)
    {
        var w = Param("w", 1.0, 2.0);
        var create = () => argument switch
        {
            "learningRate" => new RMSProp([w], learningRate: value),
            "alpha" => new RMSProp([w], alpha: value),
            "epsilon" => new RMSProp([w], epsilon: value),
            "weightDecay" => new RMSProp([w], weightDecay: value),
            "momentum" => new RMSProp([w], momentum: value),
            _ => throw new ArgumentException($"unknown argument {argument}"),
        };

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(argument);
        Values(w).Should().Equal(1.0, 2.0);
    }
}
