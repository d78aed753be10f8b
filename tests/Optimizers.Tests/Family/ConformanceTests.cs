using Optimizers.Datasets;
using Optimizers.Networks;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Family;

/// <summary>One set of checks run over every optimizer (Optax's style): what any sound update rule must do.</summary>
public class ConformanceTests
{
    public static TheoryData<string> Names => AllOptimizers.ConformantNames();

    [Theory]
    [MemberData(nameof(Names))]
    public void A_zero_gradient_from_a_fresh_state_leaves_the_parameters_unchanged(string name)
    {
        var start = new[] { 1.5, -2.0, 0.0, 3e-8, -7e5, 1e-300 };
        var p = new Parameter("p", (double[])start.Clone());
        var optimizer = AllOptimizers.Create(name, p);

        for (int t = 0; t < 5; t++)
        {
            optimizer.Step();
        }

        p.Value.ToArray().Should().Equal(start);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Converges_on_a_convex_quadratic(string name)
    {
        // f(θ) = ½ Σ aᵢ θᵢ², an ill-conditioned bowl (condition number 10); ∇f = a ⊙ θ; minimum 0 at θ = 0.
        double[] a = [1, 3, 10];
        var p = new Parameter("θ", new[] { 1.0, -2.0, 0.5 });
        var optimizer = AllOptimizers.Create(name, p);
        double f0 = Quadratic(a, p);

        // Adaptive rules differ a lot in speed here (AdaDelta's unit-correcting steps start tiny), so each gets
        // up to 20,000 steps; the loop stops as soon as f has dropped by four orders of magnitude.
        for (int t = 0; t < 20_000 && Quadratic(a, p) >= 1e-4 * f0; t++)
        {
            for (int i = 0; i < a.Length; i++)
            {
                p.Gradient[i] = a[i] * p.Value[i];
            }

            optimizer.Step();
        }

        Quadratic(a, p).Should().BeLessThan(1e-4 * f0, $"{name} should reach the minimum of a convex quadratic");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Makes_progress_on_Rosenbrock(string name)
    {
        // f(x, y) = (1 − x)² + 100(y − x²)², a curved valley with its minimum 0 at (1, 1).
        var p = new Parameter("xy", new[] { -1.2, 1.0 });
        var optimizer = AllOptimizers.Create(name, p);
        optimizer.LearningRate /= 10; // the valley's curvature (≈ 1000 across it) needs smaller steps than the bowl
        double f0 = Rosenbrock(p);

        for (int t = 0; t < 2000; t++)
        {
            double x = p.Value[0], y = p.Value[1];
            p.Gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
            p.Gradient[1] = 200 * (y - x * x);
            optimizer.Step();
        }

        double f = Rosenbrock(p);
        double.IsFinite(f).Should().BeTrue();
        f.Should().BeLessThan(0.5 * f0, $"{name} should at least halve f from {f0}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Two_optimizers_over_different_parameters_never_interfere(string name)
    {
        // Interleaved use of two instances gives exactly what each gives alone.
        var random = new Random(5);
        var gradients = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 9).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();

        double[] Alone(double[] start)
        {
            var p = new Parameter("p", (double[])start.Clone());
            var optimizer = AllOptimizers.Create(name, p);
            foreach (var g in gradients)
            {
                g.CopyTo(p.GradientArray, 0);
                optimizer.Step();
            }

            return p.Value.ToArray();
        }

        double[] startA = [1, 2, 3, 4, 5, 6, 7, 8, 9], startB = [-1, 0.5, 0, 2, -3, 1, 1, 1, 1];
        var a = new Parameter("a", (double[])startA.Clone());
        var b = new Parameter("b", (double[])startB.Clone());
        var optimizerA = AllOptimizers.Create(name, a);
        var optimizerB = AllOptimizers.Create(name, b);
        foreach (var g in gradients)
        {
            g.CopyTo(a.GradientArray, 0);
            g.Reverse().ToArray().CopyTo(b.GradientArray, 0);
            optimizerA.Step();
            optimizerB.Step();
            b.GradientArray.AsSpan().Reverse();
        }

        a.Value.ToArray().Should().Equal(Alone(startA));
        // b was fed the reversed gradients, so compare against a solo run fed the same.
        var solo = new Parameter("b", (double[])startB.Clone());
        var soloOptimizer = AllOptimizers.Create(name, solo);
        foreach (var g in gradients)
        {
            g.Reverse().ToArray().CopyTo(solo.GradientArray, 0);
            soloOptimizer.Step();
        }

        b.Value.ToArray().Should().Equal(solo.Value.ToArray());
    }

    [Fact]
    public void Adam_trains_the_network_on_Iris_to_at_least_97_percent()
    {
        var iris = PublicData.Iris().Standardized();
        var network = Network.Mlp([4, 16, 3], Activation.Tanh, seed: 1);
        var optimizer = new Adam(network.Parameters, learningRate: 0.01);

        for (int epoch = 0; epoch < 300; epoch++)
        {
            optimizer.ZeroGrad();
            network.Backward(iris.Features, iris.Labels);
            optimizer.Step();
        }

        network.Accuracy(iris.Features, iris.Labels).Should().BeGreaterThanOrEqualTo(0.97);
    }

    private static double Quadratic(double[] a, Parameter p) => 0.5 * a.Select((ai, i) => ai * p.Value[i] * p.Value[i]).Sum();

    private static double Rosenbrock(Parameter p)
    {
        double x = p.Value[0], y = p.Value[1];
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    }
}
