using System.Numerics;
using Optimizers.Tests.Kernels;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>MomentumKernel.Step against its scalar loop (<see cref="ReferenceLoops.Momentum"/>), for every length and flag combination.</summary>
public abstract class MomentumKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
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

    [Theory]
    [MemberData(nameof(Flags))]
    public void MatchesTheScalarReferenceAtEveryLength(bool nesterov, bool maximize, bool firstStep, double dampening, double weightDecay)
    {
        foreach (int n in KernelTestData.Lengths)
        {
            var theta = KernelTestData.Values<T>(n, seed: n);
            var grad = KernelTestData.Values<T>(n, seed: n + 1000);
            var buffer = KernelTestData.Values<T>(n, seed: n + 2000);
            var expectedTheta = theta.ToArray();
            var expectedBuffer = buffer.ToArray();
            ReferenceLoops.Momentum<T>(expectedTheta, grad, expectedBuffer, 0.037, 0.9, dampening, nesterov, weightDecay, maximize, firstStep);

            MomentumKernel.Step<T>(theta, grad, buffer, 0.037, 0.9, dampening, nesterov, weightDecay, maximize, firstStep);

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
            var theta = KernelTestData.Values<T>(n, seed: n);
            var buffer = KernelTestData.Values<T>(n, seed: n + 2000);
            var expectedTheta = theta.ToArray();
            var expectedBuffer = buffer.ToArray();
            ReferenceLoops.Momentum<T>(expectedTheta, theta.ToArray(), expectedBuffer, 0.25, 0.5, dampening, nesterov, weightDecay, maximize, firstStep);

            MomentumKernel.Step<T>(theta, theta, buffer, 0.25, 0.5, dampening, nesterov, weightDecay, maximize, firstStep);

            KernelTestData.ShouldBeBitwiseEqual(theta, expectedTheta, $"θ in place, length {n}");
            KernelTestData.ShouldBeBitwiseEqual(buffer, expectedBuffer, $"buffer in place, length {n}");
        }
    }

    [Fact]
    public void FirstStepIgnoresTheOldBufferContents()
    {
        // b₁ = g whatever the buffer held (even NaN), as PyTorch starts from a fresh clone of g.
        var theta = Element<T>.From([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var grad = Element<T>.From([1, -1, 2, -2, 3, -3, 4, -4, 5]);
        var buffer = Enumerable.Repeat(T.NaN, 9).ToArray();
        MomentumKernel.Step<T>(theta, grad, buffer, 0.5, 0.9, 0.3, false, 0, false, firstStep: true);
        buffer.Should().Equal(grad);
        theta.Should().Equal(Element<T>.From([1 - 0.5, 2 + 0.5, 3 - 1, 4 + 1, 5 - 1.5, 6 + 1.5, 7 - 2, 8 + 2, 9 - 2.5]));
    }

    [Theory]
    [InlineData(8, 7, 8)]
    [InlineData(8, 8, 7)]
    [InlineData(7, 8, 8)]
    [InlineData(0, 0, 1)]
    public void MismatchedLengthsThrowAndWriteNothing(int thetaLength, int gradLength, int bufferLength)
    {
        var theta = KernelTestData.Values<T>(thetaLength, 1);
        var buffer = KernelTestData.Values<T>(bufferLength, 2);
        var thetaBefore = theta.ToArray();
        var bufferBefore = buffer.ToArray();
        FluentActions.Invoking(() => MomentumKernel.Step<T>(theta, new T[gradLength], buffer, 0.1, 0.9, 0, false, 0, false, false))
            .Should().Throw<ArgumentException>().WithMessage("*length*");
        theta.Should().Equal(thetaBefore);
        buffer.Should().Equal(bufferBefore);
    }
}

public sealed class MomentumKernelTests_Double : MomentumKernelTests<double>;

public sealed class MomentumKernelTests_Single : MomentumKernelTests<float>;
