using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>AdoptKernel.Initialise and Step against their scalar loops (<see cref="ReferenceLoops.AdoptFirst"/>, <see cref="ReferenceLoops.Adopt"/>).</summary>
public abstract class AdoptKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double, double, double, double, bool, bool> Options => new()
    {
        { 0.9, 0.9999, 1e-6, 0.0, false, false },
        { 0.25, 0.5, 1e-3, 0.1, false, true },     // lerp weight 0.75: torch's second branch; coupled decay, maximize
        { 0.9, 0.99, 0.0, 0.1, true, false },      // decoupled decay; ε = 0 (denominator √v alone)
    };

    public static IEnumerable<int> Lengths => Enumerable.Range(0, 71).Concat([257, 4099]);

    [Theory]
    [MemberData(nameof(Options))]
    public void Vectorised_kernel_equals_a_scalar_loop_bit_for_bit(
        double beta1, double beta2, double eps, double weightDecay, bool decoupled, bool maximize)
    {
        const double lr = 0.01;
        double coupled = decoupled ? 0 : weightDecay, d = decoupled ? -lr * weightDecay : 0;
        foreach (int n in Lengths)
        {
            var rng = new Random(6000 + n);
            var theta = RandomSpans.WideNormal<T>(rng, n);
            var expAvg = new T[n];
            var expAvgSq = new T[n];
            var thetaRef = theta.ToArray();
            var expAvgRef = expAvg.ToArray();
            var expAvgSqRef = expAvgSq.ToArray();

            var first = RandomSpans.WideNormal<T>(rng, n);
            AdoptKernel.Initialise<T>(theta, first, expAvgSq, coupled, maximize);
            ReferenceLoops.AdoptFirst<T>(thetaRef, first, expAvgSqRef, coupled, maximize);
            for (int step = 2; step <= 4; step++)
            {
                var grad = RandomSpans.WideNormal<T>(rng, n);
                double clip = Math.Pow(step - 1, 0.25);
                AdoptKernel.Step<T>(theta, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, coupled, d, maximize, clip);
                ReferenceLoops.Adopt<T>(thetaRef, grad, expAvgRef, expAvgSqRef, lr, beta1, beta2, eps, coupled, d, maximize, clip);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(expAvg, expAvgRef, "exp_avg");
            RandomSpans.ShouldBeBitwiseEqual(expAvgSq, expAvgSqRef, "exp_avg_sq");
        }
    }
}

public sealed class AdoptKernelTests_Double : AdoptKernelTests<double>;

public sealed class AdoptKernelTests_Single : AdoptKernelTests<float>;
