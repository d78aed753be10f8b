namespace Optimizers.Tests;

/// <summary>MomentumKernel.Step against a scalar loop written here, for every length and flag combination.</summary>
public sealed class MomentumKernelTests
{
    /// <summary>Every combination of nesterov, maximize, firstStep, with and without dampening and weight decay.</summary>
    public static TheoryData<bool, bool, bool, double, double> Flags()
    {
        var data = new TheoryData<bool, bool, bool, double, double>();
        foreach (bool nesterov in new[] { false, true })
        {
            foreach (bool maximize in new[] { false, true })
            {
                foreach (bool firstStep in new[] { false, true })
                {
                    foreach (double dampening in new[] { 0.0, 0.3 })
                    {
                        foreach (double weightDecay in new[] { 0.0, 0.01 })
                        {
                            data.Add(nesterov, maximize, firstStep, dampening, weightDecay);
                        }
                    }
                }
            }
        }

        return data;
    }

    /// <summary>
    /// The reference: g = ±grad[i] + λ·θ[i];  b[i] = first ? g : μ·b[i] + (1 − τ)·g;
    /// d = nesterov ? g + μ·b[i] : b[i];  θ[i] = θ[i] − α·d.
    /// </summary>
    private static void Reference(double[] theta, double[] grad, double[] buffer, double lr, double mu, double dampening,
                                  bool nesterov, double weightDecay, bool maximize, bool firstStep)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            double g = (maximize ? -grad[i] : grad[i]) + weightDecay * theta[i];
            buffer[i] = firstStep ? g : mu * buffer[i] + (1 - dampening) * g;
            double d = nesterov ? g + mu * buffer[i] : buffer[i];
            theta[i] = theta[i] - lr * d;
        }
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void MatchesTheScalarReferenceAtEveryLength(bool nesterov, bool maximize, bool firstStep, double dampening, double weightDecay)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values(n, seed: n);
            var grad = KernelTestData.Values(n, seed: n + 1000);
            var buffer = KernelTestData.Values(n, seed: n + 2000);
            var expectedTheta = theta.ToArray();
            var expectedBuffer = buffer.ToArray();
            Reference(expectedTheta, grad, expectedBuffer, 0.037, 0.9, dampening, nesterov, weightDecay, maximize, firstStep);

            MomentumKernel.Step(theta, grad, buffer, 0.037, 0.9, dampening, nesterov, weightDecay, maximize, firstStep);

            KernelTestData.ShouldBeBitwiseEqual(theta, expectedTheta, $"θ, length {n}");
            KernelTestData.ShouldBeBitwiseEqual(buffer, expectedBuffer, $"buffer, length {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void WorksInPlaceWhenTheGradientIsThetaItself(bool nesterov, bool maximize, bool firstStep, double dampening, double weightDecay)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values(n, seed: n);
            var buffer = KernelTestData.Values(n, seed: n + 2000);
            var expectedTheta = theta.ToArray();
            var expectedBuffer = buffer.ToArray();
            Reference(expectedTheta, theta.ToArray(), expectedBuffer, 0.25, 0.5, dampening, nesterov, weightDecay, maximize, firstStep);

            MomentumKernel.Step(theta, theta, buffer, 0.25, 0.5, dampening, nesterov, weightDecay, maximize, firstStep);

            KernelTestData.ShouldBeBitwiseEqual(theta, expectedTheta, $"θ in place, length {n}");
            KernelTestData.ShouldBeBitwiseEqual(buffer, expectedBuffer, $"buffer in place, length {n}");
        }
    }

    [Fact]
    public void FirstStepIgnoresTheOldBufferContents()
    {
        // b₁ = g whatever the buffer held (even NaN), as PyTorch starts from a fresh clone of g.
        var theta = new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var grad = new double[] { 1, -1, 2, -2, 3, -3, 4, -4, 5 };
        var buffer = Enumerable.Repeat(double.NaN, 9).ToArray();
        MomentumKernel.Step(theta, grad, buffer, 0.5, 0.9, 0.3, false, 0, false, firstStep: true);
        buffer.Should().Equal(grad);
        theta.Should().Equal(1 - 0.5, 2 + 0.5, 3 - 1, 4 + 1, 5 - 1.5, 6 + 1.5, 7 - 2, 8 + 2, 9 - 2.5);
    }

    [Theory]
    [InlineData(8, 7, 8)]
    [InlineData(8, 8, 7)]
    [InlineData(7, 8, 8)]
    [InlineData(0, 0, 1)]
    public void MismatchedLengthsThrowAndWriteNothing(int thetaLength, int gradLength, int bufferLength)
    {
        var theta = KernelTestData.Values(thetaLength, 1);
        var buffer = KernelTestData.Values(bufferLength, 2);
        var thetaBefore = theta.ToArray();
        var bufferBefore = buffer.ToArray();
        FluentActions.Invoking(() => MomentumKernel.Step(theta, new double[gradLength], buffer, 0.1, 0.9, 0, false, 0, false, false))
            .Should().Throw<ArgumentException>().WithMessage("*length*");
        theta.Should().Equal(thetaBefore);
        buffer.Should().Equal(bufferBefore);
    }
}
