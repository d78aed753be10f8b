using System.Numerics;

namespace Optimizers.Tests.TestSupport;

/// <summary>
/// What the tests that run for both element types need to know about <typeparamref name="T"/> (<see cref="float"/>
/// or <see cref="double"/>), in one place.
/// </summary>
internal static class Element<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>True for <see cref="float"/>.</summary>
    public static bool IsSingle => typeof(T) == typeof(float);

    /// <summary>"float32" or "float64", as the library names the element types.</summary>
    public static string Name => IsSingle ? "float32" : "float64";

    /// <summary>The largest finite value (float.MaxValue or double.MaxValue).</summary>
    public static T MaxValue { get; } = IsSingle ? From(float.MaxValue) : From(double.MaxValue);

    /// <summary>A positive subnormal (1e-40 as a float, 1e-310 as a double).</summary>
    public static T Subnormal { get; } = From(IsSingle ? 1e-40 : 1e-310);

    /// <summary><paramref name="x"/> rounded to the nearest <typeparamref name="T"/> (exact for a double).</summary>
    public static T From(double x) => T.CreateTruncating(x);

    /// <summary>Every element of <paramref name="x"/> rounded to the nearest <typeparamref name="T"/>.</summary>
    public static T[] From(IEnumerable<double> x) => x.Select(From).ToArray();

    /// <summary><paramref name="x"/> as a double (exact: every float is a double).</summary>
    public static double ToDouble(T x) => double.CreateTruncating(x);
}
