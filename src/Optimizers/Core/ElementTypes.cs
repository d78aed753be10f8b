using System.Runtime.CompilerServices;

namespace Optimizers;

/// <summary>The element types the library computes in (<see cref="float"/> and <see cref="double"/>) and their names.</summary>
internal static class ElementTypes
{
    /// <summary>Throws unless <typeparamref name="T"/> is <see cref="float"/> or <see cref="double"/>.</summary>
    /// <exception cref="NotSupportedException">Any other type (MathNet has no dense vectors of it, or the kernels are not vectorised for it).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Require<T>()
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float))
        {
            Throw(typeof(T));
        }
    }

    /// <summary>The name checkpoints and messages use: "float32" or "float64" (never a CLR type name).</summary>
    public static string NameOf<T>() => NameOf(typeof(T));

    /// <summary>The name checkpoints and messages use for <paramref name="type"/>: "float32" or "float64".</summary>
    public static string NameOf(Type type) => type == typeof(double) ? "float64" : type == typeof(float) ? "float32" : type.Name;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(Type type) => throw new NotSupportedException(
        $"The element type {type.Name} is not supported; use float (single precision) or double.");
}
