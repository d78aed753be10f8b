namespace Optimizers.Tests;

/// <summary>GradientDescentKernel.Step against a scalar loop written here, for every length and flag.</summary>
public sealed class GradientDescentKernelTests
{
    public static TheoryData<double, bool> Flags => new() { { 0, false }, { 0, true }, { 0.01, false }, { 0.01, true } };

    /// <summary>The reference: g = ±grad[i] + λ·θ[i];  θ[i] = θ[i] − α·g, one element at a time.</summary>
    private static void Reference(double[] theta, double[] grad, double lr, double weightDecay, bool maximize)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            double g = (maximize ? -grad[i] : grad[i]) + weightDecay * theta[i];
            theta[i] = theta[i] - lr * g;
        }
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void MatchesTheScalarReferenceAtEveryLength(double weightDecay, bool maximize)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values(n, seed: n);
            var grad = KernelTestData.Values(n, seed: n + 1000);
            var expected = theta.ToArray();
            Reference(expected, grad, 0.037, weightDecay, maximize);

            GradientDescentKernel.Step(theta, grad, 0.037, weightDecay, maximize);

            KernelTestData.ShouldBeBitwiseEqual(theta, expected, $"length {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void WorksInPlaceWhenTheGradientIsThetaItself(double weightDecay, bool maximize)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values(n, seed: n);
            var expected = theta.ToArray();
            Reference(expected, theta.ToArray(), 0.25, weightDecay, maximize);

            GradientDescentKernel.Step(theta, theta, 0.25, weightDecay, maximize);

            KernelTestData.ShouldBeBitwiseEqual(theta, expected, $"in place, length {n}");
        }
    }

    [Fact]
    public void SpecialValuesBehaveAsInTheScalarLoop()
    {
        // NaN, ±∞, ±0, subnormals and extremes at every offset of a 19-element block (SIMD part and remainder).
        double[] specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-310];
        for (int shift = 0; shift < 19; shift++)
        {
            var theta = Enumerable.Range(0, 19).Select(i => specials[(i + shift) % specials.Length]).ToArray();
            var grad = Enumerable.Range(0, 19).Select(i => specials[(3 * i + shift) % specials.Length]).ToArray();
            var expected = theta.ToArray();
            Reference(expected, grad, 0.5, 0.01, maximize: false);
            GradientDescentKernel.Step(theta, grad, 0.5, 0.01, maximize: false);
            theta.Should().Equal(expected, "double.Equals treats NaN as equal to NaN");
        }
    }

    [Theory]
    [InlineData(8, 7)]
    [InlineData(7, 8)]
    [InlineData(0, 1)]
    public void MismatchedLengthsThrowAndWriteNothing(int thetaLength, int gradLength)
    {
        var theta = KernelTestData.Values(thetaLength, 1);
        var before = theta.ToArray();
        FluentActions.Invoking(() => GradientDescentKernel.Step(theta, new double[gradLength], 0.1, 0, false))
            .Should().Throw<ArgumentException>().WithMessage("*length*");
        theta.Should().Equal(before);
    }
}
