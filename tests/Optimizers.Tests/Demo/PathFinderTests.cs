using Optimizers.Demo.Catalog;
using Optimizers.Demo.Functions;

namespace Optimizers.Tests.Demo;

public class PathFinderTests
{
    [Fact]
    public void Gradient_descent_on_the_bowl_takes_the_hand_worked_first_steps()
    {
        // f = x²/20 + y², ∇f = (x/10, 2y), start (−7, 2), α = 0.4:
        // step 1: x = −7 − 0.4·(−0.7) = −6.72,   y = 2 − 0.4·4 = 0.4
        // step 2: x = −6.72 − 0.4·(−0.672) = −6.4512,   y = 0.4 − 0.4·0.8 = 0.08
        var path = PathFinder.Follow(TestFunction.Bowl, OptimizerCatalog<double>.Find("GradientDescent")!, 0.4, steps: 2);

        path.Points.Should().HaveCount(3);
        path.Points[0].Should().Be((-7.0, 2.0));
        path.Points[1].X.Should().BeApproximately(-6.72, 1e-12);
        path.Points[1].Y.Should().BeApproximately(0.4, 1e-12);
        path.Points[2].X.Should().BeApproximately(-6.4512, 1e-12);
        path.Points[2].Y.Should().BeApproximately(0.08, 1e-12);
        path.FinalValue.Should().BeApproximately(6.4512 * 6.4512 / 20 + 0.08 * 0.08, 1e-12);
    }

    [Fact]
    public void A_step_that_climbs_above_the_start_makes_the_path_unstable()
    {
        // α = 1.5 on y: y ← y − 1.5·2y = −2y, so |y| doubles and f climbs at once.
        var path = PathFinder.Follow(TestFunction.Bowl, OptimizerCatalog<double>.Find("GradientDescent")!, 1.5, steps: 10);

        path.FinalValue.Should().Be(double.PositiveInfinity);
        path.Points.Should().HaveCount(2, "the path stops at the first step that climbs");
    }

    [Fact]
    public void The_gradients_match_central_differences()
    {
        foreach (var f in TestFunction.All)
        {
            foreach (var (x, y) in new[] { (0.3, -0.7), (-1.2, 1.1), (2.0, 0.4) })
            {
                const double h = 1e-6;
                var (dx, dy) = f.Gradient(x, y);
                double nx = (f.Value(x + h, y) - f.Value(x - h, y)) / (2 * h);
                double ny = (f.Value(x, y + h) - f.Value(x, y - h)) / (2 * h);
                dx.Should().BeApproximately(nx, 1e-5 * Math.Max(1, Math.Abs(nx)), $"{f.Key} ∂f/∂x at ({x}, {y})");
                dy.Should().BeApproximately(ny, 1e-5 * Math.Max(1, Math.Abs(ny)), $"{f.Key} ∂f/∂y at ({x}, {y})");
            }

            f.Value(f.Minimum.X, f.Minimum.Y).Should().BeApproximately(0, 1e-12, $"{f.Key}'s stated minimum");
        }
    }

    [Fact]
    public void The_best_path_of_every_optimizer_is_stable_and_descends_in_both_precisions()
    {
        foreach (var f in TestFunction.All)
        {
            foreach (var (double64, single) in OptimizerCatalog<double>.All.Zip(OptimizerCatalog<float>.All))
            {
                foreach (var path in new[] { PathFinder.Best(f, double64, steps: 30), PathFinder.Best(f, single, steps: 30) })
                {
                    path.FinalValue.Should().BeLessThan(f.Value(f.Start.X, f.Start.Y), $"{double64.Name} on {f.Key}");
                    PathFinder.LearningRateGrid.Should().Contain(path.LearningRate);
                }
            }
        }
    }

    [Fact]
    public void A_single_precision_path_takes_the_same_steps_rounded_to_float()
    {
        // f = x²/20 + y², start (−7, 2), α = 0.4, as the hand-worked double path: every value on the way is a float.
        // step 1: x = −7 − fl(0.4)·fl(−0.7), y = 2 − fl(0.4)·4, each rounded to float.
        var path = PathFinder.Follow(TestFunction.Bowl, OptimizerCatalog<float>.Find("GradientDescent")!, 0.4, steps: 2);

        float x1 = -7f - 0.4f * -0.7f, y1 = 2f - 0.4f * 4f;
        path.Points[1].Should().Be(((double)x1, (double)y1));
        path.Points.Should().OnlyContain(p => (double)(float)p.X == p.X && (double)(float)p.Y == p.Y, "the point is a float parameter");
        path.Points[2].X.Should().BeApproximately(-6.4512, 1e-6);
    }
}
