using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Kernels;

/// <summary>NAdamKernel.Step against its scalar loop (<see cref="ReferenceLoops.NAdam"/>).</summary>
public abstract class NAdamKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [InlineData(false, 0.0, 1.0)]
    [InlineData(true, 0.2, 1.0)]
    [InlineData(false, 0.0, 0.97)]   // decoupled weight decay (NAdamW): λ = 0, θ shrinks
    [InlineData(true, 0.0, 0.97)]
    [InlineData(true, 0.2, 0.97)]    // both forms at once (the rule never passes this; the kernel handles it)
    public void Every_length_matches_a_scalar_reference_bit_for_bit(bool maximize, double weightDecay, double shrink)
    {
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, c2 = 0.003, a = 0.002, b = 0.0011;
        var random = new Random(9);
        for (int n = 0; n <= 70; n++)
        {
            T[] Draw() => Element<T>.From(Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1));
            T[] theta = Draw(), grad = Draw(), m = Draw(), v = Draw().Select(T.Abs).ToArray();
            T[] eTheta = theta.ToArray(), eM = m.ToArray(), eV = v.ToArray();

            NAdamKernel.Step<T>(theta, grad, m, v, beta1, beta2, eps, weightDecay, shrink, maximize, c2, a, b);
            ReferenceLoops.NAdam<T>(eTheta, grad, eM, eV, beta1, beta2, eps, weightDecay, shrink, maximize, c2, a, b);

            RandomSpans.ShouldBeBitwiseEqual(theta, eTheta, "θ");
            RandomSpans.ShouldBeBitwiseEqual(m, eM, "m");
            RandomSpans.ShouldBeBitwiseEqual(v, eV, "v");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        var act = () => NAdamKernel.Step<T>(new T[4], new T[4], new T[5], new T[4], 0.9, 0.999, 1e-8,
                                            0, 1, false, 0.001, 0.002, 0.001);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }
}

public sealed class NAdamKernelTests_Double : NAdamKernelTests<double>;

public sealed class NAdamKernelTests_Single : NAdamKernelTests<float>;
