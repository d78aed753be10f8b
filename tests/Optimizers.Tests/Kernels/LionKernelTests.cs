using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>LionKernel.Step against its scalar loop (<see cref="ReferenceLoops.Lion"/>) over three steps.</summary>
public abstract class LionKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double, double, double> Options => new()
    {
        { 0.9, 0.99, 1.0 },
        { 0.3, 0.5, 0.999 },    // with the shrink
        { 0.0, 0.0, 1.0 },      // c = g, m = g
    };

    public static IEnumerable<int> Lengths => Enumerable.Range(0, 71).Concat([257, 4099]);

    [Theory]
    [MemberData(nameof(Options))]
    public void Vectorised_kernel_equals_a_scalar_loop_bit_for_bit(double beta1, double beta2, double shrink)
    {
        foreach (int n in Lengths)
        {
            var rng = new Random(5000 + n);
            var theta = RandomSpans.WideNormal<T>(rng, n);
            var expAvg = RandomSpans.WideNormal<T>(rng, n);
            var thetaRef = theta.ToArray();
            var expAvgRef = expAvg.ToArray();

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal<T>(rng, n);
                if (n > 3)
                {
                    grad[n / 2] = T.Zero;     // with β₁ = 0, c = 0 exactly: no step there
                }

                LionKernel.Step<T>(theta, grad, expAvg, 0.01, beta1, beta2, shrink);
                ReferenceLoops.Lion<T>(thetaRef, grad, expAvgRef, 0.01, beta1, beta2, shrink);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(expAvg, expAvgRef, "exp_avg");
        }
    }

    [Fact]
    public void The_sign_is_torch_sign_for_numbers_and_NaN_for_NaN()
    {
        T[] c = [T.CreateTruncating(2.5), T.CreateTruncating(-1e-30), T.Zero, -T.Zero, T.PositiveInfinity, T.NegativeInfinity, T.NaN];
        T[] expected = [T.One, -T.One, T.Zero, T.Zero, T.One, -T.One, T.NaN];
        // β₁ = 0 makes c = g; θ = 0 and α = 1 make θ − α·sign(c) = −sign(c), every lane of a vector and the scalar loop.
        foreach (int n in new[] { c.Length, 64 + c.Length })
        {
            var grad = Enumerable.Range(0, n).Select(i => c[i % c.Length]).ToArray();
            var theta = new T[n];
            LionKernel.Step<T>(theta, grad, new T[n], 1.0, 0.0, 0.5, 1.0);
            for (int i = 0; i < n; i++)
            {
                T step = -theta[i];
                if (T.IsNaN(expected[i % c.Length]))
                {
                    T.IsNaN(step).Should().BeTrue($"sign(NaN) at {i}");
                }
                else
                {
                    step.Should().Be(expected[i % c.Length], $"sign({c[i % c.Length]}) at {i}");
                }
            }
        }
    }
}

public sealed class LionKernelTests_Double : LionKernelTests<double>;

public sealed class LionKernelTests_Single : LionKernelTests<float>;
