using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// Adam (torch.optim.Adam defaults): m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
/// θ ← θ − (α / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε), with α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
/// </summary>
/// <remarks>
/// The limit multiplies numerator and denominator by c₂ = √(1 − β₂ᵗ): θ ← θ − S·m / (√v + E) with S = α·c₂/(1 − β₁ᵗ)
/// and E = ε·c₂ formed once per step, one square root and one division per element (torch's text divides twice).
/// </remarks>
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class AdamStep<T> : StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Lr = 0.001;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;
    private static readonly T Beta1T = C(Beta1), Share1 = C(1 - Beta1), Beta2T = C(Beta2), Share2 = C(1 - Beta2), EpsT = C(Eps);

    /// <summary>S = α·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and E = ε·√(1 − β₂ᵗ) of the current step.</summary>
    private T _stepSize, _epsilon;

    protected override int StateCount => 2;

    protected override Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters) => new Adam<T>(parameters, Lr, Beta1, Beta2, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.Adam(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0, amsgrad: false, maximize: false);

    protected override void BeginStep()
    {
        double c2 = Math.Sqrt(1 - Math.Pow(Beta2, StepNumber));
        _stepSize = C(Lr * c2 / (1 - Math.Pow(Beta1, StepNumber)));
        _epsilon = C(Eps * c2);
    }

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepNumber);
        double biasCorrection2 = 1 - Math.Pow(Beta2, StepNumber);
        MState[0][p] = MState[0][p] * Beta1T + g * Share1;
        MState[1][p] = MState[1][p] * Beta2T + g.PointwiseMultiply(g) * Share2;
        var denominator = MState[1][p].PointwiseSqrt() / C(Math.Sqrt(biasCorrection2)) + EpsT;
        MTheta[p] = MTheta[p] - MState[0][p].PointwiseDivide(denominator) * C(Lr / biasCorrection1);
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var v = MState[1][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepNumber);
        double biasCorrection2 = 1 - Math.Pow(Beta2, StepNumber);
        m.Multiply(Beta1T, m);
        g.Multiply(Share1, tmp);
        m.Add(tmp, m);
        v.Multiply(Beta2T, v);
        g.PointwiseMultiply(g, tmp);
        tmp.Multiply(Share2, tmp);
        v.Add(tmp, v);
        v.PointwiseSqrt(tmp);
        tmp.Divide(C(Math.Sqrt(biasCorrection2)), tmp);
        tmp.Add(EpsT, tmp);
        m.PointwiseDivide(tmp, tmp);
        tmp.Multiply(C(Lr / biasCorrection1), tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void LimitRange(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        var c = new Scalars<Vector<T>>(new(Beta1T), new(Share1), new(Beta2T), new(Share2), new(_stepSize), new(_epsilon));
        nuint n = (nuint)length, w = (nuint)Vector<T>.Count, q = Quarter(length, Vector<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
            Update(ref t, ref g, ref m, ref v, i + q, c);
            Update(ref t, ref g, ref m, ref v, i + 2 * q, c);
            Update(ref t, ref g, ref m, ref v, i + 3 * q, c);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
        }

        Remainder(ref t, ref g, ref m, ref v, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T v, nuint i, in Scalars<Vector<T>> c)
        {
            var gi = Vector.LoadUnsafe(ref g, i);
            var mi = Vector.LoadUnsafe(ref m, i) * c.Beta1 + gi * c.Share1;
            var vi = Vector.LoadUnsafe(ref v, i) * c.Beta2 + gi * gi * c.Share2;
            mi.StoreUnsafe(ref m, i);
            vi.StoreUnsafe(ref v, i);
            (Vector.LoadUnsafe(ref t, i) - c.StepSize * mi / (Vector.SquareRoot(vi) + c.Epsilon)).StoreUnsafe(ref t, i);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.LimitRange
    protected override void Limit512Range(int p, int start, int length)
    {
        ref T t = ref At(Theta[p], start);
        ref T g = ref At(Grad[p], start);
        ref T m = ref At(State[0][p], start);
        ref T v = ref At(State[1][p], start);
        var c = new Scalars<Vector512<T>>(Vector512.Create(Beta1T), Vector512.Create(Share1), Vector512.Create(Beta2T),
                                          Vector512.Create(Share2), Vector512.Create(_stepSize), Vector512.Create(_epsilon));
        nuint n = (nuint)length, w = (nuint)Vector512<T>.Count, q = Quarter(length, Vector512<T>.Count), i = 0;
        for (; i < q; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
            Update(ref t, ref g, ref m, ref v, i + q, c);
            Update(ref t, ref g, ref m, ref v, i + 2 * q, c);
            Update(ref t, ref g, ref m, ref v, i + 3 * q, c);
        }

        for (i = 4 * q; i + w <= n; i += w)
        {
            Update(ref t, ref g, ref m, ref v, i, c);
        }

        Remainder(ref t, ref g, ref m, ref v, i, n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(ref T t, ref T g, ref T m, ref T v, nuint i, in Scalars<Vector512<T>> c)
        {
            var gi = Vector512.LoadUnsafe(ref g, i);
            var mi = Vector512.LoadUnsafe(ref m, i) * c.Beta1 + gi * c.Share1;
            var vi = Vector512.LoadUnsafe(ref v, i) * c.Beta2 + gi * gi * c.Share2;
            mi.StoreUnsafe(ref m, i);
            vi.StoreUnsafe(ref v, i);
            (Vector512.LoadUnsafe(ref t, i) - c.StepSize * mi / (Vector512.Sqrt(vi) + c.Epsilon)).StoreUnsafe(ref t, i);
        }
    }

    private void Remainder(ref T t, ref T g, ref T m, ref T v, nuint from, nuint n)
    {
        for (nuint i = from; i < n; i++)
        {
            T gi = Unsafe.Add(ref g, i);
            T mi = Unsafe.Add(ref m, i) * Beta1T + gi * Share1;
            T vi = Unsafe.Add(ref v, i) * Beta2T + gi * gi * Share2;
            Unsafe.Add(ref m, i) = mi;
            Unsafe.Add(ref v, i) = vi;
            Unsafe.Add(ref t, i) -= _stepSize * mi / (T.Sqrt(vi) + _epsilon);
        }
    }

    /// <summary>β₁, 1 − β₁, β₂, 1 − β₂, S and E broadcast once per range.</summary>
    private readonly record struct Scalars<TV>(TV Beta1, TV Share1, TV Beta2, TV Share2, TV StepSize, TV Epsilon);
}
