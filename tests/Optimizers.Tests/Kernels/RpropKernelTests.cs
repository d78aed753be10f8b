using System.Numerics;
using Optimizers.Tests.Kernels;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>RpropKernel.Step against its scalar loop (<see cref="ReferenceLoops.Rprop"/>), for every length and option.</summary>
public abstract class RpropKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>maximize, and step-size bounds that clamp often (0.05, 0.5) or rarely (1e-6, 50).</summary>
    public static TheoryData<bool, double, double> Flags => new()
    {
        { false, 1e-6, 50 }, { true, 1e-6, 50 }, { false, 0.05, 0.5 }, { true, 0.05, 0.5 },
    };

    [Theory]
    [MemberData(nameof(Flags))]
    public void MatchesTheScalarReferenceAtEveryLength(bool maximize, double min, double max)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values<T>(n, seed: n);
            var grad = KernelTestData.Values<T>(n, seed: n + 1000);
            var prev = KernelTestData.Values<T>(n, seed: n + 2000);
            for (int i = 0; i < n; i += 7)
            {
                prev[i] = T.Zero;   // an element after a flip, or the first step
            }

            var stepSize = KernelTestData.Values<T>(n, seed: n + 3000).Select(T.Abs).ToArray();
            var (t, p, s) = (theta.ToArray(), prev.ToArray(), stepSize.ToArray());
            ReferenceLoops.Rprop<T>(t, grad, p, s, 0.5, 1.2, min, max, maximize);

            RpropKernel.Step<T>(theta, grad, prev, stepSize, 0.5, 1.2, min, max, maximize);

            KernelTestData.ShouldBeBitwiseEqual(theta, t, $"θ, length {n}");
            KernelTestData.ShouldBeBitwiseEqual(prev, p, $"prev, length {n}");
            KernelTestData.ShouldBeBitwiseEqual(stepSize, s, $"step_size, length {n}");
        }
    }

    [Fact]
    public void SpecialValuesBehaveAsInTheScalarLoop()
    {
        // NaN, ±∞, ±0, subnormals and extremes at every offset of a 19-element block (SIMD part and remainder).
        T[] specials = [T.NaN, T.PositiveInfinity, T.NegativeInfinity, T.Zero, T.NegativeZero, T.Epsilon, -T.Epsilon, Element<T>.MaxValue, -Element<T>.MaxValue, Element<T>.Subnormal];
        for (int shift = 0; shift < 19; shift++)
        {
            T[] Block(int k) => Enumerable.Range(0, 19).Select(i => specials[(k * i + shift) % specials.Length]).ToArray();
            var (theta, grad, prev, stepSize) = (Block(1), Block(3), Block(7), Block(9).Select(T.Abs).ToArray());
            var (t, p, s) = (theta.ToArray(), prev.ToArray(), stepSize.ToArray());
            ReferenceLoops.Rprop<T>(t, grad, p, s, 0.5, 1.2, 1e-6, 50, maximize: false);
            RpropKernel.Step<T>(theta, grad, prev, stepSize, 0.5, 1.2, 1e-6, 50, maximize: false);
            theta.Should().Equal(t, "Equals treats NaN as equal to NaN");
            prev.Should().Equal(p);
            stepSize.Should().Equal(s);
        }
    }

    [Fact]
    public void A_NaN_gradient_reaches_theta_the_step_size_and_prev()
    {
        T[] theta = [T.One], grad = [T.NaN], prev = [T.One], stepSize = [T.One];
        RpropKernel.Step<T>(theta, grad, prev, stepSize, 0.5, 1.2, 1e-6, 50, maximize: false);
        T.IsNaN(theta[0]).Should().BeTrue();
        T.IsNaN(prev[0]).Should().BeTrue();
        T.IsNaN(stepSize[0]).Should().BeTrue();
    }

    [Theory]
    [InlineData(8, 7, 8, 8)]
    [InlineData(8, 8, 7, 8)]
    [InlineData(8, 8, 8, 7)]
    public void MismatchedLengthsThrowAndWriteNothing(int thetaLength, int gradLength, int prevLength, int stepLength)
    {
        var theta = KernelTestData.Values<T>(thetaLength, 1);
        var before = theta.ToArray();
        FluentActions.Invoking(() => RpropKernel.Step<T>(theta, new T[gradLength], new T[prevLength], new T[stepLength], 0.5, 1.2, 1e-6, 50, false))
            .Should().Throw<ArgumentException>().WithMessage("*length*");
        theta.Should().Equal(before);
    }
}

public sealed class RpropKernelTests_Double : RpropKernelTests<double>;

public sealed class RpropKernelTests_Single : RpropKernelTests<float>;
