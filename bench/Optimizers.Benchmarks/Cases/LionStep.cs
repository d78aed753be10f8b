using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// Lion (the authors' defaults): c = β₁·m + (1 − β₁)·g;  θ ← θ − α·sign(c);  m ← β₂·m + (1 − β₂)·g, with α = 1e-4,
/// β₁ = 0.9, β₂ = 0.99, no weight decay.
/// </summary>
/// <remarks>
/// TorchSharp has no Lion, so the case has no TorchSharp column. The limit is the same arithmetic: sign(c)·α as a
/// selection between ±α and 0 (exact, as the library's), two products and a sum for c, two for m.
/// </remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class LionStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 1e-4;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.99;
    private static readonly T LrT = C(Lr), Beta1T = C(Beta1), Share1 = C(1 - Beta1), Beta2T = C(Beta2), Share2 = C(1 - Beta2);

    protected override int StateCount => 1;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new Lion<T>(parameters, Lr, Beta1, Beta2);

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        var direction = MState[0][p] * Beta1T + g * Share1;
        MTheta[p] = MTheta[p] - direction.PointwiseSign() * LrT;
        MState[0][p] = MState[0][p] * Beta2T + g * Share2;
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        var tmp2 = MTemp2[p];
        m.Multiply(Beta1T, tmp);
        g.Multiply(Share1, tmp2);
        tmp.Add(tmp2, tmp);
        tmp.PointwiseSign(tmp);
        tmp.Multiply(LrT, tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
        m.Multiply(Beta2T, m);
        g.Multiply(Share2, tmp);
        m.Add(tmp, m);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        Vector<T> lr = new(LrT), b1 = new(Beta1T), s1 = new(Share1), b2 = new(Beta2T), s2 = new(Share2);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, i, lr, b1, s1, b2, s2);
            Update(ref t, ref g, ref m, i + q, lr, b1, s1, b2, s2);
            Update(ref t, ref g, ref m, i + 2 * q, lr, b1, s1, b2, s2);
            Update(ref t, ref g, ref m, i + 3 * q, lr, b1, s1, b2, s2);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, i, lr, b1, s1, b2, s2);
        }

        Remainder(ref t, ref g, ref m, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, nuint i, Vector<T> lr, Vector<T> b1, Vector<T> s1, Vector<T> b2, Vector<T> s2)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var mi = Vector.LoadUnsafe(ref m, i);
            var c = mi * b1 + gi * s1;
            var move = Vector.ConditionalSelect(Vector.GreaterThan(c, Vector<T>.Zero), lr,
                                                Vector.ConditionalSelect(Vector.LessThan(c, Vector<T>.Zero), -lr, Vector<T>.Zero));
            (Vector.LoadUnsafe(ref t, i) - move).StoreUnsafe(ref t, i);
            (mi * b2 + gi * s2).StoreUnsafe(ref m, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        Vector512<T> lr = Vector512.Create(LrT), b1 = Vector512.Create(Beta1T), s1 = Vector512.Create(Share1);
        Vector512<T> b2 = Vector512.Create(Beta2T), s2 = Vector512.Create(Share2);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, i, lr, b1, s1, b2, s2);
            Update(ref t, ref g, ref m, i + q, lr, b1, s1, b2, s2);
            Update(ref t, ref g, ref m, i + 2 * q, lr, b1, s1, b2, s2);
            Update(ref t, ref g, ref m, i + 3 * q, lr, b1, s1, b2, s2);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, i, lr, b1, s1, b2, s2);
        }

        Remainder(ref t, ref g, ref m, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, nuint i, Vector512<T> lr, Vector512<T> b1, Vector512<T> s1, Vector512<T> b2,
                           Vector512<T> s2)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var mi = Vector512.LoadUnsafe(ref m, i);
            var c = mi * b1 + gi * s1;
            var move = Vector512.ConditionalSelect(Vector512.GreaterThan(c, Vector512<T>.Zero), lr,
                                                   Vector512.ConditionalSelect(Vector512.LessThan(c, Vector512<T>.Zero), -lr, Vector512<T>.Zero));
            (Vector512.LoadUnsafe(ref t, i) - move).StoreUnsafe(ref t, i);
            (mi * b2 + gi * s2).StoreUnsafe(ref m, i);
        }
    }

    private static void Remainder(ref T t, ref T g, ref T m, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T mi = Unsafe.Add(ref m, i);
            T c = mi * Beta1T + gi * Share1;
            Unsafe.Add(ref t, i) -= c > T.Zero ? LrT : c < T.Zero ? -LrT : T.Zero;
            Unsafe.Add(ref m, i) = mi * Beta2T + gi * Share2;
        }
    }
}
