using MathNet.Numerics.LinearAlgebra;

namespace Optimizers.Tests;

/// <summary>
/// Helpers that make a hand-worked case a few short lines: make a parameter, give it a gradient, step, and
/// compare against numbers worked out by hand.
/// </summary>
/// <remarks>
/// The hand-worked cases use dyadic numbers (α = 0.25, μ = 0.5, …), so every intermediate value is exactly
/// representable in binary floating point and the comparisons are exact equality, not a tolerance.
/// </remarks>
public abstract class OptimizerTestBase
{
    /// <summary>A parameter named <paramref name="name"/> holding a copy of <paramref name="values"/>.</summary>
    /// <remarks>
    /// Copied on purpose: <c>Vector.Build.Dense(array)</c> wraps the array, so two parameters made from one array
    /// would share storage and a test's "initial values" would silently move with the parameter.
    /// </remarks>
    protected static Parameter Param(string name, params double[] values) =>
        new(name, Vector<double>.Build.DenseOfArray(values));

    /// <summary>Writes <paramref name="gradient"/> into the parameter's gradient and performs one step.</summary>
    protected static void Step(IOptimizer optimizer, Parameter parameter, params double[] gradient)
    {
        SetGradient(parameter, gradient);
        optimizer.Step();
    }

    /// <summary>Writes <paramref name="gradient"/> into the parameter's gradient (in place).</summary>
    protected static void SetGradient(Parameter parameter, params double[] gradient)
    {
        gradient.Length.Should().Be(parameter.Length, "a test gradient must match its parameter");
        for (int i = 0; i < gradient.Length; i++)
        {
            parameter.Gradient[i] = gradient[i];
        }
    }

    /// <summary>Asserts that θ equals <paramref name="expected"/> exactly.</summary>
    protected static void Check(Parameter parameter, params double[] expected) =>
        parameter.Value.ToArray().Should().Equal(expected, $"θ of '{parameter.Name}'");

    /// <summary>Asserts that a state vector (for example a momentum buffer) equals <paramref name="expected"/> exactly.</summary>
    protected static void Check(ReadOnlySpan<double> actual, params double[] expected) =>
        actual.ToArray().Should().Equal(expected);
}
