namespace Optimizers.Tests.Kernels;

public sealed class AdamKernelTests
{
    public static TheoryData<bool, bool, double, double> Options => new()
    {
        // amsgrad, maximize, L2 λ, shrink
        { false, false, 0.0, 1.0 },
        { true, false, 0.0, 1.0 },
        { false, true, 0.3, 1.0 },
        { true, true, 0.0, 0.97 },
        { false, false, 0.0, 0.97 },   // AdamW's defaults: decoupled decay only
        { true, false, 0.0, 0.97 },
        { true, false, 0.3, 1.0 },
        { false, true, 0.0, 0.97 },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Every_length_matches_a_scalar_reference_bit_for_bit(bool amsgrad, bool maximize, double weightDecay, double shrink)
    {
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, stepSize = 0.01, c2 = 0.05;
        var random = new Random(5);
        for (int n = 0; n <= 70; n++)
        {
            double[] Draw() => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double[] theta = Draw(), grad = Draw(), m = Draw();
            double[] v = Draw().Select(Math.Abs).ToArray(), vmax = Draw().Select(Math.Abs).ToArray();
            double[] eTheta = (double[])theta.Clone(), eM = (double[])m.Clone(), eV = (double[])v.Clone(), eMax = (double[])vmax.Clone();

            AdamKernel.Step(theta, grad, m, v, amsgrad ? vmax : [], beta1, beta2, eps, weightDecay, shrink,
                            maximize, amsgrad, stepSize, c2);

            for (int i = 0; i < n; i++)
            {
                double th = eTheta[i] * shrink;
                double g = (maximize ? -grad[i] : grad[i]) + th * weightDecay;
                eM[i] = eM[i] * beta1 + (1 - beta1) * g;
                eV[i] = eV[i] * beta2 + (1 - beta2) * g * g;
                double vHat = eV[i];
                if (amsgrad)
                {
                    eMax[i] = Math.Max(eMax[i], eV[i]);
                    vHat = eMax[i];
                }

                eTheta[i] = th - stepSize * c2 * eM[i] / (Math.Sqrt(vHat) + eps * c2);
            }

            theta.Should().Equal(eTheta, $"θ, length {n}");
            m.Should().Equal(eM, $"m, length {n}");
            v.Should().Equal(eV, $"v, length {n}");
            vmax.Should().Equal(eMax, $"vmax, length {n}");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        var act = () => AdamKernel.Step(new double[3], new double[3], new double[3], new double[2], [], 0.9, 0.999, 1e-8,
                                        0, 1, false, false, 0.01, 0.1);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }

    [Fact]
    public void Amsgrad_needs_a_max_stream_of_the_same_length()
    {
        var act = () => AdamKernel.Step(new double[3], new double[3], new double[3], new double[3], [], 0.9, 0.999, 1e-8,
                                        0, 1, false, true, 0.01, 0.1);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }
}
