using Optimizers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Clipping;

namespace Optimizers.Tests.Clipping;

public class GradientClippingTests
{
    private static Parameter With(string name, params double[] gradient)
    {
        var parameter = new Parameter(name, Vector<double>.Build.Dense(gradient.Length));
        Vector<double>.Build.Dense(gradient).CopyTo(parameter.Gradient);
        return parameter;
    }

    [Fact]
    public void Global_two_norm_over_two_parameters_is_clipped_to_max_norm()
    {
        // g = [3] and [4]: ‖g‖₂ = √(9 + 16) = 5;  c = 1 / (5 + 1e-6) < 1  →  g ← g·c
        var a = With("a", 3);
        var b = With("b", 4);

        double total = GradientClipping.ClipByGlobalNorm([a, b], maxNorm: 1);

        total.Should().Be(5);
        double c = 1 / (5 + 1e-6);
        a.Gradient[0].Should().Be(3 * c);   // ≈ 0.59999988
        b.Gradient[0].Should().Be(4 * c);   // ≈ 0.79999984
        Math.Sqrt(a.Gradient[0] * a.Gradient[0] + b.Gradient[0] * b.Gradient[0]).Should().BeLessThan(1);
    }

    [Fact]
    public void One_norm_and_infinity_norm()
    {
        // g = [1, −2, 3, −4, 5, −6, 7, −8, 9] (longer than one SIMD vector): ‖g‖₁ = 45, ‖g‖∞ = 9
        double[] g = [1, -2, 3, -4, 5, -6, 7, -8, 9];
        var p1 = With("p", g);
        GradientClipping.ClipByGlobalNorm([p1], maxNorm: 9, normType: 1).Should().Be(45);
        p1.Gradient[8].Should().Be(9 * (9 / (45 + 1e-6)));   // c = 9 / 45.000001 ≈ 0.2

        var pInf = With("p", g);
        GradientClipping.ClipByGlobalNorm([pInf], maxNorm: 3, normType: double.PositiveInfinity).Should().Be(9);
        pInf.Gradient[1].Should().Be(-2 * (3 / (9 + 1e-6)));   // c ≈ 1/3
    }

    [Fact]
    public void Three_norm()
    {
        // g = [1, 2]: ‖g‖₃ = (1 + 8)^(1/3) = 9^(1/3) ≈ 2.0800838
        var p = With("p", 1, 2);
        GradientClipping.GlobalNorm([p], normType: 3).Should().BeApproximately(Math.Cbrt(9), 1e-15);
    }

    [Fact]
    public void Gradients_within_the_bound_are_left_exactly_as_they_were()
    {
        // ‖[0.3, 0.4]‖₂ = 0.5;  c = 1 / 0.500001 ≥ 1  →  unchanged
        var p = With("p", 0.3, 0.4);
        GradientClipping.ClipByGlobalNorm([p], maxNorm: 1).Should().BeApproximately(0.5, 1e-16);
        p.Gradient.ToArray().Should().Equal(0.3, 0.4);
    }

    [Fact]
    public void A_norm_just_below_max_norm_is_still_scaled_as_in_torch()
    {
        // ‖[2]‖ = 2, maxNorm = 2 + 5e-7:  c = 2.0000005 / 2.000001 < 1, so torch scales (very slightly)
        var p = With("p", 2);
        GradientClipping.ClipByGlobalNorm([p], maxNorm: 2 + 5e-7);
        p.Gradient[0].Should().Be(2 * ((2 + 5e-7) / (2 + 1e-6))).And.BeLessThan(2);
    }

    [Fact]
    public void Huge_gradients_do_not_overflow_the_norm()
    {
        // g = 1e200·[3, 4] (17 copies, to cross SIMD blocks): squares overflow, but the norm is 1e200·5·√17
        double[] g = Enumerable.Range(0, 17).SelectMany(_ => new[] { 3e200, 4e200 }).ToArray();
        var p = With("p", g);

        double total = GradientClipping.ClipByGlobalNorm([p], maxNorm: 1);

        total.Should().BeApproximately(5e200 * Math.Sqrt(17), 5e200 * Math.Sqrt(17) * 1e-14);
        double after = Math.Sqrt(p.Gradient.Sum(x => x * x));
        after.Should().BeApproximately(1, 1e-12);
        p.Gradient[0].Should().BeApproximately(3 / (5 * Math.Sqrt(17)), 1e-15);
    }

    [Fact]
    public void Tiny_gradients_do_not_underflow_the_norm()
    {
        // g = 1e-200·[3, 4]: squares underflow to 0 unscaled, but ‖g‖ = 5e-200
        var p = With("p", 3e-200, 4e-200);
        GradientClipping.GlobalNorm([p]).Should().BeApproximately(5e-200, 1e-214);
    }

    [Fact]
    public void Zero_gradients_and_no_parameters_give_norm_zero()
    {
        GradientClipping.ClipByGlobalNorm([With("z", 0, 0, 0)], maxNorm: 1).Should().Be(0);
        GradientClipping.ClipByGlobalNorm(Array.Empty<Parameter>(), maxNorm: 1).Should().Be(0);
    }

    [Fact]
    public void Non_finite_gradients_follow_torch_by_default()
    {
        // NaN anywhere → norm NaN, c = NaN, every gradient becomes NaN (torch's clamp keeps NaN)
        var a = With("a", 1, double.NaN);
        var b = With("b", 2);
        double.IsNaN(GradientClipping.ClipByGlobalNorm([a, b], maxNorm: 1)).Should().BeTrue();
        double.IsNaN(b.Gradient[0]).Should().BeTrue();

        // +∞ (no NaN) → norm +∞, c = 1/∞ = 0: finite entries become 0, ∞·0 = NaN
        var c = With("c", 1, double.PositiveInfinity);
        GradientClipping.ClipByGlobalNorm([c], maxNorm: 1).Should().Be(double.PositiveInfinity);
        c.Gradient[0].Should().Be(0);
        double.IsNaN(c.Gradient[1]).Should().BeTrue();
    }

    [Fact]
    public void Non_finite_gradients_throw_when_asked_and_nothing_changes()
    {
        var a = With("a", 10, 10);
        var b = With("b", 1, double.NegativeInfinity);

        var act = () => GradientClipping.ClipByGlobalNorm([a, b], maxNorm: 1, errorIfNonFinite: true);

        act.Should().Throw<NonFiniteGradientException>().Which.ParameterName.Should().Be("b");
        a.Gradient.ToArray().Should().Equal(10, 10);
        b.Gradient[1].Should().Be(double.NegativeInfinity);
    }

    [Fact]
    public void A_norm_beyond_double_max_throws_overflow_when_asked()
    {
        var p = With("p", double.MaxValue, double.MaxValue);
        GradientClipping.GlobalNorm([p]).Should().Be(double.PositiveInfinity);
        var act = () => GradientClipping.ClipByGlobalNorm([p], 1, errorIfNonFinite: true);
        act.Should().Throw<OverflowException>();
        p.Gradient[0].Should().Be(double.MaxValue);
    }

    [Fact]
    public void ClipByValue_clamps_every_element_and_keeps_NaN()
    {
        // clip 0.5: 0.2 stays, −3 → −0.5, 0.7 → 0.5, +∞ → 0.5, −∞ → −0.5, NaN stays NaN (as torch.clamp)
        double[] g = [0.2, -3, 0.7, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 0.5, -0.5, 1e300];
        var p = With("p", g);

        GradientClipping.ClipByValue([p], 0.5);

        p.Gradient.ToArray().Should().Equal(0.2, -0.5, 0.5, 0.5, -0.5, double.NaN, 0.5, -0.5, 0.5);
    }

    [Fact]
    public void Kernels_match_a_scalar_reference_for_every_length_up_to_70()
    {
        var random = new Random(7);
        for (int n = 0; n <= 70; n++)
        {
            double[] g = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var p = With("p", g);
            double expected = Math.Sqrt(g.Sum(x => x * x));
            GradientClipping.GlobalNorm([p]).Should().BeApproximately(expected, 1e-13 * Math.Max(1, expected));
            GradientClipping.GlobalNorm([p], 1).Should().BeApproximately(g.Sum(Math.Abs), 1e-13 * Math.Max(1, n));
            GradientClipping.GlobalNorm([p], double.PositiveInfinity).Should().Be(n == 0 ? 0 : g.Max(Math.Abs));

            GradientClipping.ClipByGlobalNorm([p], 0.5);
            double c = 0.5 / (GradientClipping.GlobalNorm([With("q", g)]) + 1e-6);
            p.Gradient.ToArray().Should().Equal(c >= 1 ? g : g.Select(x => x * c).ToArray());

            var v = With("v", g);
            GradientClipping.ClipByValue([v], 1);
            v.Gradient.ToArray().Should().Equal(g.Select(x => Math.Clamp(x, -1, 1)).ToArray());
        }
    }

    [Fact]
    public void Invalid_arguments_throw_naming_them_and_change_nothing()
    {
        var p = With("p", 3, 4);
        FluentActions.Invoking(() => GradientClipping.ClipByGlobalNorm<double>(null!, 1))
            .Should().Throw<ArgumentNullException>().WithParameterName("parameters");
        FluentActions.Invoking(() => GradientClipping.ClipByGlobalNorm([p], -1))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxNorm");
        FluentActions.Invoking(() => GradientClipping.ClipByGlobalNorm([p], double.NaN))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxNorm");
        FluentActions.Invoking(() => GradientClipping.ClipByGlobalNorm([p], 1, normType: 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("normType");
        FluentActions.Invoking(() => GradientClipping.ClipByGlobalNorm([p], 1, normType: double.NaN))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("normType");
        FluentActions.Invoking(() => GradientClipping.ClipByGlobalNorm([p, p], 1))
            .Should().Throw<ArgumentException>().WithParameterName("parameters").WithMessage("*'p'*more than once*");
        FluentActions.Invoking(() => GradientClipping.ClipByGlobalNorm([p, null!], 1))
            .Should().Throw<ArgumentException>().WithParameterName("parameters").WithMessage("*index 1*null*");
        FluentActions.Invoking(() => GradientClipping.ClipByValue([p], -0.1))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("clipValue");
        FluentActions.Invoking(() => GradientClipping.ClipByValue([p], double.PositiveInfinity))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("clipValue");
        p.Gradient.ToArray().Should().Equal(3, 4);
    }

    [Fact]
    public void Duplicates_are_found_in_long_lists_too()
    {
        var many = Enumerable.Range(0, 300).Select(i => With($"p{i}", 1)).ToList();
        many.Add(many[123]);
        FluentActions.Invoking(() => GradientClipping.ClipByValue(many, 1))
            .Should().Throw<ArgumentException>().WithMessage("*'p123'*again at index 300*");
    }

    [Fact]
    public void Clipping_a_parameter_array_allocates_nothing()
    {
        Parameter[] parameters = [With("a", Enumerable.Range(0, 37).Select(i => i * 1e3).ToArray()), With("b", 1, -2, 3)];
        for (int i = 0; i < 3; i++)
        {
            GradientClipping.ClipByGlobalNorm(parameters, 1.0);
            GradientClipping.ClipByGlobalNorm(parameters, 1.0, normType: 3);
            GradientClipping.ClipByValue(parameters, 0.5);
        }

        SteadyAllocation.Smallest(
            () =>
            {
                GradientClipping.ClipByGlobalNorm(parameters, 1.0);
                GradientClipping.ClipByGlobalNorm(parameters, 1.0, normType: 3);
                GradientClipping.ClipByValue(parameters, 0.5);
            },
            calls: 1).Should().Be(0);
    }

    [Fact]
    public void A_lazy_sequence_is_enumerated_once()
    {
        int enumerations = 0;
        IEnumerable<Parameter> Lazy()
        {
            enumerations++;
            yield return With("a", 3);
            yield return With("b", 4);
        }

        GradientClipping.ClipByGlobalNorm(Lazy(), 1).Should().Be(5);
        enumerations.Should().Be(1);
    }
}
