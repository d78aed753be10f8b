using System.Numerics;
using Optimizers.Demo.Catalog;

namespace Optimizers.Demo.Functions;

/// <summary>One optimizer's path across a <see cref="TestFunction"/>.</summary>
/// <param name="Optimizer">The optimizer's name.</param>
/// <param name="LearningRate">The learning rate the path was made with.</param>
/// <param name="Points">The start point, then the point after each step.</param>
/// <param name="FinalValue">f at the last point (+∞ if the path left the chart's window, climbed above f at the start, or overflowed).</param>
public sealed record OptimizerPath(string Optimizer, double LearningRate, IReadOnlyList<(double X, double Y)> Points, double FinalValue);

/// <summary>
/// Runs optimizers on a two-variable function, the point (x, y) being one <see cref="Parameter{T}"/> of length 2. In
/// float the point and the optimizer's state are float; f and ∇f are evaluated in double at the point, and the
/// gradient is rounded to float once.
/// </summary>
public static class PathFinder
{
    /// <summary>The learning rates tried for each optimizer: 1, 2 and 5 per decade from 10⁻⁴ to 5.</summary>
    public static IReadOnlyList<double> LearningRateGrid { get; } =
        Enumerable.Range(-4, 5).SelectMany(e => new[] { 1, 2, 5 }.Select(m => m * Math.Pow(10, e))).ToArray();

    /// <summary>
    /// Follows <paramref name="entry"/> (hyperparameters at their defaults) from the function's start for its
    /// number of steps with learning rate <paramref name="learningRate"/>.
    /// </summary>
    public static OptimizerPath Follow<T>(TestFunction function, OptimizerEntry<T> entry, double learningRate, int? steps = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] start = [T.CreateTruncating(function.Start.X), T.CreateTruncating(function.Start.Y)];
        var point = entry.TakesMatrices
            ? new Parameter<T>("xy", MathNet.Numerics.LinearAlgebra.Matrix<T>.Build.Dense(1, 2, start))   // a 1 × 2 weight
            : new Parameter<T>("xy", start);
        var optimizer = entry.CreateDefault([point], learningRate);
        var points = new List<(double X, double Y)> { (double.CreateTruncating(point.Value[0]), double.CreateTruncating(point.Value[1])) };
        double ceiling = function.Value(points[0].X, points[0].Y);
        for (int t = 0; t < (steps ?? function.Steps); t++)
        {
            optimizer.ZeroGrad();
            var (dx, dy) = function.Gradient(double.CreateTruncating(point.Value[0]), double.CreateTruncating(point.Value[1]));
            if (!double.IsFinite(dx) || !double.IsFinite(dy))
            {
                return new OptimizerPath(entry.Name, learningRate, points, double.PositiveInfinity);
            }

            point.Gradient[0] = T.CreateTruncating(dx);
            point.Gradient[1] = T.CreateTruncating(dy);
            optimizer.Step();
            var scheduleFree = optimizer as ScheduleFreeOptimizer<T>;
            scheduleFree?.Eval();   // a schedule-free rule is plotted at its evaluation point x, the gradient taken at y
            var p = (double.CreateTruncating(point.Value[0]), double.CreateTruncating(point.Value[1]));
            scheduleFree?.Train();
            points.Add(p);
            if (!Inside(function, p) || !(function.Value(p.Item1, p.Item2) <= ceiling))
            {
                return new OptimizerPath(entry.Name, learningRate, points, double.PositiveInfinity);
            }
        }

        var last = points[^1];
        return new OptimizerPath(entry.Name, learningRate, points, function.Value(last.X, last.Y));
    }

    /// <summary>
    /// Tries every rate in <see cref="LearningRateGrid"/> and keeps the path that ends lowest while staying inside the
    /// chart and never climbing above the starting value, so that each optimizer is shown at its best stable rate
    /// rather than at one rate that suits only some.
    /// </summary>
    public static OptimizerPath Best<T>(TestFunction function, OptimizerEntry<T> entry, int? steps = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        OptimizerPath? best = null;
        foreach (double lr in LearningRateGrid)
        {
            var path = Follow(function, entry, lr, steps);
            if (best is null || path.FinalValue < best.FinalValue)
            {
                best = path;
            }
        }

        return best!;
    }

    /// <summary>The name L-BFGS's path carries.</summary>
    public const string LbfgsName = "L-BFGS (strong Wolfe)";

    /// <summary>
    /// Follows L-BFGS with the strong Wolfe line search (α = 1, torch's defaults otherwise) from the function's start:
    /// one iteration per step (maxIterations 1, so each point is one line search along one quasi-Newton direction), for
    /// <paramref name="steps"/> steps or, by default, at most 100: it needs far fewer than the first-order rules.
    /// </summary>
    public static OptimizerPath FollowLbfgs<T>(TestFunction function, int? steps = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var point = new Parameter<T>("xy", [T.CreateTruncating(function.Start.X), T.CreateTruncating(function.Start.Y)]);
        var lbfgs = new LBFGS<T>([point], learningRate: 1, maxIterations: 1, lineSearch: LineSearch.StrongWolfe)
        {
            NonFiniteGradients = NonFiniteGradientPolicy.Propagate,
        };
        Func<double> closure = () =>
        {
            double x = double.CreateTruncating(point.Value[0]), y = double.CreateTruncating(point.Value[1]);
            var (dx, dy) = function.Gradient(x, y);
            point.Gradient[0] = T.CreateTruncating(dx);
            point.Gradient[1] = T.CreateTruncating(dy);
            return function.Value(x, y);
        };

        var points = new List<(double X, double Y)> { (double.CreateTruncating(point.Value[0]), double.CreateTruncating(point.Value[1])) };
        double ceiling = function.Value(points[0].X, points[0].Y);
        for (int t = 0; t < (steps ?? Math.Min(function.Steps, 100)); t++)
        {
            lbfgs.Step(closure);
            var p = (double.CreateTruncating(point.Value[0]), double.CreateTruncating(point.Value[1]));
            points.Add(p);
            if (!Inside(function, p) || !(function.Value(p.Item1, p.Item2) <= ceiling))
            {
                return new OptimizerPath(LbfgsName, 1, points, double.PositiveInfinity);
            }
        }

        var last = points[^1];
        return new OptimizerPath(LbfgsName, 1, points, function.Value(last.X, last.Y));
    }

    private static bool Inside(TestFunction f, (double X, double Y) p)
    {
        return p.X >= f.X.Min && p.X <= f.X.Max && p.Y >= f.Y.Min && p.Y <= f.Y.Max;
    }
}
