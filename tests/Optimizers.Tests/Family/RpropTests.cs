using static Optimizers.Tests.Family.HandWorked;

namespace Optimizers.Tests.Family;

public class RpropTests
{
    [Fact]
    public void Defaults_match_torch()
    {
        var optimizer = new Rprop([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(0.01);
        optimizer.EtaMinus.Should().Be(0.5);
        optimizer.EtaPlus.Should().Be(1.2);
        optimizer.MinStepSize.Should().Be(1e-6);
        optimizer.MaxStepSize.Should().Be(50);
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("prev", "step_size");
    }

    [Fact]
    public void Three_steps_with_default_options_grow_shrink_and_hold_the_step_sizes()
    {
        // α = 0.01 (the initial step size), η₋ = 0.5, η₊ = 1.2, sₘᵢₙ = 1e-6, sₘₐₓ = 50
        var w = Param("w", 1.0, -2.0, 0.5);
        var optimizer = new Rprop([w]);

        Feed(w, 3.0, -4.0, 0.0);
        optimizer.Step();                                     // p = g·prev = g·0 = 0 everywhere: s stays α
        ShouldBeClose(optimizer.GetState("step_size", 0), 0.01, 0.01, 0.01);
        ShouldBeClose(optimizer.GetState("prev", 0), 3.0, -4.0, 0.0);
        ShouldBeClose(w.ValueSpan,
            0.99,                  // θ₁ = 1 − sign(3)·0.01
            -1.99,                 // θ₁ = −2 − sign(−4)·0.01 = −2 + 0.01
            0.5);                  // sign(0) = 0: no move

        Feed(w, 2.0, 5.0, 1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("step_size", 0),
            0.012,                 // p = 2·3 = 6 > 0: s = 0.01·1.2
            0.005,                 // p = 5·(−4) = −20 < 0: s = 0.01·0.5, and g is taken as 0
            0.01);                 // p = 1·0 = 0: s = 0.01·1
        ShouldBeClose(optimizer.GetState("prev", 0), 2.0, 0.0, 1.0);
        ShouldBeClose(w.ValueSpan,
            0.978,                 // θ₂ = 0.99 − 0.012
            -1.99,                 // g = 0 after the flip: no move
            0.49);                 // θ₂ = 0.5 − 0.01

        Feed(w, 1.0, 5.0, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("step_size", 0),
            0.0144,                // p = 1·2 > 0: s = 0.012·1.2
            0.005,                 // p = 5·0 = 0 (prev was zeroed): s kept
            0.005);                // p = −1·1 < 0: s = 0.01·0.5, g taken as 0
        ShouldBeClose(w.ValueSpan,
            0.9636,                // θ₃ = 0.978 − 0.0144
            -1.995,                // θ₃ = −1.99 − 0.005
            0.49);                 // flipped: no move
    }

    [Fact]
    public void The_learning_rate_of_the_first_step_sets_the_step_sizes_and_later_changes_have_no_effect()
    {
        // α = 0.5 at construction, 1 at the first step, 100 afterwards; η₋ = 0.25, η₊ = 2, sₘᵢₙ = 0.3, sₘₐₓ = 1.5
        var w = Param("w", 0.0, 0.0);
        var optimizer = new Rprop([w], learningRate: 0.5, etaMinus: 0.25, etaPlus: 2, minStepSize: 0.3, maxStepSize: 1.5);
        optimizer.LearningRate = 1;

        Feed(w, 1.0, 1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("step_size", 0), 1.0, 1.0);   // filled with the α of the first step
        ShouldBeClose(w.ValueSpan, -1.0, -1.0);

        optimizer.LearningRate = 100;                                  // what a schedule would do: ignored
        Feed(w, 1.0, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("step_size", 0),
            1.5,                   // 1·2 = 2, clamped to sₘₐₓ = 1.5
            0.3);                  // 1·0.25 = 0.25, clamped to sₘᵢₙ = 0.3
        ShouldBeClose(w.ValueSpan, -2.5, -1.0);                        // θ = −1 − 1.5; the flipped element stays

        Feed(w, 1.0, -1.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("step_size", 0), 1.5, 0.3);   // 1.5·2 = 3 → 1.5; p = −1·0 = 0: 0.3 kept
        ShouldBeClose(w.ValueSpan,
            -4.0,                  // θ₃ = −2.5 − 1.5
            -0.7);                 // θ₃ = −1 − sign(−1)·0.3 = −1 + 0.3
    }

    [Fact]
    public void Maximize_climbs_and_remembers_the_negated_gradient()
    {
        var w = Param("w", 1.0);
        var optimizer = new Rprop([w], maximize: true);

        Feed(w, 2.0);
        optimizer.Step();
        ShouldBeClose(w.ValueSpan, 1.01);                              // g = −2: θ = 1 − sign(−2)·0.01
        ShouldBeClose(optimizer.GetState("prev", 0), -2.0);

        Feed(w, 3.0);
        optimizer.Step();
        ShouldBeClose(optimizer.GetState("step_size", 0), 0.012);      // p = (−3)·(−2) > 0: grow
        ShouldBeClose(w.ValueSpan, 1.022);                             // θ = 1.01 + 0.012
    }

    [Theory]
    [InlineData(0.0, 1.2, 1e-6, 50.0, "etaMinus")]
    [InlineData(1.0, 1.2, 1e-6, 50.0, "etaMinus")]
    [InlineData(double.NaN, 1.2, 1e-6, 50.0, "etaMinus")]
    [InlineData(0.5, 1.0, 1e-6, 50.0, "etaPlus")]
    [InlineData(0.5, double.PositiveInfinity, 1e-6, 50.0, "etaPlus")]
    [InlineData(0.5, 1.2, -1e-6, 50.0, "minStepSize")]
    [InlineData(0.5, 1.2, double.NaN, 50.0, "minStepSize")]
    [InlineData(0.5, 1.2, 1.0, 0.5, "maxStepSize")]
    [InlineData(0.5, 1.2, 1e-6, double.PositiveInfinity, "maxStepSize")]
    public void Rejects_out_of_range_hyperparameters_naming_them(double etaMinus, double etaPlus, double min, double max, string name)
    {
        var act = () => new Rprop([Param("w", 1.0)], etaMinus: etaMinus, etaPlus: etaPlus, minStepSize: min, maxStepSize: max);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }
}
