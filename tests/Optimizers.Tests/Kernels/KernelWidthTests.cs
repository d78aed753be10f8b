using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>
/// Each kernel is compiled for two vector widths (<see cref="SimdVector{T}"/> and <see cref="Simd512{T}"/>) and picks
/// one per call (<see cref="Kernel.UsesWide{T}"/>); the scalar-reference tests check whichever this machine picks.
/// Here both widths run on the same inputs and must give the same bits in every stream, for float and double, every
/// combination of options, lengths around every vector boundary, spans that start off θ's alignment, and a span long
/// enough to be walked as four quarters. (Where AVX-512 is missing, <see cref="Simd512{T}"/>'s loop is skipped and its
/// scalar loop runs; the comparison still holds.)
/// </summary>
public sealed class KernelWidthTests
{
    public static TheoryData<string> Kernels => new(
        "GradientDescent", "Momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD", "Lion", "Adopt", "ScheduleFree");

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Both_widths_give_the_same_bits_in_double(string kernel) => Compare<double>(kernel);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Both_widths_give_the_same_bits_in_float(string kernel) => Compare<float>(kernel);

    private static void Compare<T>(string kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int quartered = Kernel.InterleaveThresholdBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>() + 3 * 64 + 5;
        var lengths = Enumerable.Range(0, 70).Concat([257, 1000, quartered]);
        var random = new Random(kernel.Length * 31 + System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        foreach (int n in lengths)
        {
            // Values for the longest span tile a random block of 4,099 (a prime, so the quarters see different values).
            var drawn = Enumerable.Range(0, 5).Select(s => Draw<T>(random, Math.Min(n + 8, 4099), nonNegative: s >= 2)).ToArray();
            var streams = drawn.Select(d => Enumerable.Range(0, n + 8).Select(i => d[i % d.Length]).ToArray()).ToArray();
            for (int options = 0; options < 8; options++)
            {
                if (n == quartered && options % 7 != 0)
                {
                    continue;   // the options are covered at the short lengths; here, the quarters with all off and all on
                }

                int offset = n < 1000 ? options % 5 : options;
                var narrow = streams.Select(a => a.ToArray()).ToArray();
                var wide = streams.Select(a => a.ToArray()).ToArray();
                Run<T, SimdVector<T>>(kernel, narrow, offset, options);
                Run<T, Simd512<T>>(kernel, wide, offset, options);
                for (int s = 0; s < streams.Length; s++)
                {
                    int i = FirstDifference(narrow[s], wide[s]);
                    i.Should().Be(-1, $"{kernel}<{typeof(T).Name}>: stream {s}, length {n}, offset {offset}, options {options}");
                }
            }
        }
    }

    /// <summary>One step of <paramref name="kernel"/> on the streams from <paramref name="offset"/> on; the bits of <paramref name="options"/> switch its options.</summary>
    private static void Run<T, TV>(string kernel, T[][] streams, int offset, int options)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        Span<T> S(int i) => streams[i].AsSpan(offset);
        bool a = (options & 1) != 0, b = (options & 2) != 0, c = (options & 4) != 0;
        double decay = a ? 0.01 : 0;
        switch (kernel)
        {
            case "GradientDescent":
                GradientDescentKernel.Step<T, TV>(S(0), S(1), 0.01, decay, b);
                break;
            case "Momentum":
                MomentumKernel.Step<T, TV>(S(0), S(1), S(2), 0.01, 0.9, c ? 0.1 : 0, nesterov: b, decay, maximize: c, firstStep: a && b);
                break;
            case "AdaGrad":
                AdaGradKernel.Step<T, TV>(S(0), S(1), S(2), 0.01, 1e-10, decay, b);
                break;
            case "RMSProp":
                RMSPropKernel.Step<T, TV>(S(0), S(1), S(2), S(3), S(4), 0.01, 0.99, 1e-8, decay, c ? 0.9 : 0, centered: b, maximize: a);
                break;
            case "AdaDelta":
                AdaDeltaKernel.Step<T, TV>(S(0), S(1), S(2), S(3), 1.0, 0.9, 1e-6, decay, b);
                break;
            case "Adam":
                AdamKernel.Step<T, TV>(S(0), S(1), S(2), S(3), S(4), 0.9, 0.999, 1e-8, decay, c ? 0.999 : 1, maximize: a,
                                       amsgrad: b, stepSize: 0.01, biasCorrection2Sqrt: 0.07);
                break;
            case "Adamax":
                AdamaxKernel.Step<T, TV>(S(0), S(1), S(2), S(3), 0.02, c ? 0.6 : 0.9, 0.999, 1e-8, decay, b);
                break;
            case "NAdam":
                NAdamKernel.Step<T, TV>(S(0), S(1), S(2), S(3), 0.9, 0.999, 1e-8, c ? 0 : decay, c ? 0.999 : 1, b, 0.003, 0.002, 0.0011);
                break;
            case "RAdam":
                RAdamKernel.Step<T, TV>(S(0), S(1), S(2), S(3), 0.9, 0.999, 1e-8, decay, a && b ? 0.999 : 1, b, 0.004, rectified: c);
                break;
            case "Lion":
                LionKernel.Step<T, TV>(S(0), S(1), S(2), 0.01, c ? 0.3 : 0.9, 0.99, shrink: a ? 0.999 : 1);
                break;
            case "Adopt":
                AdoptKernel.Step<T, TV>(S(0), S(1), S(2), S(3), 0.01, c ? 0.3 : 0.9, 0.9999, 1e-6, b ? decay : 0,
                                        b ? 0 : -0.01 * decay, maximize: c, clip: 1.5);
                break;
            case "Rprop":
                RpropKernel.Step<T, TV>(S(0), S(1), S(2), S(3), 0.5, 1.2, c ? 0.05 : 1e-6, b ? 0.5 : 50, maximize: a);
                break;
            case "ASGD":
                ASGDKernel.Step<T, TV>(S(0), S(1), S(2), decay, b, c ? 0.999 : 1, 0.01, a ? 0.25 : 1);
                break;
            case "ScheduleFree":
                ScheduleFreeKernel.Step<T, TV>(S(0), S(1), S(2), b ? S(3) : [], adaptive: b, 0.999, 1e-8, 0.05, decay,
                                               c ? 0.7 : 0.3, -0.004, 0.01);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "Unknown kernel.");
        }
    }

    private static T[] Draw<T>(Random random, int n, bool nonNegative)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[n];
        for (int i = 0; i < n; i++)
        {
            double v = (2 * random.NextDouble() - 1) * Math.Pow(10, 4 * random.NextDouble() - 2);
            x[i] = T.CreateTruncating(nonNegative ? Math.Abs(v) : v);
        }

        return x;
    }

    /// <summary>The first index where the two arrays differ in their bits, or −1.</summary>
    private static int FirstDifference<T>(T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bx = System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan());
        var by = System.Runtime.InteropServices.MemoryMarshal.AsBytes(y.AsSpan());
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        for (int i = 0; i < x.Length; i++)
        {
            if (!bx.Slice(i * size, size).SequenceEqual(by.Slice(i * size, size)))
            {
                return i;
            }
        }

        return -1;
    }
}
