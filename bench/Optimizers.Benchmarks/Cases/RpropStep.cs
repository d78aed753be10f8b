using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// Rprop (torch.optim.Rprop defaults): p = g·prev;  s ← clamp(s·(p &gt; 0 ? η₊ : p &lt; 0 ? η₋ : 1), sₘᵢₙ, sₘₐₓ);
/// g ← p &lt; 0 ? 0 : g;  prev ← g;  θ ← θ − sign(g)·s, with α = 0.01 (the initial s), η₋ = 0.5, η₊ = 1.2, sₘᵢₙ = 1e-6,
/// sₘₐₓ = 50.
/// </summary>
/// <remarks>The limit is the same selections and one product per element, with no NaN handling beyond the comparisons'.</remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class RpropStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.01;
    private const double EtaMinus = 0.5;
    private const double EtaPlus = 1.2;
    private const double MinStep = 1e-6;
    private const double MaxStep = 50;
    private static readonly T Minus = C(EtaMinus), Plus = C(EtaPlus), Min = C(MinStep), Max = C(MaxStep);

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters)
        => new Rprop<T>(parameters, Lr, EtaMinus, EtaPlus, MinStep, MaxStep);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.Rprop(parameters, lr: Lr, etaminus: EtaMinus, etaplus: EtaPlus, min_step: MinStep, max_step: MaxStep);

    /// <summary>At the first step the step sizes are filled with α, as the library and torch do.</summary>
    protected override void BeginStep()
    {
        if (StepNumber == 1)
        {
            foreach (var sizes in State[1])
            {
                Array.Fill(sizes, C(Lr));
            }
        }
    }

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        var product = g.PointwiseMultiply(MState[0][p]);
        var sizes = MState[1][p].Map2((s, x) => Clamp(s * Factor(x)), product, MathNet.Numerics.LinearAlgebra.Zeros.Include);
        var kept = g.Map2((gi, x) => x < T.Zero ? T.Zero : gi, product, MathNet.Numerics.LinearAlgebra.Zeros.Include);
        MState[1][p] = sizes;
        MState[0][p] = kept;
        MTheta[p] = MTheta[p] - kept.PointwiseSign().PointwiseMultiply(sizes);
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var g = MGrad[p];
        var prev = MState[0][p];
        var sizes = MState[1][p];
        var tmp = MTemp[p];
        g.PointwiseMultiply(prev, tmp);
        sizes.Map2((s, x) => Clamp(s * Factor(x)), tmp, sizes, MathNet.Numerics.LinearAlgebra.Zeros.Include);
        g.Map2((gi, x) => x < T.Zero ? T.Zero : gi, tmp, prev, MathNet.Numerics.LinearAlgebra.Zeros.Include);
        prev.Map2((gi, s) => gi > T.Zero ? s : gi < T.Zero ? -s : T.Zero, sizes, tmp, MathNet.Numerics.LinearAlgebra.Zeros.Include);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T r = ref At(State[0][p], start);
        ref T z = ref At(State[1][p], start);
        Vector<T> minus = new(Minus), plus = new(Plus), min = new(Min), max = new(Max);
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref r, ref z, i, minus, plus, min, max);
            Update(ref t, ref g, ref r, ref z, i + q, minus, plus, min, max);
            Update(ref t, ref g, ref r, ref z, i + 2 * q, minus, plus, min, max);
            Update(ref t, ref g, ref r, ref z, i + 3 * q, minus, plus, min, max);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref r, ref z, i, minus, plus, min, max);
        }

        Remainder(ref t, ref g, ref r, ref z, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T r, ref T z, nuint i, Vector<T> minus, Vector<T> plus, Vector<T> min, Vector<T> max)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var x = gi * Vector.LoadUnsafe(ref r, i);
            var up = Vector.GreaterThan(x, Vector<T>.Zero);
            var down = Vector.LessThan(x, Vector<T>.Zero);
            var s = Vector.LoadUnsafe(ref z, i) * Vector.ConditionalSelect(up, plus, Vector.ConditionalSelect(down, minus, Vector<T>.One));
            s = Vector.Min(Vector.Max(s, min), max);
            s.StoreUnsafe(ref z, i);
            gi = Vector.ConditionalSelect(down, Vector<T>.Zero, gi);
            gi.StoreUnsafe(ref r, i);
            var move = Vector.ConditionalSelect(Vector.GreaterThan(gi, Vector<T>.Zero), s,
                                                Vector.ConditionalSelect(Vector.LessThan(gi, Vector<T>.Zero), -s, Vector<T>.Zero));
            (Vector.LoadUnsafe(ref t, i) - move).StoreUnsafe(ref t, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T r = ref At(State[0][p], start);
        ref T z = ref At(State[1][p], start);
        Vector512<T> minus = Vector512.Create(Minus), plus = Vector512.Create(Plus), min = Vector512.Create(Min), max = Vector512.Create(Max);
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref r, ref z, i, minus, plus, min, max);
            Update(ref t, ref g, ref r, ref z, i + q, minus, plus, min, max);
            Update(ref t, ref g, ref r, ref z, i + 2 * q, minus, plus, min, max);
            Update(ref t, ref g, ref r, ref z, i + 3 * q, minus, plus, min, max);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref r, ref z, i, minus, plus, min, max);
        }

        Remainder(ref t, ref g, ref r, ref z, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T r, ref T z, nuint i, Vector512<T> minus, Vector512<T> plus, Vector512<T> min, Vector512<T> max)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var x = gi * Vector512.LoadUnsafe(ref r, i);
            var up = Vector512.GreaterThan(x, Vector512<T>.Zero);
            var down = Vector512.LessThan(x, Vector512<T>.Zero);
            var s = Vector512.LoadUnsafe(ref z, i) * Vector512.ConditionalSelect(up, plus, Vector512.ConditionalSelect(down, minus, Vector512<T>.One));
            s = Vector512.Min(Vector512.Max(s, min), max);
            s.StoreUnsafe(ref z, i);
            gi = Vector512.ConditionalSelect(down, Vector512<T>.Zero, gi);
            gi.StoreUnsafe(ref r, i);
            var move = Vector512.ConditionalSelect(Vector512.GreaterThan(gi, Vector512<T>.Zero), s,
                                                   Vector512.ConditionalSelect(Vector512.LessThan(gi, Vector512<T>.Zero), -s, Vector512<T>.Zero));
            (Vector512.LoadUnsafe(ref t, i) - move).StoreUnsafe(ref t, i);
        }
    }

    private static T Factor(T product) => product > T.Zero ? Plus : product < T.Zero ? Minus : T.One;

    private static T Clamp(T s) => s < Min ? Min : s > Max ? Max : s;

    private static void Remainder(ref T t, ref T g, ref T r, ref T z, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T x = gi * Unsafe.Add(ref r, i);
            T s = Clamp(Unsafe.Add(ref z, i) * Factor(x));
            Unsafe.Add(ref z, i) = s;
            gi = x < T.Zero ? T.Zero : gi;
            Unsafe.Add(ref r, i) = gi;
            Unsafe.Add(ref t, i) -= gi > T.Zero ? s : gi < T.Zero ? -s : T.Zero;
        }
    }
}
