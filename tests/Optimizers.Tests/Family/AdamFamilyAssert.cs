namespace Optimizers.Tests.Family;

/// <summary>Small helpers for the hand-worked tests of Adam, AdamW, NAdam and RAdam.</summary>
internal static class AdamFamilyAssert
{
    /// <summary>
    /// Relative tolerance for hand-worked decimals. The comments work with the nominal decimals (β₂ = 0.999, so
    /// 1 − β₂ = 0.001), while the optimizer uses binary doubles (1 − 0.999 = 0.0010000000000000009, 9e-16 off), and a
    /// difference such as −0.1 + 0.0575 loses a bit more; hand_worked.py prints the gap of every number below,
    /// at most 1.5e-15.
    /// </summary>
    public const double Tolerance = 2e-15;

    /// <summary>A parameter named θ over a copy of <paramref name="values"/>.</summary>
    public static Parameter Theta(params double[] values) => new("θ", (double[])values.Clone());

    /// <summary>Writes <paramref name="gradient"/> into the parameter's gradient.</summary>
    public static void Feed(this Parameter parameter, params double[] gradient)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            parameter.Gradient[i] = gradient[i];
        }
    }

    /// <summary>Asserts each element is within <see cref="Tolerance"/> (relative) of the expected value.</summary>
    public static void ShouldBeNear(this ReadOnlySpan<double> actual, double[] expected, string what)
    {
        actual.Length.Should().Be(expected.Length, what);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], Tolerance * Math.Abs(expected[i]), $"{what}[{i}]");
        }
    }

    /// <summary>Asserts the parameter's values are within <see cref="Tolerance"/> (relative) of the expected ones.</summary>
    public static void ShouldBeNear(this Parameter parameter, params double[] expected)
        => ((ReadOnlySpan<double>)parameter.Value.ToArray()).ShouldBeNear(expected, "θ");

    /// <summary>Asserts a scalar is within <see cref="Tolerance"/> (relative) of the expected value.</summary>
    public static void ShouldBeNear(this double actual, double expected, string what)
        => actual.Should().BeApproximately(expected, Tolerance * Math.Abs(expected), what);
}
