using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Optimizers;

/// <summary>
/// A SIMD vector of <typeparamref name="T"/> of one fixed width, as a type: a kernel generic over
/// <c>TV : struct, ISimd&lt;TV, T&gt;</c> is written once and compiled for each width (<see cref="SimdVector{T}"/>,
/// the platform's <see cref="Vector{T}"/>, and <see cref="Simd512{T}"/>), as <see cref="IFlag"/> compiles it once
/// per option.
/// </summary>
/// <remarks>
/// Every member is a single hardware operation on the wrapped vector, inlined: the loop the JIT compiles is the same
/// as one written against <see cref="Vector{T}"/> or <see cref="Vector512{T}"/> directly (checked in the disassembly:
/// no copies, no spills). Loads and stores take a reference and an element offset and do no bounds check; the kernels
/// check the span lengths once, before their loops.
/// </remarks>
internal interface ISimd<TSelf, T>
    where TSelf : struct, ISimd<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether this width is done by hardware instructions here (kernels fall back to their scalar loop otherwise).</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>How many elements one vector holds.</summary>
    static abstract int Count { get; }

    /// <summary>The width in bytes (the alignment the kernels give θ's stores).</summary>
    static abstract int Bytes { get; }

    /// <summary>The vector of the elements at <paramref name="source"/> + <paramref name="offset"/> (no bounds check).</summary>
    static abstract TSelf Load(ref T source, nuint offset);

    /// <summary>Writes this vector to <paramref name="destination"/> + <paramref name="offset"/> (no bounds check).</summary>
    void Store(ref T destination, nuint offset);

    /// <summary>Every element <paramref name="value"/>.</summary>
    static abstract TSelf Create(T value);

    /// <summary>Element-wise sum.</summary>
    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>Element-wise difference.</summary>
    static abstract TSelf operator -(TSelf left, TSelf right);

    /// <summary>Element-wise product.</summary>
    static abstract TSelf operator *(TSelf left, TSelf right);

    /// <summary>Element-wise quotient.</summary>
    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>Element-wise square root (correctly rounded, as <c>T.Sqrt</c>).</summary>
    static abstract TSelf Sqrt(TSelf x);

    /// <summary>Element-wise absolute value.</summary>
    static abstract TSelf Abs(TSelf x);

    /// <summary>Element-wise maximum with <see cref="Math.Max(double, double)"/>'s rules (NaN if either is NaN; +0 over −0).</summary>
    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>Element-wise minimum with <see cref="Math.Min(double, double)"/>'s rules (NaN if either is NaN; −0 under +0).</summary>
    static abstract TSelf Min(TSelf left, TSelf right);

    /// <summary>
    /// Element-wise sign: 1 where x &gt; 0, −1 where x &lt; 0, +0 where x is ±0, NaN where x is NaN (as
    /// <c>torch.sign</c> for every non-NaN x, and as <c>jnp.sign</c> for NaN).
    /// </summary>
    static abstract TSelf Sign(TSelf x);

    /// <summary>Element-wise <c>left &gt; right ? left : right</c> (so <paramref name="right"/> when either is NaN).</summary>
    static abstract TSelf GreaterOr(TSelf left, TSelf right);

    /// <summary>Element-wise <c>x &lt; 0 ? 0 : x</c> (NaN stays NaN).</summary>
    static abstract TSelf ZeroIfNegative(TSelf x);

    /// <summary>Element-wise <c>x &gt; y ? ifTrue : ifFalse</c> (so <paramref name="ifFalse"/> when either is NaN).</summary>
    static abstract TSelf IfGreater(TSelf x, TSelf y, TSelf ifTrue, TSelf ifFalse);

    /// <summary>Element-wise <c>x &lt; y ? ifTrue : ifFalse</c> (so <paramref name="ifFalse"/> when either is NaN).</summary>
    static abstract TSelf IfLess(TSelf x, TSelf y, TSelf ifTrue, TSelf ifFalse);
}

/// <summary><see cref="ISimd{TSelf, T}"/> over <see cref="Vector{T}"/>: the platform's preferred width (256 bits on AVX2 and AVX-512 machines with .NET's defaults, 128 on Arm64).</summary>
internal readonly struct SimdVector<T> : ISimd<SimdVector<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SimdVector(Vector<T> v) => _v = v;

    /// <inheritdoc />
    public static bool IsAccelerated => Vector.IsHardwareAccelerated;

    /// <inheritdoc />
    public static int Count => Vector<T>.Count;

    /// <inheritdoc />
    public static int Bytes => Vector<byte>.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> Load(ref T source, nuint offset) => new(Vector.LoadUnsafe(ref source, offset));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination, nuint offset) => _v.StoreUnsafe(ref destination, offset);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> Create(T value) => new(new Vector<T>(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> operator +(SimdVector<T> left, SimdVector<T> right) => new(left._v + right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> operator -(SimdVector<T> left, SimdVector<T> right) => new(left._v - right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> operator *(SimdVector<T> left, SimdVector<T> right) => new(left._v * right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> operator /(SimdVector<T> left, SimdVector<T> right) => new(left._v / right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> Sqrt(SimdVector<T> x) => new(Vector.SquareRoot(x._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> Abs(SimdVector<T> x) => new(Vector.Abs(x._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> Max(SimdVector<T> left, SimdVector<T> right) => new(Vector.Max(left._v, right._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> Min(SimdVector<T> left, SimdVector<T> right) => new(Vector.Min(left._v, right._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> Sign(SimdVector<T> x)
        => new(Vector.ConditionalSelect(Vector.GreaterThan(x._v, Vector<T>.Zero), Vector<T>.One,
                                     Vector.ConditionalSelect(Vector.LessThan(x._v, Vector<T>.Zero), -Vector<T>.One, x._v - x._v)));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> GreaterOr(SimdVector<T> left, SimdVector<T> right)
        => new(Vector.ConditionalSelect(Vector.GreaterThan(left._v, right._v), left._v, right._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> ZeroIfNegative(SimdVector<T> x)
        => new(Vector.ConditionalSelect(Vector.LessThan(x._v, Vector<T>.Zero), Vector<T>.Zero, x._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> IfGreater(SimdVector<T> x, SimdVector<T> y, SimdVector<T> ifTrue, SimdVector<T> ifFalse)
        => new(Vector.ConditionalSelect(Vector.GreaterThan(x._v, y._v), ifTrue._v, ifFalse._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector<T> IfLess(SimdVector<T> x, SimdVector<T> y, SimdVector<T> ifTrue, SimdVector<T> ifFalse)
        => new(Vector.ConditionalSelect(Vector.LessThan(x._v, y._v), ifTrue._v, ifFalse._v));
}

/// <summary><see cref="ISimd{TSelf, T}"/> over <see cref="Vector512{T}"/> (used only where <see cref="Vector512.IsHardwareAccelerated"/>).</summary>
internal readonly struct Simd512<T> : ISimd<Simd512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Simd512(Vector512<T> v) => _v = v;

    /// <inheritdoc />
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;

    /// <inheritdoc />
    public static int Count => Vector512<T>.Count;

    /// <inheritdoc />
    public static int Bytes => Vector512<byte>.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Load(ref T source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T destination, nuint offset) => _v.StoreUnsafe(ref destination, offset);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Create(T value) => new(Vector512.Create(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator +(Simd512<T> left, Simd512<T> right) => new(left._v + right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator -(Simd512<T> left, Simd512<T> right) => new(left._v - right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator *(Simd512<T> left, Simd512<T> right) => new(left._v * right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator /(Simd512<T> left, Simd512<T> right) => new(left._v / right._v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Sqrt(Simd512<T> x) => new(Vector512.Sqrt(x._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Abs(Simd512<T> x) => new(Vector512.Abs(x._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Max(Simd512<T> left, Simd512<T> right) => new(Vector512.Max(left._v, right._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Min(Simd512<T> left, Simd512<T> right) => new(Vector512.Min(left._v, right._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Sign(Simd512<T> x)
        => new(Vector512.ConditionalSelect(Vector512.GreaterThan(x._v, Vector512<T>.Zero), Vector512<T>.One,
                                     Vector512.ConditionalSelect(Vector512.LessThan(x._v, Vector512<T>.Zero), -Vector512<T>.One, x._v - x._v)));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> GreaterOr(Simd512<T> left, Simd512<T> right)
        => new(Vector512.ConditionalSelect(Vector512.GreaterThan(left._v, right._v), left._v, right._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> ZeroIfNegative(Simd512<T> x)
        => new(Vector512.ConditionalSelect(Vector512.LessThan(x._v, Vector512<T>.Zero), Vector512<T>.Zero, x._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> IfGreater(Simd512<T> x, Simd512<T> y, Simd512<T> ifTrue, Simd512<T> ifFalse)
        => new(Vector512.ConditionalSelect(Vector512.GreaterThan(x._v, y._v), ifTrue._v, ifFalse._v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> IfLess(Simd512<T> x, Simd512<T> y, Simd512<T> ifTrue, Simd512<T> ifFalse)
        => new(Vector512.ConditionalSelect(Vector512.LessThan(x._v, y._v), ifTrue._v, ifFalse._v));
}
