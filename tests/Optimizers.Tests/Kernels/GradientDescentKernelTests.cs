using System.Numerics;
using Optimizers.Tests.Kernels;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>GradientDescentKernel.Step against its scalar loop (<see cref="ReferenceLoops.GradientDescent"/>), for every length and flag.</summary>
public abstract class GradientDescentKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double, bool> Flags => new() { { 0, false }, { 0, true }, { 0.01, false }, { 0.01, true } };

    [Theory]
    [MemberData(nameof(Flags))]
    public void MatchesTheScalarReferenceAtEveryLength(double weightDecay, bool maximize)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values<T>(n, seed: n);
            var grad = KernelTestData.Values<T>(n, seed: n + 1000);
            var expected = theta.ToArray();
            ReferenceLoops.GradientDescent<T>(expected, grad, 0.037, weightDecay, maximize);

            GradientDescentKernel.Step<T>(theta, grad, 0.037, weightDecay, maximize);

            KernelTestData.ShouldBeBitwiseEqual(theta, expected, $"length {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void WorksInPlaceWhenTheGradientIsThetaItself(double weightDecay, bool maximize)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values<T>(n, seed: n);
            var expected = theta.ToArray();
            ReferenceLoops.GradientDescent<T>(expected, theta.ToArray(), 0.25, weightDecay, maximize);

            GradientDescentKernel.Step<T>(theta, theta, 0.25, weightDecay, maximize);

            KernelTestData.ShouldBeBitwiseEqual(theta, expected, $"in place, length {n}");
        }
    }

    [Fact]
    public void SpecialValuesBehaveAsInTheScalarLoop()
    {
        // NaN, ±∞, ±0, subnormals and extremes at every offset of a 19-element block (SIMD part and remainder).
        T[] specials = [T.NaN, T.PositiveInfinity, T.NegativeInfinity, T.Zero, T.NegativeZero, T.Epsilon, -T.Epsilon, Element<T>.MaxValue, -Element<T>.MaxValue, Element<T>.Subnormal];
        for (int shift = 0; shift < 19; shift++)
        {
            var theta = Enumerable.Range(0, 19).Select(i => specials[(i + shift) % specials.Length]).ToArray();
            var grad = Enumerable.Range(0, 19).Select(i => specials[(3 * i + shift) % specials.Length]).ToArray();
            var expected = theta.ToArray();
            ReferenceLoops.GradientDescent<T>(expected, grad, 0.5, 0.01, maximize: false);
            GradientDescentKernel.Step<T>(theta, grad, 0.5, 0.01, maximize: false);
            theta.Should().Equal(expected, "Equals treats NaN as equal to NaN");
        }
    }

    [Theory]
    [InlineData(8, 7)]
    [InlineData(7, 8)]
    [InlineData(0, 1)]
    public void MismatchedLengthsThrowAndWriteNothing(int thetaLength, int gradLength)
    {
        var theta = KernelTestData.Values<T>(thetaLength, 1);
        var before = theta.ToArray();
        FluentActions.Invoking(() => GradientDescentKernel.Step<T>(theta, new T[gradLength], 0.1, 0, false))
            .Should().Throw<ArgumentException>().WithMessage("*length*");
        theta.Should().Equal(before);
    }
}

public sealed class GradientDescentKernelTests_Double : GradientDescentKernelTests<double>;

public sealed class GradientDescentKernelTests_Single : GradientDescentKernelTests<float>;
