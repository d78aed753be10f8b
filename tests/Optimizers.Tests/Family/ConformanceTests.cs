using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Family;

/// <summary>
/// One set of checks run over every optimizer (Optax's style): what any sound update rule must do, in either element
/// type. The problems are evaluated in double from the parameters' values; the gradients are rounded to
/// <typeparamref name="T"/> as a network in <typeparamref name="T"/> would produce them.
/// </summary>
public abstract class ConformanceTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string> Names => AllOptimizers.ConformantNames();

    private static T E(double x) => Element<T>.From(x);

    private static double D(T x) => Element<T>.ToDouble(x);

    [Theory]
    [MemberData(nameof(Names))]
    public void A_zero_gradient_from_a_fresh_state_leaves_the_parameters_unchanged(string name)
    {
        var start = Element<T>.From([1.5, -2.0, 0.0, 3e-8, -7e5, 1e-300]).Append(Element<T>.Subnormal).ToArray();
        var p = new Parameter<T>("p", (T[])start.Clone());
        var optimizer = AllOptimizers<T>.Create(name, p);

        for (int t = 0; t < 5; t++)
        {
            optimizer.Step();
        }

        p.Value.ToArray().Should().Equal(start);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_first_step_moves_every_element_with_a_nonzero_gradient_unless_the_rule_says_it_does_not(string name)
    {
        // Rules whose first step only initialises state (ADOPT: v₁ = g₁², θ unchanged) are marked in the catalog
        // (MovesOnFirstStep = false): for them the claim checked is the opposite one, bit for bit, and the second step moves.
        var start = Element<T>.From([1.5, -2.0, 0.25, 3.0]);
        var p = new Parameter<T>("p", (T[])start.Clone());
        var optimizer = AllOptimizers<T>.Create(name, p);
        bool moves = AllOptimizers<T>.Configurations[name].MovesOnFirstStep;

        Element<T>.From([0.5, -1.0, 2.0, -0.125]).CopyTo(p.GradientArray, 0);
        optimizer.Step();

        for (int i = 0; i < start.Length; i++)
        {
            (p.Value[i] != start[i]).Should().Be(moves, $"{name}: element {i} after the first step");
        }

        if (!moves)
        {
            optimizer.Step();
            p.Value.ToArray().Should().NotEqual(start, $"{name} moves from its second step on");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Converges_on_a_convex_quadratic(string name)
    {
        // f(θ) = ½ Σ aᵢ θᵢ², an ill-conditioned bowl (condition number 10); ∇f = a ⊙ θ; minimum 0 at θ = 0.
        double[] a = [1, 3, 10];
        var p = new Parameter<T>("θ", Element<T>.From([1.0, -2.0, 0.5]));
        var optimizer = AllOptimizers<T>.Create(name, p);
        double f0 = Quadratic(a, p);

        // Adaptive rules differ a lot in speed here (AdaDelta's unit-correcting steps start tiny), so each gets
        // up to 20,000 steps; the loop stops as soon as f has dropped by four orders of magnitude.
        for (int t = 0; t < 20_000 && Quadratic(a, p) >= 1e-4 * f0; t++)
        {
            for (int i = 0; i < a.Length; i++)
            {
                p.Gradient[i] = E(a[i] * D(p.Value[i]));
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
        var p = new Parameter<T>("xy", Element<T>.From([-1.2, 1.0]));
        var optimizer = AllOptimizers<T>.Create(name, p);
        optimizer.LearningRate /= 10; // the valley's curvature (≈ 1000 across it) needs smaller steps than the bowl
        double f0 = Rosenbrock(p);

        for (int t = 0; t < 2000; t++)
        {
            double x = D(p.Value[0]), y = D(p.Value[1]);
            p.Gradient[0] = E(-2 * (1 - x) - 400 * x * (y - x * x));
            p.Gradient[1] = E(200 * (y - x * x));
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
        var gradients = Enumerable.Range(0, 40).Select(_ => Element<T>.From(Enumerable.Range(0, 9).Select(_ => random.NextDouble() - 0.5))).ToArray();

        T[] Alone(T[] start)
        {
            var p = new Parameter<T>("p", (T[])start.Clone());
            var optimizer = AllOptimizers<T>.Create(name, p);
            foreach (var g in gradients)
            {
                g.CopyTo(p.GradientArray, 0);
                optimizer.Step();
            }

            return p.Value.ToArray();
        }

        T[] startA = Element<T>.From([1, 2, 3, 4, 5, 6, 7, 8, 9]), startB = Element<T>.From([-1, 0.5, 0, 2, -3, 1, 1, 1, 1]);
        var a = new Parameter<T>("a", (T[])startA.Clone());
        var b = new Parameter<T>("b", (T[])startB.Clone());
        var optimizerA = AllOptimizers<T>.Create(name, a);
        var optimizerB = AllOptimizers<T>.Create(name, b);
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
        var solo = new Parameter<T>("b", (T[])startB.Clone());
        var soloOptimizer = AllOptimizers<T>.Create(name, solo);
        foreach (var g in gradients)
        {
            g.Reverse().ToArray().CopyTo(solo.GradientArray, 0);
            soloOptimizer.Step();
        }

        b.Value.ToArray().Should().Equal(solo.Value.ToArray());
    }

    private static double Quadratic(double[] a, Parameter<T> p) => 0.5 * a.Select((ai, i) => ai * D(p.Value[i]) * D(p.Value[i])).Sum();

    private static double Rosenbrock(Parameter<T> p)
    {
        double x = D(p.Value[0]), y = D(p.Value[1]);
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    }
}

public sealed class ConformanceTests_Double : ConformanceTests<double>;

public sealed class ConformanceTests_Single : ConformanceTests<float>;
