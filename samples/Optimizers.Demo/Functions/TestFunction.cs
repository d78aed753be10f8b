namespace Optimizers.Demo.Functions;

/// <summary>A two-variable function with its gradient, a start point and a window to draw it in.</summary>
/// <param name="Key">The name used on the command line and in file names, for example <c>rosenbrock</c>.</param>
/// <param name="Title">The chart title, with the formula.</param>
/// <param name="Value">f(x, y).</param>
/// <param name="Gradient">∇f(x, y) = (∂f/∂x, ∂f/∂y).</param>
/// <param name="Start">Where every optimizer starts.</param>
/// <param name="Minimum">The global minimum, marked on the chart.</param>
/// <param name="X">The horizontal extent of the chart.</param>
/// <param name="Y">The vertical extent of the chart.</param>
/// <param name="Steps">How many optimizer steps each path takes.</param>
public sealed record TestFunction(
    string Key,
    string Title,
    Func<double, double, double> Value,
    Func<double, double, (double Dx, double Dy)> Gradient,
    (double X, double Y) Start,
    (double X, double Y) Minimum,
    (double Min, double Max) X,
    (double Min, double Max) Y,
    int Steps)
{
    /// <summary>
    /// The elongated bowl f(x, y) = x²/20 + y²: curvature 1/10 along x and 2 along y, so plain gradient descent
    /// zig-zags across the valley while crawling along it. Minimum 0 at (0, 0).
    /// </summary>
    public static TestFunction Bowl { get; } = new(
        "bowl", "f(x, y) = x²/20 + y²",
        (x, y) => x * x / 20 + y * y,
        (x, y) => (x / 10, 2 * y),
        Start: (-7, 2), Minimum: (0, 0), X: (-10, 10), Y: (-5, 5), Steps: 40);

    /// <summary>
    /// Rosenbrock's banana f(x, y) = (1 − x)² + 100(y − x²)²: a narrow curved valley. Minimum 0 at (1, 1).
    /// </summary>
    public static TestFunction Rosenbrock { get; } = new(
        "rosenbrock", "Rosenbrock  f(x, y) = (1 − x)² + 100(y − x²)²",
        (x, y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
        (x, y) => (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        Start: (-1.5, 2), Minimum: (1, 1), X: (-2, 2), Y: (-1, 3), Steps: 2000);

    /// <summary>
    /// Beale's function f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat plateaus and
    /// steep walls. Minimum 0 at (3, 0.5).
    /// </summary>
    public static TestFunction Beale { get; } = new(
        "beale", "Beale  f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
        BealeValue,
        BealeGradient,
        Start: (1, 1.5), Minimum: (3, 0.5), X: (-4.5, 4.5), Y: (-4.5, 4.5), Steps: 500);

    /// <summary>The three functions, in the order they are drawn.</summary>
    public static IReadOnlyList<TestFunction> All { get; } = [Bowl, Rosenbrock, Beale];

    private static double BealeValue(double x, double y)
    {
        double a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y * y * y;
        return a * a + b * b + c * c;
    }

    private static (double, double) BealeGradient(double x, double y)
    {
        double a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y * y * y;
        double dx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1);
        double dy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y * y;
        return (dx, dy);
    }
}
