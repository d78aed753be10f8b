using System.Numerics;
using Optimizers.Tests.Kernels;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>ASGDKernel.Step against its scalar loop (<see cref="ReferenceLoops.ASGD"/>), for every length and option.</summary>
public abstract class ASGDKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>weight decay, maximize, the shrink factor (1 skips it) and μ (1 copies θ into ax).</summary>
    public static TheoryData<double, bool, double, double> Flags
    {
        get
        {
            var data = new TheoryData<double, bool, double, double>();
            foreach (double decay in new[] { 0, 0.01 })
            {
                foreach (bool maximize in new[] { false, true })
                {
                    foreach (double shrink in new[] { 1, 0.99937 })
                    {
                        foreach (double mu in new[] { 1, 1.0 / 3 })
                        {
                            data.Add(decay, maximize, shrink, mu);
                        }
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void MatchesTheScalarReferenceAtEveryLength(double weightDecay, bool maximize, double shrink, double mu)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values<T>(n, seed: n);
            var grad = KernelTestData.Values<T>(n, seed: n + 1000);
            var average = KernelTestData.Values<T>(n, seed: n + 2000);
            var (t, a) = (theta.ToArray(), average.ToArray());
            ReferenceLoops.ASGD<T>(t, grad, a, weightDecay, maximize, shrink, 0.037, mu);

            ASGDKernel.Step<T>(theta, grad, average, weightDecay, maximize, shrink, 0.037, mu);

            KernelTestData.ShouldBeBitwiseEqual(theta, t, $"θ, length {n}");
            KernelTestData.ShouldBeBitwiseEqual(average, a, $"ax, length {n}");
        }
    }

    [Fact]
    public void SpecialValuesBehaveAsInTheScalarLoop()
    {
        T[] specials = [T.NaN, T.PositiveInfinity, T.NegativeInfinity, T.Zero, T.NegativeZero, T.Epsilon, -T.Epsilon, Element<T>.MaxValue, -Element<T>.MaxValue, Element<T>.Subnormal];
        for (int shift = 0; shift < 19; shift++)
        {
            T[] Block(int k) => Enumerable.Range(0, 19).Select(i => specials[(k * i + shift) % specials.Length]).ToArray();
            var (theta, grad, average) = (Block(1), Block(3), Block(7));
            var (t, a) = (theta.ToArray(), average.ToArray());
            ReferenceLoops.ASGD<T>(t, grad, a, 0.01, false, 0.999, 0.5, 0.25);
            ASGDKernel.Step<T>(theta, grad, average, 0.01, false, 0.999, 0.5, 0.25);
            theta.Should().Equal(t, "Equals treats NaN as equal to NaN");
            average.Should().Equal(a);
        }
    }

    [Theory]
    [InlineData(8, 7, 8)]
    [InlineData(8, 8, 7)]
    public void MismatchedLengthsThrowAndWriteNothing(int thetaLength, int gradLength, int averageLength)
    {
        var theta = KernelTestData.Values<T>(thetaLength, 1);
        var before = theta.ToArray();
        FluentActions.Invoking(() => ASGDKernel.Step<T>(theta, new T[gradLength], new T[averageLength], 0, false, 1, 0.1, 1))
            .Should().Throw<ArgumentException>().WithMessage("*length*");
        theta.Should().Equal(before);
    }
}

public sealed class ASGDKernelTests_Double : ASGDKernelTests<double>;

public sealed class ASGDKernelTests_Single : ASGDKernelTests<float>;
