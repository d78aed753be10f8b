using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Kernels;

/// <summary>ScheduleFreeKernel (schedule-free SGD and AdamW) against its scalar loop (<see cref="ReferenceLoops.ScheduleFree"/>).</summary>
public abstract class ScheduleFreeKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<bool, double, double> Options => new()
    {
        // adaptive (AdamW form), λ, c (the lerp weight: below 0.5 takes lerp's first branch, 1 the first step's)
        { false, 0.0, 0.3 },
        { false, 0.05, 0.7 },
        { true, 0.0, 0.3 },
        { true, 0.1, 0.7 },
        { true, 0.0, 1.0 },
        { false, 0.0, 0.0 },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Every_length_matches_a_scalar_reference_bit_for_bit(bool adaptive, double weightDecay, double averageWeight)
    {
        const double beta2 = 0.999, eps = 1e-8, biasCorrection2 = 0.0297, lr = 0.01;
        double yStep = lr * (0.9 * (1 - averageWeight) - 1);
        var random = new Random(9);
        foreach (int n in Enumerable.Range(0, 71).Concat([1000, 4099]))
        {
            T[] Draw() => Element<T>.From(Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1));
            T[] y = Draw(), grad = Draw(), z = Draw(), v = Draw().Select(T.Abs).ToArray();
            T[] eY = y.ToArray(), eZ = z.ToArray(), eV = v.ToArray();

            ScheduleFreeKernel.Step<T>(y, grad, z, adaptive ? v : [], adaptive, beta2, eps, biasCorrection2, weightDecay,
                                       averageWeight, yStep, lr);
            ReferenceLoops.ScheduleFree<T>(eY, grad, eZ, adaptive ? eV : [], adaptive, beta2, eps, biasCorrection2,
                                           weightDecay, averageWeight, yStep, lr);

            RandomSpans.ShouldBeBitwiseEqual(y, eY, "y");
            RandomSpans.ShouldBeBitwiseEqual(z, eZ, "z");
            RandomSpans.ShouldBeBitwiseEqual(v, eV, "v");
        }
    }

    [Theory]
    [InlineData(-0.1111111111111111)]
    [InlineData(0.1)]
    [InlineData(-1.0)]
    [InlineData(0.5)]
    public void Interpolate_matches_torch_lerp_bit_for_bit_at_every_length(double weight)
    {
        var random = new Random(3);
        foreach (int n in Enumerable.Range(0, 71).Concat([1000]))
        {
            T[] p = Element<T>.From(Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1));
            T[] z = Element<T>.From(Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1));
            T[] expected = p.Select((s, i) => Lerp.Of(s, z[i], T.CreateTruncating(weight))).ToArray();
            ScheduleFreeKernel.Interpolate<T>(p, z, weight);
            RandomSpans.ShouldBeBitwiseEqual(p, expected, "p");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        var act = () => ScheduleFreeKernel.Step<T>(new T[3], new T[3], new T[2], [], false, 0.9, 1e-8, 1, 0, 0.5, -0.01, 0.01);
        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
        var adaptive = () => ScheduleFreeKernel.Step<T>(new T[3], new T[3], new T[3], [], true, 0.9, 1e-8, 1, 0, 0.5, -0.01, 0.01);
        adaptive.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }
}

public sealed class ScheduleFreeKernelTests_Double : ScheduleFreeKernelTests<double>;

public sealed class ScheduleFreeKernelTests_Single : ScheduleFreeKernelTests<float>;
