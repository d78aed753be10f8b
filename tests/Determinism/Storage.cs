using System.Numerics;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace Optimizers.Determinism;

/// <summary>The array behind a parameter's dense value or gradient (a <see cref="Parameter{T}"/> always wraps one).</summary>
internal static class Storage
{
    public static T[] Of<T>(MathNet.Numerics.LinearAlgebra.Vector<T> vector)
        where T : unmanaged, IFloatingPointIeee754<T>
        => vector.Storage is DenseVectorStorage<T> dense ? dense.Data : throw new ArgumentException("Expected a dense vector.", nameof(vector));
}
