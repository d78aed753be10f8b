namespace Optimizers.Tests.Kernels;

public class AdamaxKernelTests
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
            var theta = RandomSpans.WideNormal(rng, n);
            var expAvg = RandomSpans.WideNormal(rng, n);
            var expInf = RandomSpans.WideNonNegative(rng, n).Select(u => u + 1e-3).ToArray();
            var thetaRef = (double[])theta.Clone();
            var expAvgRef = (double[])expAvg.Clone();
            var expInfRef = (double[])expInf.Clone();

            for (int step = 0; step < 3; step++)
            {
                var grad = RandomSpans.WideNormal(rng, n);
                AdamaxKernel.Step(theta, grad, expAvg, expInf, correctedLr, beta1, beta2, eps, weightDecay, maximize);
                Reference(thetaRef, grad, expAvgRef, expInfRef, correctedLr, beta1, beta2, eps, weightDecay, maximize);
            }

            RandomSpans.ShouldBeBitwiseEqual(theta, thetaRef, "θ");
            RandomSpans.ShouldBeBitwiseEqual(expAvg, expAvgRef, "exp_avg");
            RandomSpans.ShouldBeBitwiseEqual(expInf, expInfRef, "exp_inf");
        }
    }

    private static void Reference(double[] theta, double[] grad, double[] expAvg, double[] expInf,
                                  double correctedLr, double beta1, double beta2, double eps, double weightDecay,
                                  bool maximize)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            double g = (maximize ? -grad[i] : grad[i]) + weightDecay * theta[i];
            double w = 1 - beta1;   // torch's lerp(m, g, w), branch on |w| < 0.5
            expAvg[i] = Math.Abs(w) < 0.5 ? expAvg[i] + w * (g - expAvg[i]) : g - (g - expAvg[i]) * (1 - w);
            expInf[i] = Math.Max(beta2 * expInf[i], Math.Abs(g) + eps);
            theta[i] = theta[i] - correctedLr * expAvg[i] / expInf[i];
        }
    }
}
