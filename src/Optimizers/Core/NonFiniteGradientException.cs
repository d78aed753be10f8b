namespace Optimizers;

/// <summary>
/// Thrown by <see cref="IOptimizer.Step"/> when a gradient holds NaN or ±∞ under
/// <see cref="NonFiniteGradientPolicy.Throw"/> (the default). It is thrown before any parameter or optimizer state
/// is modified.
/// </summary>
public sealed class NonFiniteGradientException : ArithmeticException
{
    /// <summary>Creates the exception for the parameter named <paramref name="parameterName"/>.</summary>
    /// <param name="parameterName">The name of the parameter whose gradient is not finite.</param>
    /// <param name="index">The index of the first non-finite element.</param>
    /// <param name="value">The offending value.</param>
    public NonFiniteGradientException(string parameterName, int index, double value)
        : base($"The gradient of parameter '{parameterName}' is not finite: element {index} is {value}. " +
               "No parameter or optimizer state was modified.")
    {
        ParameterName = parameterName;
        Index = index;
        Value = value;
    }

    /// <summary>The name of the parameter whose gradient is not finite.</summary>
    public string ParameterName { get; }

    /// <summary>The index of the first non-finite element of that gradient.</summary>
    public int Index { get; }

    /// <summary>The offending value (NaN, +∞ or −∞).</summary>
    public double Value { get; }
}
