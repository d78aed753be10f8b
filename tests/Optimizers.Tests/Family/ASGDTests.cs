using static Optimizers.Tests.Family.HandWorked;

namespace Optimizers.Tests.Family;

public class ASGDTests
{
    [Fact]
    public void Defaults_match_torch()
    {
        var optimizer = new ASGD([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(0.01);
        optimizer.Lambda.Should().Be(1e-4);
        optimizer.Alpha.Should().Be(0.75);
        optimizer.T0.Should().Be(1e6);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("ax", "eta", "mu");
        optimizer.GetScalarState("eta", 0).Should().Be(0.01);
        optimizer.GetScalarState("mu", 0).Should().Be(1);
    }

    [Fact]
    public void Four_steps_decay_the_step_size_and_average_after_t0()
    {
        // α = 0.1, λ = 0.5, a = 1, t₀ = 1: ηₜ = 0.1/(1 + 0.05·t), μₜ = 1/max(1, t − 1)
        var w = Param("w", 1.0);
        var optimizer = new ASGD([w], learningRate: 0.1, lambda: 0.5, alpha: 1, t0: 1);

        Feed(w, 2.0);
        optimizer.Step();
        ShouldBeClose(w.ValueSpan, 0.75);                      // θ₁ = 1·(1 − 0.5·0.1) − 0.1·2 = 0.95 − 0.2
        ShouldBeClose(optimizer.GetState("ax", 0), 0.75);      // μ₀ = 1: ax = θ
        optimizer.GetScalarState("eta", 0).Should().BeApproximately(0.095238095238095238, 1e-16);   // 0.1/1.05 = 2/21
        optimizer.GetScalarState("mu", 0).Should().Be(1);      // 1/max(1, 1 − 1)

        Feed(w, 1.0);
        optimizer.Step();
        ShouldBeClose(w.ValueSpan, 0.61904761904761905);       // θ₂ = 0.75·(1 − 0.5·2/21) − 2/21 = 0.75·20/21 − 2/21 = 13/21
        ShouldBeClose(optimizer.GetState("ax", 0), 0.61904761904761905);

        Feed(w, -1.0);
        optimizer.Step();                                      // η₂ = 0.1/1.1 = 1/11, μ₂ = 1/max(1, 1) = 1
        ShouldBeClose(w.ValueSpan, 0.68181818181818182);       // θ₃ = 13/21·(1 − 0.5/11) + 1/11 = 13/21·21/22 + 2/22 = 15/22
        ShouldBeClose(optimizer.GetState("ax", 0), 0.68181818181818182);
        optimizer.GetScalarState("mu", 0).Should().Be(0.5);    // μ₃ = 1/max(1, 3 − 1)

        Feed(w, 0.0);
        optimizer.Step();                                      // η₃ = 0.1/1.15 = 2/23, μ₃ = 1/2
        ShouldBeClose(w.ValueSpan, 0.65217391304347826);       // θ₄ = 15/22·(1 − 0.5·2/23) = 15/22·22/23 = 15/23
        ShouldBeClose(optimizer.GetState("ax", 0),
            0.66699604743083004);                              // ax₄ = 15/22 + (15/23 − 15/22)·1/2 = 675/1012
        optimizer.GetScalarState("eta", 0).Should().BeApproximately(0.083333333333333333, 1e-16);   // 0.1/1.2
    }

    [Fact]
    public void Weight_decay_follows_the_sign_flip_and_the_power_a_shapes_the_step_size()
    {
        // α = 0.2, λ = 0.1, a = 0.5, λ_wd = 0.5, maximize
        var w = Param("w", 2.0);
        var optimizer = new ASGD([w], learningRate: 0.2, lambda: 0.1, alpha: 0.5, weightDecay: 0.5, maximize: true);

        Feed(w, 1.0);
        optimizer.Step();
        ShouldBeClose(w.ValueSpan, 1.96);                      // g = −1 + 0.5·2 = 0;  θ₁ = 2·(1 − 0.1·0.2) − 0.2·0 = 1.96
        optimizer.GetScalarState("eta", 0).Should().BeApproximately(0.19802950859533486, 1e-16);   // η₁ = 0.2/√(1 + 0.1·0.2·1)

        Feed(w, -3.0);
        optimizer.Step();
        ShouldBeClose(w.ValueSpan,
            1.1330287721058816);   // g = 3 + 0.5·1.96 = 3.98;  θ₂ = 1.96·(1 − 0.1·η₁) − η₁·3.98 = 1.9211862163153144 − 0.78815744420943275
        optimizer.GetScalarState("eta", 0).Should().BeApproximately(0.19611613513818403, 1e-16);   // η₂ = 0.2/√(1 + 0.1·0.2·2)
    }

    [Fact]
    public void The_averages_are_copied_into_the_parameters_for_evaluation()
    {
        var w = Param("w", 1.0, 2.0);
        var optimizer = new ASGD([w], learningRate: 0.1, lambda: 0, t0: 0);   // μₜ = 1/t: ax is the mean of θ₁ … θₜ

        optimizer.Invoking(o => o.CopyAveragesIntoParameters()).Should().Throw<InvalidOperationException>();
        w.Value.ToArray().Should().Equal(1.0, 2.0);

        Feed(w, 1.0, -1.0);
        optimizer.Step();                                      // θ₁ = (0.9, 2.1), ax = θ₁
        Feed(w, 1.0, -1.0);
        optimizer.Step();                                      // θ₂ = (0.8, 2.2), ax = θ₁ + (θ₂ − θ₁)·1/1 = θ₂ (μ₁ = 1/max(1, 1))
        Feed(w, 1.0, -1.0);
        optimizer.Step();                                      // θ₃ = (0.7, 2.3), ax = θ₂ + (θ₃ − θ₂)·1/2 = (0.75, 2.25)
        ShouldBeClose(w.ValueSpan, 0.7, 2.3);
        ShouldBeClose(optimizer.GetState("ax", 0), 0.75, 2.25);

        optimizer.CopyAveragesIntoParameters();
        ShouldBeClose(w.ValueSpan, 0.75, 2.25);
        ShouldBeClose(optimizer.GetState("ax", 0), 0.75, 2.25);
    }

    [Theory]
    [InlineData(-1e-4, 0.75, 1e6, 0.0, "lambda")]
    [InlineData(double.NaN, 0.75, 1e6, 0.0, "lambda")]
    [InlineData(1e-4, -0.75, 1e6, 0.0, "alpha")]
    [InlineData(1e-4, 0.75, double.PositiveInfinity, 0.0, "t0")]
    [InlineData(1e-4, 0.75, 1e6, -1.0, "weightDecay")]
    public void Rejects_out_of_range_hyperparameters_naming_them(double lambda, double alpha, double t0, double weightDecay, string name)
    {
        var act = () => new ASGD([Param("w", 1.0)], lambda: lambda, alpha: alpha, t0: t0, weightDecay: weightDecay);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }
}
