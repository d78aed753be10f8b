using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Optimizers.Benchmarks.Infrastructure;
using TorchSharp;

namespace Optimizers.Benchmarks.Cases;

/// <summary>
/// Adamax (torch.optim.Adamax defaults): m ← β₁·m + (1 − β₁)·g;  u ← max(β₂·u, |g| + ε);
/// θ ← θ − (γ / (1 − β₁ᵗ))·m / u, with γ = 0.002, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
/// </summary>
public class AdamaxStep : StepBenchmark
{
    private const double Lr = 0.002;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Eps = 1e-8;

    protected override int StateCount => 2;

    protected override Optimizer CreateLibrary(IReadOnlyList<Parameter> parameters) => new Adamax(parameters, Lr, Beta1, Beta2, Eps);

    protected override torch.optim.Optimizer CreateTorch(IList<TorchSharp.Modules.Parameter> parameters)
        => torch.optim.Adamax(parameters, lr: Lr, beta1: Beta1, beta2: Beta2, eps: Eps, weight_decay: 0);

    protected override void MathNetExpressionsStep(int p)
    {
        var g = MGrad[p];
        MState[0][p] = MState[0][p] * Beta1 + g * (1 - Beta1);
        MState[1][p] = (MState[1][p] * Beta2).PointwiseMaximum(g.PointwiseAbs() + Eps);
        MTheta[p] = MTheta[p] - MState[0][p].PointwiseDivide(MState[1][p]) * (Lr / (1 - Math.Pow(Beta1, StepNumber)));
    }

    protected override void MathNetInPlaceStep(int p)
    {
        var m = MState[0][p];
        var u = MState[1][p];
        var g = MGrad[p];
        var tmp = MTemp[p];
        m.Multiply(Beta1, m);
        g.Multiply(1 - Beta1, tmp);
        m.Add(tmp, m);
        u.Multiply(Beta2, u);
        g.PointwiseAbs(tmp);
        tmp.Add(Eps, tmp);
        u.PointwiseMaximum(tmp, u);
        m.PointwiseDivide(u, tmp);
        tmp.Multiply(Lr / (1 - Math.Pow(Beta1, StepNumber)), tmp);
        MTheta[p].Subtract(tmp, MTheta[p]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void FusedRange(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expInf = State[1][p].AsSpan(start, length);
        double stepSize = Lr / (1 - Math.Pow(Beta1, StepNumber));
        var t = MemoryMarshal.Cast<double, Vector<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector<double>>(grad);
        var m = MemoryMarshal.Cast<double, Vector<double>>(expAvg);
        var u = MemoryMarshal.Cast<double, Vector<double>>(expInf);
        var eps = new Vector<double>(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var mk = m[k] * Beta1 + gk * (1 - Beta1);
            var uk = Vector.Max(u[k] * Beta2, Vector.Abs(gk) + eps);
            m[k] = mk;
            u[k] = uk;
            t[k] -= stepSize * mk / uk;
        }

        Remainder(theta, grad, expAvg, expInf, stepSize, t.Length * Vector<double>.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // see StepBenchmark.FusedRange
    protected override void Fused512Range(int p, int start, int length)
    {
        var theta = Theta[p].AsSpan(start, length);
        var grad = Grad[p].AsSpan(start, length);
        var expAvg = State[0][p].AsSpan(start, length);
        var expInf = State[1][p].AsSpan(start, length);
        double stepSize = Lr / (1 - Math.Pow(Beta1, StepNumber));
        var t = MemoryMarshal.Cast<double, Vector512<double>>(theta);
        var g = MemoryMarshal.Cast<double, Vector512<double>>(grad);
        var m = MemoryMarshal.Cast<double, Vector512<double>>(expAvg);
        var u = MemoryMarshal.Cast<double, Vector512<double>>(expInf);
        var eps = Vector512.Create(Eps);
        for (int k = 0; k < t.Length; k++)
        {
            var gk = g[k];
            var mk = m[k] * Beta1 + gk * (1 - Beta1);
            var uk = Vector512.Max(u[k] * Beta2, Vector512.Abs(gk) + eps);
            m[k] = mk;
            u[k] = uk;
            t[k] -= stepSize * mk / uk;
        }

        Remainder(theta, grad, expAvg, expInf, stepSize, t.Length * Vector512<double>.Count);
    }

    private static void Remainder(Span<double> theta, ReadOnlySpan<double> grad, Span<double> expAvg, Span<double> expInf,
                                  double stepSize, int from)
    {
        for (int i = from; i < theta.Length; i++)
        {
            double g = grad[i];
            double m = expAvg[i] * Beta1 + g * (1 - Beta1);
            double u = Math.Max(expInf[i] * Beta2, Math.Abs(g) + Eps);
            expAvg[i] = m;
            expInf[i] = u;
            theta[i] -= stepSize * m / u;
        }
    }
}
