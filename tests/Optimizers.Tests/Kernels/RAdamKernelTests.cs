namespace Optimizers.Tests.Kernels;

public sealed class RAdamKernelTests
{
    [Theory]
    [InlineData(false, false, 0.0)]
    [InlineData(true, false, 0.0)]
    [InlineData(true, true, 0.1)]
    [InlineData(false, true, 0.1)]
    public void Every_length_matches_a_scalar_reference_bit_for_bit(bool rectified, bool maximize, double weightDecay)
    {
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, stepSize = 0.0013;
        var random = new Random(13);
        for (int n = 0; n <= 70; n++)
        {
            double[] Draw() => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double[] theta = Draw(), grad = Draw(), m = Draw(), v = Draw().Select(Math.Abs).ToArray();
            double[] eTheta = (double[])theta.Clone(), eM = (double[])m.Clone(), eV = (double[])v.Clone();

            RAdamKernel.Step(theta, grad, m, v, beta1, beta2, eps, weightDecay, maximize, stepSize, rectified);

            for (int i = 0; i < n; i++)
            {
                double g = (maximize ? -grad[i] : grad[i]) + eTheta[i] * weightDecay;
                eM[i] = eM[i] * beta1 + (1 - beta1) * g;
                eV[i] = eV[i] * beta2 + (1 - beta2) * g * g;
                eTheta[i] -= rectified ? stepSize * eM[i] / (Math.Sqrt(eV[i]) + eps) : stepSize * eM[i];
            }

            theta.Should().Equal(eTheta, $"θ, length {n}");
            m.Should().Equal(eM, $"m, length {n}");
            v.Should().Equal(eV, $"v, length {n}");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        var act = () => RAdamKernel.Step(new double[4], new double[3], new double[4], new double[4], 0.9, 0.999, 1e-8,
                                         0, false, 0.001, true);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }
}
