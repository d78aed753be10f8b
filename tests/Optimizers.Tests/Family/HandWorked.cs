namespace Optimizers.Tests.Family;

/// <summary>Helpers for the hand-worked step tests: build parameters, feed gradients, compare to 1e-15 relative.</summary>
internal static class HandWorked
{
    /// <summary>The relative tolerance of every hand-worked comparison.</summary>
    public const double RelativeTolerance = 1e-15;

    /// <summary>A parameter named <paramref name="name"/> holding a copy of <paramref name="values"/>.</summary>
    public static Parameter Param(string name, params double[] values) => new(name, (double[])values.Clone());

    /// <summary>Writes <paramref name="gradient"/> into the parameter's gradient.</summary>
    public static void Feed(Parameter parameter, params double[] gradient)
    {
        gradient.Length.Should().Be(parameter.Length);
        for (int i = 0; i < gradient.Length; i++)
        {
            parameter.Gradient[i] = gradient[i];
        }
    }

    /// <summary>Asserts |actual − expected| ≤ 1e-15·|expected| element by element (exact when expected is 0).</summary>
    public static void ShouldBeClose(ReadOnlySpan<double> actual, params double[] expected)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Math.Abs(actual[i] - expected[i]).Should().BeLessThanOrEqualTo(
                RelativeTolerance * Math.Abs(expected[i]),
                $"element {i} is {actual[i]:R} and should be {expected[i]:R}");
        }
    }

    /// <summary>The value of <paramref name="parameter"/> as an array.</summary>
    public static double[] Values(Parameter parameter) => parameter.Value.ToArray();
}
