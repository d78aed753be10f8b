using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Kernels;

/// <summary>RAdamKernel.Step against its scalar loop (<see cref="ReferenceLoops.RAdam"/>).</summary>
public abstract class RAdamKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [InlineData(false, false, 0.0, 1.0)]
    [InlineData(true, false, 0.0, 1.0)]
    [InlineData(true, true, 0.1, 1.0)]
    [InlineData(false, true, 0.1, 1.0)]
    [InlineData(true, false, 0.0, 0.97)]   // decoupled weight decay (RAdamW): λ = 0, θ shrinks, rectified or not
    [InlineData(false, true, 0.0, 0.97)]
    [InlineData(true, true, 0.1, 0.97)]    // both forms at once (the rule never passes this; the kernel handles it)
    public void Every_length_matches_a_scalar_reference_bit_for_bit(bool rectified, bool maximize, double weightDecay, double shrink)
    {
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, stepSize = 0.0013;
        var random = new Random(13);
        for (int n = 0; n <= 70; n++)
        {
            T[] Draw() => Element<T>.From(Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1));
            T[] theta = Draw(), grad = Draw(), m = Draw(), v = Draw().Select(T.Abs).ToArray();
            T[] eTheta = theta.ToArray(), eM = m.ToArray(), eV = v.ToArray();

            RAdamKernel.Step<T>(theta, grad, m, v, beta1, beta2, eps, weightDecay, shrink, maximize, stepSize, rectified);
            ReferenceLoops.RAdam<T>(eTheta, grad, eM, eV, beta1, beta2, eps, weightDecay, shrink, maximize, stepSize, rectified);

            RandomSpans.ShouldBeBitwiseEqual(theta, eTheta, "θ");
            RandomSpans.ShouldBeBitwiseEqual(m, eM, "m");
            RandomSpans.ShouldBeBitwiseEqual(v, eV, "v");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        var act = () => RAdamKernel.Step<T>(new T[4], new T[3], new T[4], new T[4], 0.9, 0.999, 1e-8,
                                            0, 1, false, 0.001, true);

        act.Should().Throw<ArgumentException>().WithMessage("*lengths differ*");
    }
}

public sealed class RAdamKernelTests_Double : RAdamKernelTests<double>;

public sealed class RAdamKernelTests_Single : RAdamKernelTests<float>;
