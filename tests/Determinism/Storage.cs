using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Optimizers.Determinism;

/// <summary>The array behind a parameter's dense value or gradient (a <see cref="Parameter"/> always wraps one).</summary>
internal static class Storage
{
    public static double[] Of(Vector<double> vector) =>
        vector is DenseVector dense ? dense.Values : throw new ArgumentException("Expected a dense vector.", nameof(vector));
}
