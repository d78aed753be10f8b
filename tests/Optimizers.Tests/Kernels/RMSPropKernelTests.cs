using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>RMSPropKernel.Step against its scalar loop (<see cref="ReferenceLoops.RMSProp"/>) over three steps, every option.</summary>
public abstract class RMSPropKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double, double, double, double, bool, bool> Options => new()
    {
        { 0.99, 1e-8, 0.0, 0.0, false, false },
        { 0.99, 1e-8, 0.0, 0.9, false, false },
        { 0.9, 1e-8, 0.01, 0.0, true, false },
        { 0.5, 1e-6, 0.1, 0.5, true, true },
        { 0.3, 0.0, 0.0, 0.9, true, false },
        { 0.9, 1e-8, 0.0, 0.0, true, false },
        { 0.99, 1e-8, 0.01, 0.9, false, false },
        { 0.99, 1e-8, 0.0, 0.0, false, true },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Vectorised_kernel_equals_a_scalar_loop_bit_for_bit(
        double alpha, double eps, double weightDecay, double momentum, bool centered, bool maximize)
    {
        const double lr = 0.01;
        for (int n = 0; n <= 70; n++)
        {
            var rng = new Random(2000 + n);
            var theta = RandomSpans.WideNormal<T>(rng, n);
            // keep v ≥ ḡ² so that the centred variance starts non-negative
            var gradAvg = centered ? RandomSpans.WideNormal<T>(rng, n) : [];
            var squareAvg = RandomSpans.WideNonNegative<T>(rng, n);
            if (centered)
            {
                for (int i = 0; i < n; i++)
                {
                    squareAvg[i] += gradAvg[i] * gradAvg[i];
                }
            }

            var buffer = momentum > 0 ? RandomSpans.WideNormal<T>(rng, n) : [];
            var thetaRef = theta.ToArray();
            var squareAvgRef = squareAvg.ToArray();
            var gradAvgRef = gradAvg.ToArray();
            var bufferRef = buffer.ToArray();

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal<T>(rng, n);
                RMSPropKernel.Step<T>(theta, grad, squareAvg, gradAvg, buffer,
                                      lr, alpha, eps, weightDecay, momentum, centered, maximize);
                ReferenceLoops.RMSProp<T>(thetaRef, grad, squareAvgRef, gradAvgRef, bufferRef,
                                          lr, alpha, eps, weightDecay, momentum, centered, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(squareAvg, squareAvgRef, "square_avg");
            RandomSpans.ShouldBeBitwiseEqual(gradAvg, gradAvgRef, "grad_avg");
            RandomSpans.ShouldBeBitwiseEqual(buffer, bufferRef, "momentum_buffer");
        }
    }
}

public sealed class RMSPropKernelTests_Double : RMSPropKernelTests<double>;

public sealed class RMSPropKernelTests_Single : RMSPropKernelTests<float>;
