using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>AdaGradKernel.Step against its scalar loop (<see cref="ReferenceLoops.AdaGrad"/>) over three steps.</summary>
public abstract class AdaGradKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double, double, double, bool> Options => new()
    {
        { 0.01, 1e-10, 0.0, false },
        { 0.3, 0.0, 0.01, true },
        { 1.0, 1e-3, 0.5, false },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Vectorised_kernel_equals_a_scalar_loop_bit_for_bit(double lr, double eps, double weightDecay, bool maximize)
    {
        for (int n = 0; n <= 70; n++)
        {
            var rng = new Random(1000 + n);
            var theta = RandomSpans.WideNormal<T>(rng, n);
            var sum = RandomSpans.WideNonNegative<T>(rng, n);
            var (thetaRef, sumRef) = (theta.ToArray(), sum.ToArray());

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal<T>(rng, n);
                AdaGradKernel.Step<T>(theta, grad, sum, lr, eps, weightDecay, maximize);
                ReferenceLoops.AdaGrad<T>(thetaRef, grad, sumRef, lr, eps, weightDecay, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(sum, sumRef, "sum");
        }
    }
}

public sealed class AdaGradKernelTests_Double : AdaGradKernelTests<double>;

public sealed class AdaGradKernelTests_Single : AdaGradKernelTests<float>;
