using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Optimizers;

/// <summary>
/// A named vector of trainable values θ together with the gradient ∇J(θ) that an optimizer reads.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Value"/> is updated in place by <see cref="IOptimizer.Step"/>; the reference never changes, so a
/// matrix or any other view that wraps the same storage (for example a <see cref="DenseMatrix"/> built over
/// <c>((DenseVector)Value).Values</c>) sees every update without copying.
/// </para>
/// <para>
/// Both vectors are dense. <see cref="Gradient"/> starts as zeros of the same length and is written by a
/// <see cref="Networks.Network"/> or by the caller; write into it (<c>gradient.CopyTo(parameter.Gradient)</c>,
/// <c>parameter.Gradient[i] = …</c>) rather than replacing it.
/// </para>
/// <para>Thread safety: a parameter is plain mutable data; do not step it from two threads at once.</para>
/// </remarks>
public sealed class Parameter
{
    private readonly double[] _value;
    private readonly double[] _gradient;

    /// <summary>Creates a parameter over <paramref name="value"/> (not copied) with a zero gradient.</summary>
    /// <param name="name">A non-empty name used in error messages and checkpoints.</param>
    /// <param name="value">
    /// The trainable values; must be a dense vector (<c>Vector&lt;double&gt;.Build.Dense(…)</c>) because the
    /// optimizers update its storage in place.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or <paramref name="value"/> is not dense.</exception>
    public Parameter(string name, Vector<double> value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A parameter name must not be empty or white space.", nameof(name));
        }

        if (value is not DenseVector dense)
        {
            throw new ArgumentException(
                $"Parameter '{name}' needs a dense vector (Vector<double>.Build.Dense); got {value.GetType().Name}.",
                nameof(value));
        }

        Name = name;
        Value = dense;
        _value = dense.Values;
        _gradient = new double[_value.Length];
        Gradient = new DenseVector(_gradient);
    }

    /// <summary>Creates a parameter that wraps <paramref name="values"/> without copying.</summary>
    /// <param name="name">A non-empty name used in error messages and checkpoints.</param>
    /// <param name="values">The storage of the trainable values, shared with the caller.</param>
    public Parameter(string name, double[] values)
        : this(name, new DenseVector(values ?? throw new ArgumentNullException(nameof(values))))
    {
    }

    /// <summary>The name given at construction.</summary>
    public string Name { get; }

    /// <summary>The trainable values θ, updated in place by <see cref="IOptimizer.Step"/>.</summary>
    public Vector<double> Value { get; }

    /// <summary>The gradient ∇J(θ), written by the network or by the caller and read by the optimizer.</summary>
    public Vector<double> Gradient { get; }

    /// <summary>The number of elements in <see cref="Value"/> and <see cref="Gradient"/>.</summary>
    public int Length => _value.Length;

    /// <summary>Sets every element of <see cref="Gradient"/> to zero.</summary>
    public void ZeroGrad() => Array.Clear(_gradient);

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{Length}]";

    internal double[] ValueArray => _value;

    internal double[] GradientArray => _gradient;

    internal Span<double> ValueSpan => _value;

    internal ReadOnlySpan<double> GradientSpan => _gradient;
}
