using System.Numerics;

namespace Optimizers;

// The strong Wolfe line search of LBFGS<T>: torch's _strong_wolfe and _cubic_interpolate.
public partial class LBFGS<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// torch's <c>_strong_wolfe</c> from θ = the copy in <c>_lineSearchStart</c> along <see cref="Direction"/>: on return
    /// θ is back at the start, <paramref name="t"/>, <paramref name="f"/> and the current gradient are the chosen point's.
    /// </summary>
    private bool StrongWolfe(Func<double> closure, NonFiniteGradientPolicy policy, ref Scalar t, ref double f, Scalar gtd,
                             out int evaluations)
    {
        var d = Direction;
        var dNorm = Scalar.Tensor(MaxAbs(d));
        int g = _gradient;
        evaluations = 0;

        int gNew = FreeGradient(g, -1, -1);
        if (!Evaluate(closure, policy, t.Value, gNew, out double fNew))
        {
            return false;
        }

        evaluations = 1;
        var gtdNew = Scalar.Tensor(Dot(_gradients[gNew], d));

        Scalar tPrev = 0, gtdPrev = gtd, bt0 = 0, bt1 = 0, bd0 = 0, bd1 = 0;
        double fPrev = f, bf0 = 0, bf1 = 0;
        int gPrev = g;
        bool done = false;
        int lsIter = 0;
        int bg0 = -1, bg1 = -1;
        bool single = false;
        while (lsIter < MaxLineSearchEvaluations)
        {
            if (fNew > f + C1 * t * gtd || (lsIter > 1 && fNew >= fPrev))
            {
                (bt0, bt1, bf0, bf1, bg0, bg1, bd0, bd1) = (tPrev, t, fPrev, fNew, gPrev, gNew, gtdPrev, gtdNew);
                break;
            }

            if (Scalar.Abs(gtdNew) <= -C2 * gtd)
            {
                (bt0, bf0, bg0) = (t, fNew, gNew);
                single = true;
                done = true;
                break;
            }

            if (gtdNew >= 0)
            {
                (bt0, bt1, bf0, bf1, bg0, bg1, bd0, bd1) = (tPrev, t, fPrev, fNew, gPrev, gNew, gtdPrev, gtdNew);
                break;
            }

            var minStep = t + 0.01 * (t - tPrev);
            var maxStep = t * 10;
            var previous = t;
            t = CubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);

            tPrev = previous;
            fPrev = fNew;
            gPrev = gNew;
            gtdPrev = gtdNew;
            gNew = FreeGradient(g, gPrev, -1);
            if (!Evaluate(closure, policy, t.Value, gNew, out fNew))
            {
                return false;
            }

            evaluations++;
            gtdNew = Scalar.Tensor(Dot(_gradients[gNew], d));
            lsIter++;
        }

        if (lsIter == MaxLineSearchEvaluations)
        {
            (bt0, bt1, bf0, bf1, bg0, bg1) = (0, t, f, fNew, g, gNew);
        }

        bool insufficientProgress = false;
        int low = single || bf0 <= bf1 ? 0 : 1;
        while (!done && lsIter < MaxLineSearchEvaluations)
        {
            if (Scalar.Abs(bt1 - bt0) * dNorm < ToleranceChange)
            {
                break;
            }

            t = CubicInterpolate(bt0, bf0, bd0, bt1, bf1, bd1);
            var upper = Scalar.Max(bt0, bt1);
            var lower = Scalar.Min(bt0, bt1);
            var eps = 0.1 * (upper - lower);
            if (Scalar.Min(upper - t, t - lower) < eps)
            {
                if (insufficientProgress || t >= upper || t <= lower)
                {
                    t = Scalar.Abs(t - upper) < Scalar.Abs(t - lower) ? upper - eps : lower + eps;
                    insufficientProgress = false;
                }
                else
                {
                    insufficientProgress = true;
                }
            }
            else
            {
                insufficientProgress = false;
            }

            gNew = FreeGradient(bg0, bg1, -1);
            if (!Evaluate(closure, policy, t.Value, gNew, out fNew))
            {
                return false;
            }

            evaluations++;
            gtdNew = Scalar.Tensor(Dot(_gradients[gNew], d));
            lsIter++;

            double fLow = low == 0 ? bf0 : bf1;
            if (fNew > f + C1 * t * gtd || fNew >= fLow)
            {
                if (low == 0)
                {
                    (bt1, bf1, bg1, bd1) = (t, fNew, gNew, gtdNew);
                }
                else
                {
                    (bt0, bf0, bg0, bd0) = (t, fNew, gNew, gtdNew);
                }

                low = bf0 <= bf1 ? 0 : 1;
            }
            else
            {
                if (Scalar.Abs(gtdNew) <= -C2 * gtd)
                {
                    done = true;
                }
                else if (gtdNew * (low == 0 ? bt1 - bt0 : bt0 - bt1) >= 0)
                {
                    if (low == 0)
                    {
                        (bt1, bf1, bg1, bd1) = (bt0, bf0, bg0, bd0);
                    }
                    else
                    {
                        (bt0, bf0, bg0, bd0) = (bt1, bf1, bg1, bd1);
                    }
                }

                if (low == 0)
                {
                    (bt0, bf0, bg0, bd0) = (t, fNew, gNew, gtdNew);
                }
                else
                {
                    (bt1, bf1, bg1, bd1) = (t, fNew, gNew, gtdNew);
                }
            }
        }

        (t, f, _gradient) = low == 0 ? (bt0, bf0, bg0) : (bt1, bf1, bg1);
        return true;
    }

    /// <summary>torch's <c>_cubic_interpolate</c>: the minimiser of the cubic through two points with slopes, clamped
    /// to the interval between them.</summary>
    private static Scalar CubicInterpolate(Scalar x1, Scalar f1, Scalar g1, Scalar x2, Scalar f2, Scalar g2)
        => x1 <= x2 ? CubicInterpolate(x1, f1, g1, x2, f2, g2, x1, x2) : CubicInterpolate(x1, f1, g1, x2, f2, g2, x2, x1);

    /// <summary>torch's <c>_cubic_interpolate</c> with explicit bounds.</summary>
    private static Scalar CubicInterpolate(Scalar x1, Scalar f1, Scalar g1, Scalar x2, Scalar f2, Scalar g2, Scalar lower, Scalar upper)
    {
        var d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        var d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            var d2 = Scalar.Sqrt(d2Square);
            var minPosition = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Scalar.Min(Scalar.Max(minPosition, lower), upper);
        }

        return (lower + upper) / 2.0;
    }
}
