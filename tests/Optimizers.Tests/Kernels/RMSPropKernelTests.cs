namespace Optimizers.Tests.Kernels;

public class RMSPropKernelTests
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
            var theta = RandomSpans.WideNormal(rng, n);
            // keep v ≥ ḡ² so that the centred variance starts non-negative
            var gradAvg = centered ? RandomSpans.WideNormal(rng, n) : [];
            var squareAvg = RandomSpans.WideNonNegative(rng, n);
            if (centered)
            {
                for (int i = 0; i < n; i++)
                {
                    squareAvg[i] += gradAvg[i] * gradAvg[i];
                }
            }

            var buffer = momentum > 0 ? RandomSpans.WideNormal(rng, n) : [];
            var thetaRef = (double[])theta.Clone();
            var squareAvgRef = (double[])squareAvg.Clone();
            var gradAvgRef = (double[])gradAvg.Clone();
            var bufferRef = (double[])buffer.Clone();

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal(rng, n);
                RMSPropKernel.Step(theta, grad, squareAvg, gradAvg, buffer,
                                   lr, alpha, eps, weightDecay, momentum, centered, maximize);
                Reference(thetaRef, grad, squareAvgRef, gradAvgRef, bufferRef,
                          lr, alpha, eps, weightDecay, momentum, centered, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(squareAvg, squareAvgRef, "square_avg");
            RandomSpans.ShouldBeBitwiseEqual(gradAvg, gradAvgRef, "grad_avg");
            RandomSpans.ShouldBeBitwiseEqual(buffer, bufferRef, "momentum_buffer");
        }
    }

    private static void Reference(double[] theta, double[] grad, double[] squareAvg, double[] gradAvg, double[] buffer,
                                  double lr, double alpha, double eps, double weightDecay, double momentum,
                                  bool centered, bool maximize)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            double g = (maximize ? -grad[i] : grad[i]) + weightDecay * theta[i];
            squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * g * g;
            double denominator;
            if (centered)
            {
                double w = 1 - alpha;   // torch's lerp(ḡ, g, w), branch on |w| < 0.5
                gradAvg[i] = Math.Abs(w) < 0.5 ? gradAvg[i] + w * (g - gradAvg[i]) : g - (g - gradAvg[i]) * (1 - w);
                denominator = Math.Sqrt(squareAvg[i] - gradAvg[i] * gradAvg[i]) + eps;
            }
            else
            {
                denominator = Math.Sqrt(squareAvg[i]) + eps;
            }

            if (momentum > 0)
            {
                buffer[i] = momentum * buffer[i] + g / denominator;
                theta[i] = theta[i] - lr * buffer[i];
            }
            else
            {
                theta[i] = theta[i] - lr * g / denominator;
            }
        }
    }
}
