namespace Optimizers.Tests.Kernels;

public class AdaDeltaKernelTests
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
            var theta = RandomSpans.WideNormal(rng, n);
            var squareAvg = RandomSpans.WideNonNegative(rng, n);
            var accDelta = RandomSpans.WideNonNegative(rng, n);
            var thetaRef = (double[])theta.Clone();
            var squareAvgRef = (double[])squareAvg.Clone();
            var accDeltaRef = (double[])accDelta.Clone();

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal(rng, n);
                AdaDeltaKernel.Step(theta, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, maximize);
                Reference(thetaRef, grad, squareAvgRef, accDeltaRef, lr, rho, eps, weightDecay, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(squareAvg, squareAvgRef, "square_avg");
            RandomSpans.ShouldBeBitwiseEqual(accDelta, accDeltaRef, "acc_delta");
        }
    }

    private static void Reference(double[] theta, double[] grad, double[] squareAvg, double[] accDelta,
                                  double lr, double rho, double eps, double weightDecay, bool maximize)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            double g = (maximize ? -grad[i] : grad[i]) + weightDecay * theta[i];
            squareAvg[i] = rho * squareAvg[i] + (1 - rho) * g * g;
            double delta = Math.Sqrt((accDelta[i] + eps) / (squareAvg[i] + eps)) * g;
            accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
            theta[i] = theta[i] - lr * delta;
        }
    }
}
