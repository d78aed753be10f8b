using System.Numerics;
using Optimizers.Checkpoints;
using static Optimizers.Tests.Family.AdamFamilyAssert;

namespace Optimizers.Tests.Family;

/// <summary>
/// NAdam and RAdam with <c>decoupledWeightDecay: true</c> (torch 2.x's <c>decoupled_weight_decay=True</c>: NAdamW,
/// RAdamW): θ shrinks by 1 − α·λ before the step and λ stays out of the gradient and the moments. Hand-worked steps
/// (hand_worked.py prints every number with 50-digit decimals and the gap to binary doubles, at most 2e-15).
/// </summary>
public sealed class DecoupledWeightDecayTests
{
    [Fact]
    public void NAdam_first_two_steps_decoupled()
    {
        var theta = Theta(1.0, -0.5);
        var nadam = new NAdam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.5, weightDecay: 0.1, momentumDecay: 1.0,
                              decoupledWeightDecay: true);

        // ψ = 1: μₜ = 0.5·(1 − 0.5·0.96ᵗ):  μ₁ = 0.26,  μ₂ = 0.2696,  μ₃ = 0.278816;  shrink = 1 − 0.1·0.1 = 0.99
        // t = 1: θ' = 0.99·θ = [0.99, −0.495];  g = ∇ (no λ·θ);  Π₁ = 0.26
        //        a = 0.1·0.74/0.74 = 0.1;  b = 0.1·0.2696/(1 − 0.26·0.2696) = 0.028992240059188906
        theta.Feed(0.5, -2.0);
        nadam.Step();
        nadam.GetState("exp_avg", 0).ShouldBeNear([0.25, -1.0], "m₁");     // 0.5·0.5;  0.5·(−2): λ·θ is not in m
        nadam.GetState("exp_avg_sq", 0).ShouldBeNear([0.125, 2.0], "v₁");  // 0.5·0.25;  0.5·4
        theta.ShouldBeNear(
            // d = √(0.125/0.5) + ε = 0.50000001;  a·g/d = 0.099999998000000040;  b·m/d = 0.014496119739672056
            0.8755038822603279020,   // 0.99 − 0.099999998000000040 − 0.014496119739672056
            // d = √(2/0.5) + ε = 2.00000001;  a·g/d = −0.0999999995;  b·m/d = −0.014496119957113853
            -0.3805038805428861445); // −0.495 + 0.0999999995 + 0.014496119957113853

        // t = 2: θ' = 0.99·θ₁ = [0.86674884343772462, −0.37669884173745727];  g = [−0.25, 1]
        //        Π₂ = 0.26·0.2696 = 0.070096;  a = 0.1·(1 − 0.2696)/(1 − 0.070096) = 0.07304/0.929904 = 0.078545742356200210
        //        m₂ = 0.5·m₁ + 0.5·g = [0, 0], so the b term vanishes;  1 − β₂² = 0.75
        theta.Feed(-0.25, 1.0);
        nadam.Step();
        nadam.GetScalarState("mu_product", 0).ShouldBeNear(0.070096, "Π₂");
        nadam.GetState("exp_avg", 0).ToArray().Should().Equal(0.0, 0.0);
        nadam.GetState("exp_avg_sq", 0).ShouldBeNear([0.09375, 1.5], "v₂"); // 0.5·0.125 + 0.5·0.0625;  0.5·2 + 0.5·1
        theta.ShouldBeNear(
            // d = √(0.09375/0.75) + ε = 0.35355340059327378;  a·g/d = −0.055540225482485790
            0.9222890689202104199,   // 0.86674884343772462 + 0.055540225482485790
            // d = √(1.5/0.75) + ε = 1.4142135723730950;  a·g/d = 0.055540226660671890
            -0.4322390683981291737); // −0.37669884173745727 − 0.055540226660671890
    }

    [Fact]
    public void RAdam_first_two_steps_decoupled_and_maximized()
    {
        var theta = Theta(1.0, -0.5);
        var radam = new RAdam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.5, weightDecay: 0.1, maximize: true,
                              decoupledWeightDecay: true);

        // ρ∞ = 2/0.5 − 1 = 3 ≤ 5: never rectified, θ = θ·(1 − αλ) − α·mₜ/(1 − β₁ᵗ);  1 − αλ = 0.99
        // t = 1: g = −∇ = [−0.5, 2] (no λ·θ);  m₁ = 0.5·g = [−0.25, 1];  m̂₁ = m₁/0.5 = [−0.5, 2]
        theta.Feed(0.5, -2.0);
        radam.Step();
        radam.GetState("exp_avg", 0).ShouldBeNear([-0.25, 1.0], "m₁");
        radam.GetState("exp_avg_sq", 0).ShouldBeNear([0.125, 2.0], "v₁");   // 0.5·0.25;  0.5·4
        theta.ShouldBeNear(
            1.04,     // 0.99·1 − 0.1·(−0.5) = 0.99 + 0.05
            -0.695);  // 0.99·(−0.5) − 0.1·2 = −0.495 − 0.2

        // t = 2: g = [0.25, −1];  m₂ = 0.5·[−0.25, 1] + 0.5·[0.25, −1] = [0, 0]: only the decay moves θ
        theta.Feed(-0.25, 1.0);
        radam.Step();
        radam.GetState("exp_avg", 0).ToArray().Should().Equal(0.0, 0.0);
        radam.GetState("exp_avg_sq", 0).ShouldBeNear([0.09375, 1.5], "v₂"); // 0.5·0.125 + 0.5·0.0625;  0.5·2 + 0.5·1
        theta.ShouldBeNear(
            1.0296,    // 0.99·1.04
            -0.68805); // 0.99·(−0.695)
    }

    [Fact]
    public void RAdam_decoupled_shrinks_theta_before_plain_and_rectified_steps()
    {
        var theta = Theta(1.0, -0.5);
        var radam = new RAdam([theta], learningRate: 0.1, beta1: 0.5, beta2: 0.9, weightDecay: 0.2, decoupledWeightDecay: true);

        // A constant gradient g and no λ·θ in it: mₜ = (1 − β₁ᵗ)·g and vₜ = (1 − β₂ᵗ)·g², so m̂ₜ = g.
        // ρ∞ = 19, ρₜ = 1, 1.947, 2.860, 3.737, 4.581 for t = 1..5: plain steps θ = 0.98·θ − 0.1·g (1 − αλ = 1 − 0.02).
        double[] g = [0.5, -2.0];
        double[][] expected =
        [
            [0.93, -0.29],               // 0.98·1 − 0.05;  0.98·(−0.5) + 0.2
            [0.8614, -0.0842],           // 0.98·0.93 − 0.05;  0.98·(−0.29) + 0.2
            [0.794172, 0.117484],        // 0.98·0.8614 − 0.05;  0.98·(−0.0842) + 0.2
            [0.72828856, 0.31513432],    // 0.98·0.794172 − 0.05;  0.98·0.117484 + 0.2
            [0.6637227888, 0.5088316336], // 0.98·0.72828856 − 0.05;  0.98·0.31513432 + 0.2
        ];
        foreach (var values in expected)
        {
            theta.Feed(g);
            radam.Step();
            theta.ShouldBeNear(values);
        }

        // t = 6: ρ₆ = 19 − 12·0.531441/0.468559 = 5.3895646012561919 > 5;  r₆ = 0.25517680654668650
        //        θ' = 0.98·θ₅ = [0.650448333024, 0.498655000928];  step = α·r₆·g·√0.468559/(√v₆ + ε)
        theta.Feed(g);
        radam.Step();
        radam.GetState("exp_avg", 0).ShouldBeNear([0.4921875, -1.96875], "m₆");    // 0.984375·0.5;  0.984375·(−2)
        radam.GetState("exp_avg_sq", 0).ShouldBeNear([0.11713975, 1.874236], "v₆"); // 0.468559·0.25;  0.468559·4
        theta.ShouldBeNear(
            0.6249306531149024042,   // 0.650448333024 − 0.025517679909097597 (0.1·r₆·0.5·√0.468559/(√0.11713975 + 1e-8))
            0.5241726813962758826);  // 0.498655000928 + 0.025517680468275884 (0.1·r₆·2·√0.468559/(√1.874236 + 1e-8))
    }
}

/// <summary>The option in both element types: defaults, what is recorded for checkpoints, and equivalences.</summary>
public abstract class DecoupledWeightDecayOptionTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string> Rules => new("NAdam", "RAdam");

    [Theory]
    [MemberData(nameof(Rules))]
    public void Off_by_default_and_recorded_only_when_on(string rule)
    {
        var off = Create(rule, [new Parameter<T>("p", [T.One])], weightDecay: 0.1, decoupled: null);
        var on = Create(rule, [new Parameter<T>("p", [T.One])], weightDecay: 0.1, decoupled: true);

        Decoupled(off).Should().BeFalse();
        Decoupled(on).Should().BeTrue();
        off.Hyperparameters.Select(h => h.Key).Should().NotContain("decoupled_weight_decay",
            "checkpoints saved before the option existed have no such entry and must still load");
        on.Hyperparameters.Should().Contain(new KeyValuePair<string, double>("decoupled_weight_decay", 1));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void With_zero_weight_decay_the_flag_changes_nothing(string rule)
    {
        var (a, b) = (Random(7, 23), Random(7, 23));
        var plain = Create(rule, [a], weightDecay: 0, decoupled: false);
        var decoupled = Create(rule, [b], weightDecay: 0, decoupled: true);

        Run(plain, a, decoupled, b, steps: 12, seed: 1);

        a.Value.ToArray().Should().Equal(b.Value.ToArray());
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Decoupled_differs_from_L2_and_keeps_the_decay_out_of_the_moments(string rule)
    {
        var (a, b, c) = (Random(9, 23), Random(9, 23), Random(9, 23));
        var coupled = Create(rule, [a], weightDecay: 0.5, decoupled: false);
        var decoupled = Create(rule, [b], weightDecay: 0.5, decoupled: true);
        var noDecay = Create(rule, [c], weightDecay: 0, decoupled: false);

        for (int t = 0; t < 8; t++)
        {
            Run(coupled, a, decoupled, b, steps: 1, seed: t);
            for (int i = 0; i < c.Length; i++)
            {
                c.Gradient[i] = b.Gradient[i];
            }

            noDecay.Step();
        }

        a.Value.ToArray().Should().NotEqual(b.Value.ToArray());
        // The moments of the decoupled rule see the gradient alone, as those of the rule without decay.
        decoupled.GetState("exp_avg", 0).ToArray().Should().Equal(noDecay.GetState("exp_avg", 0).ToArray());
        decoupled.GetState("exp_avg_sq", 0).ToArray().Should().Equal(noDecay.GetState("exp_avg_sq", 0).ToArray());
        coupled.GetState("exp_avg", 0).ToArray().Should().NotEqual(noDecay.GetState("exp_avg", 0).ToArray());
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_checkpoint_records_the_flag_and_refuses_the_other_setting(string rule)
    {
        var p = Random(3, 5);
        var saved = Create(rule, [p], weightDecay: 0.1, decoupled: true);
        p.Gradient[0] = T.One;
        saved.Step();
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, saved, [p]);

        stream.Position = 0;
        var r = Random(3, 5);
        var same = Create(rule, [r], weightDecay: 0.1, decoupled: true);
        Checkpoint.Load(stream, same, [r]);
        same.StepCount.Should().Be(1);

        stream.Position = 0;
        var q = Random(3, 5);
        var other = Create(rule, [q], weightDecay: 0.1, decoupled: false);
        var act = () => Checkpoint.Load(stream, other, [q]);
        act.Should().Throw<CheckpointException>().WithMessage("*decoupled_weight_decay*");
        other.StepCount.Should().Be(0, "a refused checkpoint changes nothing");
    }

    private static Optimizer<T> Create(string rule, IReadOnlyList<Parameter<T>> p, double weightDecay, bool? decoupled) =>
        (rule, decoupled) switch
        {
            ("NAdam", null) => new NAdam<T>(p, 0.01, weightDecay: weightDecay),
            ("NAdam", bool d) => new NAdam<T>(p, 0.01, weightDecay: weightDecay, decoupledWeightDecay: d),
            (_, null) => new RAdam<T>(p, 0.01, weightDecay: weightDecay),
            (_, bool d) => new RAdam<T>(p, 0.01, weightDecay: weightDecay, decoupledWeightDecay: d),
        };

    private static bool Decoupled(Optimizer<T> optimizer) => optimizer switch
    {
        NAdam<T> n => n.DecoupledWeightDecay,
        RAdam<T> r => r.DecoupledWeightDecay,
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer)),
    };

    private static Parameter<T> Random(int seed, int length)
    {
        var random = new Random(seed);
        return new Parameter<T>("p", Enumerable.Range(0, length).Select(_ => T.CreateTruncating(4 * random.NextDouble() - 2)).ToArray());
    }

    /// <summary>Steps both with the same random gradients.</summary>
    private static void Run(Optimizer<T> first, Parameter<T> a, Optimizer<T> second, Parameter<T> b, int steps, int seed)
    {
        var random = new Random(seed);
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < a.Length; i++)
            {
                a.Gradient[i] = b.Gradient[i] = T.CreateTruncating(Math.Pow(10, 2 * random.NextDouble() - 1) * (random.NextDouble() - 0.5));
            }

            first.Step();
            second.Step();
        }
    }
}

public sealed class DecoupledWeightDecayOptionTests_Double : DecoupledWeightDecayOptionTests<double>;

public sealed class DecoupledWeightDecayOptionTests_Single : DecoupledWeightDecayOptionTests<float>;
