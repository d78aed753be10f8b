using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>AdamaxKernel.Step against its scalar loop (<see cref="ReferenceLoops.Adamax"/>) over three steps.</summary>
public abstract class AdamaxKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double, double, double, double, bool> Options => new()
    {
        { 0.9, 0.999, 1e-8, 0.0, false },
        { 0.25, 0.5, 0.0, 0.1, true },     // lerp weight 0.75: torch's second branch
        { 0.0, 0.9, 1e-3, 0.0, false },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Vectorised_kernel_equals_a_scalar_loop_bit_for_bit(
        double beta1, double beta2, double eps, double weightDecay, bool maximize)
    {
        const double correctedLr = 0.02;
        for (int n = 0; n <= 70; n++)
        {
            var rng = new Random(4000 + n);
            var theta = RandomSpans.WideNormal<T>(rng, n);
            var expAvg = RandomSpans.WideNormal<T>(rng, n);
            var expInf = RandomSpans.WideNonNegative<T>(rng, n).Select(u => u + T.CreateTruncating(1e-3)).ToArray();
            var thetaRef = theta.ToArray();
            var expAvgRef = expAvg.ToArray();
            var expInfRef = expInf.ToArray();

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal<T>(rng, n);
                AdamaxKernel.Step<T>(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
                ReferenceLoops.Adamax<T>(thetaRef, grad, expAvgRef, expInfRef, correctedLr, beta1, beta2, eps, weightDecay, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(expAvg, expAvgRef, "exp_avg");
            RandomSpans.ShouldBeBitwiseEqual(expInf, expInfRef, "exp_inf");
        }
    }
}

public sealed class AdamaxKernelTests_Double : AdamaxKernelTests<double>;

public sealed class AdamaxKernelTests_Single : AdamaxKernelTests<float>;
