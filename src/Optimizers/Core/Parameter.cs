using System.Numerics;

namespace Optimizers;

// Inside the namespace, so that Vector<T> below is MathNet's (these usings are searched before System.Numerics).
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

/// <summary>
/// A named vector of trainable values θ, of element type <typeparamref name="T"/> (<see cref="float"/> or
/// <see cref="double"/>), together with the gradient ∇J(θ) that an optimizer reads.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> (single precision) or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// <see cref="Value"/> is updated in place by <see cref="IOptimizer.Step"/>; the reference never changes, so a
/// matrix or any other view that wraps the same storage (for example <c>Matrix&lt;T&gt;.Build.Dense(rows, columns,
/// array)</c> over the array the parameter was built from) sees every update without copying.
/// </para>
/// <para>
/// Both vectors are dense. <see cref="Gradient"/> starts as zeros of the same length and is written by a
/// <see cref="Networks.Network{T}"/> or by the caller; write into it (<c>gradient.CopyTo(parameter.Gradient)</c>,
/// <c>parameter.Gradient[i] = …</c>) rather than replacing it.
/// </para>
/// <para>
/// For double precision, <see cref="Parameter"/> is the same thing under its short name; the library's double
/// APIs take <c>Parameter&lt;double&gt;</c>, so both are accepted everywhere.
/// </para>
/// <para>
/// Shape: a parameter built from a vector or an array has rank 1 (torch's shape <c>[n]</c>, like a bias); one built
/// from a matrix has rank 2 with <see cref="Rows"/> × <see cref="Columns"/> (torch's <c>[rows, columns]</c>, like a
/// <c>torch.nn.Linear</c> weight <c>[out, in]</c>) and shares the matrix's storage. MathNet stores a dense matrix
/// column by column, so element (i, j) is <c>Value[i + j·Rows]</c>; <see cref="Gradient"/> uses the same order.
/// Rules that treat a matrix as a matrix (Muon, Adafactor) read the logical shape, never the memory order, so a
/// weight and its transpose are different parameters to them; elementwise rules ignore the shape.
/// </para>
/// <para>Thread safety: a parameter is plain mutable data; do not step it from two threads at once.</para>
/// </remarks>
public class Parameter<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _value;
    private readonly T[] _gradient;
    private readonly int _rows;
    private readonly int _columns;
    private Matrix<T>? _valueMatrix;
    private Matrix<T>? _gradientMatrix;

    /// <summary>Creates a parameter over <paramref name="value"/> (not copied) with a zero gradient.</summary>
    /// <param name="name">A non-empty name used in error messages and checkpoints: well-formed Unicode (no lone surrogate)
    /// of at most 4,096 bytes in UTF-8, so that a checkpoint can hold it.</param>
    /// <param name="value">
    /// The trainable values; must be a dense vector (<c>Vector&lt;T&gt;.Build.Dense(…)</c>) because the
    /// optimizers update its storage in place.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="name"/> is empty or white space, holds a lone surrogate or is longer than 4,096 UTF-8 bytes, or
    /// <paramref name="value"/> is not dense.
    /// </exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither <see cref="float"/> nor <see cref="double"/>.</exception>
    public Parameter(string name, Vector<T> value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ElementTypes.Require<T>();
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A parameter name must not be empty or white space.", nameof(name));
        }

        Checkpoints.CheckpointFormat.CheckName(name, nameof(name), "The parameter name");

        if (value.Storage is not DenseVectorStorage<T> dense)
        {
            throw new ArgumentException(
                $"Parameter '{name}' needs a dense vector (Vector<{typeof(T).Name}>.Build.Dense); got {value.GetType().Name}.",
                nameof(value));
        }

        Name = name;
        Value = value;
        _value = dense.Data;
        _gradient = new T[_value.Length];
        Gradient = Vector<T>.Build.Dense(_gradient);
    }

    /// <summary>Creates a parameter that wraps <paramref name="values"/> without copying.</summary>
    /// <param name="name">A non-empty name used in error messages and checkpoints: well-formed Unicode (no lone surrogate)
    /// of at most 4,096 bytes in UTF-8, so that a checkpoint can hold it.</param>
    /// <param name="values">The storage of the trainable values, shared with the caller.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space, holds a lone surrogate or is
    /// longer than 4,096 UTF-8 bytes.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither <see cref="float"/> nor <see cref="double"/>.</exception>
    public Parameter(string name, T[] values)
        : this(name, Dense(values))
    {
    }

    /// <summary>
    /// Creates a two-dimensional parameter (rank 2) over the storage of <paramref name="value"/> (not copied), with a
    /// zero gradient of the same shape: every step of an optimizer is seen by the matrix.
    /// </summary>
    /// <param name="name">A non-empty name used in error messages and checkpoints: well-formed Unicode (no lone surrogate)
    /// of at most 4,096 bytes in UTF-8, so that a checkpoint can hold it.</param>
    /// <param name="value">
    /// The trainable values as a dense matrix (<c>Matrix&lt;T&gt;.Build.Dense(rows, columns, …)</c>), rows × columns
    /// as torch's weight <c>[out, in]</c>; <see cref="Value"/> is its column-major storage as a vector.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="name"/> is empty or white space, holds a lone surrogate or is longer than 4,096 UTF-8 bytes, or
    /// <paramref name="value"/> is not a dense matrix.
    /// </exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither <see cref="float"/> nor <see cref="double"/>.</exception>
    public Parameter(string name, Matrix<T> value)
        : this(name, DenseStorage(name, value), value.RowCount, value.ColumnCount)
    {
        _valueMatrix = value;
    }

    /// <summary>A rank-2 parameter over <paramref name="values"/> (column-major, rows × columns), shape checked by the caller.</summary>
    private protected Parameter(string name, T[] values, int rows, int columns)
        : this(name, Dense(values))
    {
        if ((long)rows * columns != values.Length || rows <= 0 || columns <= 0)
        {
            throw new ArgumentException(
                $"Parameter '{name}': a {rows} × {columns} matrix needs {(long)rows * columns} elements; got {values.Length}.",
                nameof(values));
        }

        _rows = rows;
        _columns = columns;
    }

    /// <summary>The name given at construction.</summary>
    public string Name { get; }

    /// <summary>The trainable values θ, updated in place by <see cref="IOptimizer.Step"/>.</summary>
    public Vector<T> Value { get; }

    /// <summary>The gradient ∇J(θ), written by the network or by the caller and read by the optimizer.</summary>
    public Vector<T> Gradient { get; }

    /// <summary>The number of elements in <see cref="Value"/> and <see cref="Gradient"/>.</summary>
    public int Length => _value.Length;

    /// <summary>
    /// 1 for a parameter built from a vector or an array (torch's shape <c>[n]</c>), 2 for one built from a matrix
    /// (torch's <c>[rows, columns]</c>).
    /// </summary>
    public int Rank => _rows == 0 ? 1 : 2;

    /// <summary>The number of rows of a rank-2 parameter (torch's <c>size(0)</c>, the outputs of a weight).</summary>
    /// <exception cref="InvalidOperationException">The parameter has rank 1.</exception>
    public int Rows => _rows != 0 ? _rows : throw NotAMatrix(nameof(Rows));

    /// <summary>The number of columns of a rank-2 parameter (torch's <c>size(1)</c>, the inputs of a weight).</summary>
    /// <exception cref="InvalidOperationException">The parameter has rank 1.</exception>
    public int Columns => _columns != 0 ? _columns : throw NotAMatrix(nameof(Columns));

    /// <summary>
    /// The shape as torch writes it: <c>[Length]</c> for rank 1, <c>[Rows, Columns]</c> for rank 2.
    /// </summary>
    public IReadOnlyList<int> Shape => Rank == 1 ? [Length] : [_rows, _columns];

    /// <summary>A rank-2 parameter's values as a <see cref="Rows"/> × <see cref="Columns"/> matrix over the same storage as <see cref="Value"/>.</summary>
    /// <exception cref="InvalidOperationException">The parameter has rank 1.</exception>
    public Matrix<T> ValueMatrix => _rows != 0
        ? _valueMatrix ??= Matrix<T>.Build.Dense(_rows, _columns, _value)
        : throw NotAMatrix(nameof(ValueMatrix));

    /// <summary>A rank-2 parameter's gradient as a <see cref="Rows"/> × <see cref="Columns"/> matrix over the same storage as <see cref="Gradient"/>.</summary>
    /// <exception cref="InvalidOperationException">The parameter has rank 1.</exception>
    public Matrix<T> GradientMatrix => _rows != 0
        ? _gradientMatrix ??= Matrix<T>.Build.Dense(_rows, _columns, _gradient)
        : throw NotAMatrix(nameof(GradientMatrix));

    /// <summary>Sets every element of <see cref="Gradient"/> to zero.</summary>
    public void ZeroGrad() => Array.Clear(_gradient);

    /// <inheritdoc />
    public override string ToString() => Rank == 1 ? $"{Name} [{Length}]" : $"{Name} [{_rows} × {_columns}]";

    internal T[] ValueArray => _value;

    internal T[] GradientArray => _gradient;

    internal Span<T> ValueSpan => _value;

    internal ReadOnlySpan<T> GradientSpan => _gradient;

    /// <summary>A parameter over <paramref name="values"/>: a <see cref="Parameter"/> when <typeparamref name="T"/> is
    /// <see cref="double"/>, so that what the library builds (a network's weights) is the short-named type.</summary>
    internal static Parameter<T> Over(string name, T[] values)
        => typeof(T) == typeof(double)
            ? (Parameter<T>)(object)new Parameter(name, (double[])(object)values)
            : new Parameter<T>(name, values);

    /// <summary>A rank-2 parameter over <paramref name="values"/> (column-major): a <see cref="Parameter"/> when <typeparamref name="T"/> is <see cref="double"/>.</summary>
    internal static Parameter<T> Over(string name, T[] values, int rows, int columns)
        => typeof(T) == typeof(double)
            ? (Parameter<T>)(object)new Parameter(name, (double[])(object)values, rows, columns)
            : new Parameter<T>(name, values, rows, columns);

    /// <summary>A parameter over <paramref name="values"/> with the shape of <paramref name="template"/> (same length).</summary>
    internal static Parameter<T> ShapedLike(Parameter<T> template, string name, T[] values)
        => template.Rank == 2 ? Over(name, values, template._rows, template._columns) : Over(name, values);

    private InvalidOperationException NotAMatrix(string member)
        => new($"Parameter '{Name}' has rank 1 (shape [{Length}]); {member} is defined for parameters built from a matrix.");

    private static T[] DenseStorage(string name, Matrix<T> value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ElementTypes.Require<T>();
        return value.Storage is DenseColumnMajorMatrixStorage<T> dense
            ? dense.Data
            : throw new ArgumentException(
                $"Parameter '{name}' needs a dense matrix (Matrix<{typeof(T).Name}>.Build.Dense); got {value.GetType().Name}.",
                nameof(value));
    }

    private static Vector<T> Dense(T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ElementTypes.Require<T>();
        return Vector<T>.Build.Dense(values);
    }
}

/// <summary>
/// A named vector of trainable double-precision values θ with its gradient: <see cref="Parameter{T}"/> with
/// <c>T = double</c> under its short name.
/// </summary>
/// <remarks>
/// Everything is inherited from <see cref="Parameter{T}"/>; the library's double APIs take
/// <c>Parameter&lt;double&gt;</c>, so a <see cref="Parameter"/> and a <c>Parameter&lt;double&gt;</c> are accepted
/// alike.
/// </remarks>
public sealed class Parameter : Parameter<double>
{
    /// <inheritdoc />
    public Parameter(string name, Vector<double> value)
        : base(name, value)
    {
    }

    /// <inheritdoc />
    public Parameter(string name, double[] values)
        : base(name, values)
    {
    }

    /// <inheritdoc />
    public Parameter(string name, Matrix<double> value)
        : base(name, value)
    {
    }

    /// <summary>A rank-2 parameter over <paramref name="values"/> (column-major).</summary>
    internal Parameter(string name, double[] values, int rows, int columns)
        : base(name, values, rows, columns)
    {
    }
}
