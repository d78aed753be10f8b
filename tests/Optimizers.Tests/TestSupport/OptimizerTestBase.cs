using System.Numerics;

namespace Optimizers.Tests;

// Inside the namespace, so that Vector<T> below is MathNet's (these usings are searched before System.Numerics).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Helpers that make a hand-worked case a few short lines: make a parameter, give it a gradient, step, and
/// compare against numbers worked out by hand.
/// </summary>
/// <remarks>
/// The hand-worked cases use dyadic numbers (α = 0.25, μ = 0.5, …), so every intermediate value is exactly
/// representable in binary floating point and the comparisons are exact equality, not a tolerance. The helpers are
/// generic in the element type, so a float32 case reads the same with float literals (<c>Step(sgd, p, 1.5f)</c>).
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

    /// <summary>A parameter of element type <typeparamref name="T"/> named <paramref name="name"/> holding a copy of <paramref name="values"/>.</summary>
    protected static Parameter<T> Param<T>(string name, params T[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(name, Vector<T>.Build.DenseOfArray(values));

    /// <summary>Writes <paramref name="gradient"/> into the parameter's gradient and performs one step.</summary>
    protected static void Step<T>(IOptimizer optimizer, Parameter<T> parameter, params T[] gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SetGradient(parameter, gradient);
        optimizer.Step();
    }

    /// <summary>Writes <paramref name="gradient"/> into the parameter's gradient (in place).</summary>
    protected static void SetGradient<T>(Parameter<T> parameter, params T[] gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        gradient.Length.Should().Be(parameter.Length, "a test gradient must match its parameter");
        for (int i = 0; i < gradient.Length; i++)
        {
            parameter.Gradient[i] = gradient[i];
        }
    }

    /// <summary>Asserts that θ equals <paramref name="expected"/> exactly.</summary>
    protected static void Check<T>(Parameter<T> parameter, params T[] expected)
        where T : unmanaged, IFloatingPointIeee754<T>
        => parameter.Value.ToArray().Should().Equal(expected, $"θ of '{parameter.Name}'");

    /// <summary>Asserts that a state vector (for example a momentum buffer) equals <paramref name="expected"/> exactly.</summary>
    protected static void Check<T>(ReadOnlySpan<T> actual, params T[] expected)
        where T : unmanaged, IFloatingPointIeee754<T>
        => actual.ToArray().Should().Equal(expected);
}
