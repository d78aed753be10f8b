namespace Optimizers.Tests.Kernels;

public class AdaGradKernelTests
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
            var theta = RandomSpans.WideNormal(rng, n);
            var sum = RandomSpans.WideNonNegative(rng, n);
            var (thetaRef, sumRef) = ((double[])theta.Clone(), (double[])sum.Clone());

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal(rng, n);
                AdaGradKernel.Step(theta, grad, sum, lr, eps, weightDecay, maximize);
                Reference(thetaRef, grad, sumRef, lr, eps, weightDecay, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(sum, sumRef, "sum");
        }
    }

    private static void Reference(double[] theta, double[] grad, double[] sum,
                                  double lr, double eps, double weightDecay, bool maximize)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            double g = (maximize ? -grad[i] : grad[i]) + weightDecay * theta[i];
            sum[i] = sum[i] + g * g;
            theta[i] = theta[i] - lr * g / (Math.Sqrt(sum[i]) + eps);
        }
    }
}
