namespace Optimizers.Tests.Kernels;

public sealed class NAdamKernelTests
{
    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.2)]
    public void Every_length_matches_a_scalar_reference_bit_for_bit(bool maximize, double weightDecay)
    {
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, c2 = 0.003, a = 0.002, b = 0.0011;
        var random = new Random(9);
        for (int n = 0; n <= 70; n++)
        {
            double[] Draw() => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double[] theta = Draw(), grad = Draw(), m = Draw(), v = Draw().Select(Math.Abs).ToArray();
            double[] eTheta = (double[])theta.Clone(), eM = (double[])m.Clone(), eV = (double[])v.Clone();

            NAdamKernel.Step(theta, grad, m, v, beta1, beta2, eps, weightDecay, maximize, c2, a, b);

            for (int i = 0; i < n; i++)
            {
                double g = (maximize ? -grad[i] : grad[i]) + eTheta[i] * weightDecay;
                eM[i] = eM[i] * beta1 + (1 - beta1) * g;
                eV[i] = eV[i] * beta2 + (1 - beta2) * g * g;
                double root = Math.Sqrt(c2);
                eTheta[i] -= (a * root * g + b * root * eM[i]) / (Math.Sqrt(eV[i]) + eps * root);
            }

            theta.Should().Equal(eTheta, $"θ, length {n}");
            m.Should().Equal(eM, $"m, length {n}");
            v.Should().Equal(eV, $"v, length {n}");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        var act = () => NAdamKernel.Step(new double[4], new double[4], new double[5], new double[4], 0.9, 0.999, 1e-8,
                                         0, false, 0.001, 0.002, 0.001);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }
}
