using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Kernels;

/// <summary>AdamKernel.Step (Adam and AdamW) against its scalar loop (<see cref="ReferenceLoops.Adam"/>).</summary>
public abstract class AdamKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
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
            T[] Draw() => Element<T>.From(Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1));
            T[] theta = Draw(), grad = Draw(), m = Draw();
            T[] v = Draw().Select(T.Abs).ToArray(), vmax = Draw().Select(T.Abs).ToArray();
            T[] eTheta = theta.ToArray(), eM = m.ToArray(), eV = v.ToArray(), eMax = vmax.ToArray();

            AdamKernel.Step<T>(theta, grad, m, v, amsgrad ? vmax : [], beta1, beta2, eps, weightDecay, shrink,
                               maximize, amsgrad, stepSize, c2);
            ReferenceLoops.Adam<T>(eTheta, grad, eM, eV, amsgrad ? eMax : [], beta1, beta2, eps, weightDecay, shrink,
                                   maximize, amsgrad, stepSize, c2);

            RandomSpans.ShouldBeBitwiseEqual(theta, eTheta, "θ");
            RandomSpans.ShouldBeBitwiseEqual(m, eM, "m");
            RandomSpans.ShouldBeBitwiseEqual(v, eV, "v");
            RandomSpans.ShouldBeBitwiseEqual(vmax, eMax, "vmax");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        var act = () => AdamKernel.Step<T>(new T[3], new T[3], new T[3], new T[2], [], 0.9, 0.999, 1e-8,
                                           0, 1, false, false, 0.01, 0.1);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }

    [Fact]
    public void Amsgrad_needs_a_max_stream_of_the_same_length()
    {
        var act = () => AdamKernel.Step<T>(new T[3], new T[3], new T[3], new T[3], [], 0.9, 0.999, 1e-8,
                                           0, 1, false, true, 0.01, 0.1);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }
}

public sealed class AdamKernelTests_Double : AdamKernelTests<double>;

public sealed class AdamKernelTests_Single : AdamKernelTests<float>;
