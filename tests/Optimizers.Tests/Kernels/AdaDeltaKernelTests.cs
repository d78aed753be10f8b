using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>AdaDeltaKernel.Step against its scalar loop (<see cref="ReferenceLoops.AdaDelta"/>) over three steps.</summary>
public abstract class AdaDeltaKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double, double, double, double, bool> Options => new()
    {
        { 1.0, 0.9, 1e-6, 0.0, false },
        { 0.5, 0.5, 1e-3, 0.1, true },
        { 2.0, 0.0, 1.0, 0.0, false },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Vectorised_kernel_equals_a_scalar_loop_bit_for_bit(
        double lr, double rho, double eps, double weightDecay, bool maximize)
    {
        for (int n = 0; n <= 70; n++)
        {
            var rng = new Random(3000 + n);
            var theta = RandomSpans.WideNormal<T>(rng, n);
            var squareAvg = RandomSpans.WideNonNegative<T>(rng, n);
            var accDelta = RandomSpans.WideNonNegative<T>(rng, n);
            var thetaRef = theta.ToArray();
            var squareAvgRef = squareAvg.ToArray();
            var accDeltaRef = accDelta.ToArray();

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal<T>(rng, n);
                AdaDeltaKernel.Step<T>(theta, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, maximize);
                ReferenceLoops.AdaDelta<T>(thetaRef, grad, squareAvgRef, accDeltaRef, lr, rho, eps, weightDecay, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(squareAvg, squareAvgRef, "square_avg");
            RandomSpans.ShouldBeBitwiseEqual(accDelta, accDeltaRef, "acc_delta");
        }
    }
}

public sealed class AdaDeltaKernelTests_Double : AdaDeltaKernelTests<double>;

public sealed class AdaDeltaKernelTests_Single : AdaDeltaKernelTests<float>;
