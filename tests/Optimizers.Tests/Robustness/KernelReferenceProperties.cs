using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Property (3): every span kernel equals a plain scalar loop written here, element by element and bit for bit,
/// for random lengths 0 … 3,000 (and, in <see cref="Every_length_up_to_140_matches_the_reference"/>, for every
/// length 0 … 140, so that every SIMD body/remainder split is covered), random values over 1e-300 … 1e300 with zeros and
/// subnormals, and random scalars. Bit-for-bit is the right bar: each kernel's vector body and the loops below do
/// the same IEEE-754 operations in the same order, and RyuJIT never contracts a·b + c into a fused multiply-add.
/// Values may overflow here (nothing is constrained); ∞ and NaN must then come out the same as well (NaN payloads
/// are not compared).
/// </summary>
public sealed class KernelReferenceProperties
{
    private const int Cases = 300;

    /// <summary>Spans [0] θ, [1] the gradient, [2…] state; scalars and flags as each kernel takes them.</summary>
    internal sealed class SpanCase
    {
        public required double[][] Streams { get; init; }

        public required double[] Scalars { get; init; }

        public required bool[] Flags { get; init; }

        /// <summary>Where the kernel's spans start in <see cref="Streams"/> (the references always take whole arrays).</summary>
        public int Offset { get; init; }

        /// <summary>Stream <paramref name="i"/> from <see cref="Offset"/> on, as the kernel sees it.</summary>
        public Span<double> S(int i) => Streams[i].AsSpan(Offset);

        public SpanCase Copy() => new()
        {
            Streams = Streams.Select(s => s.ToArray()).ToArray(),
            Scalars = Scalars,
            Flags = Flags,
            Offset = Offset,
        };

        public override string ToString() =>
            $"length {Streams[0].Length}, scalars [{string.Join(", ", Scalars.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}], " +
            $"flags [{string.Join(", ", Flags)}]";
    }

    /// <summary>A kernel under test and its reference, over the streams, scalars and flags of a case.</summary>
    internal sealed record KernelSpec(string Name, Gen<double>[] Streams, Gen<double>[] Scalars, int FlagCount,
                                      Action<SpanCase> Kernel, Action<SpanCase> Reference);

    private static readonly Gen<double> Any = Doubles.Finite(300);
    private static readonly Gen<double> NonNegative = Doubles.Finite(300).Select(Math.Abs);
    private static readonly Gen<double> Rate = Gen.Frequency((1, Gen.Constant(0.0)), (9, Doubles.LogUniform(-8, 1)));
    private static readonly Gen<double> Decay = Gen.Frequency((1, Gen.Constant(0.0)), (3, Doubles.Uniform(0, 0.999)));
    private static readonly Gen<double> Eps = Gen.Frequency((1, Gen.Constant(0.0)), (4, Doubles.LogUniform(-300, 0)));
    private static readonly Gen<double> Fraction = Doubles.Uniform(1e-6, 1);

    private static double Lerp(double s, double e, double w) => Math.Abs(w) < 0.5 ? s + (e - s) * w : e - (e - s) * (1 - w);

    internal static readonly KernelSpec[] Specs =
    [
        new("GradientDescent", [Any, Any], [Rate, Decay], 1,
            c => GradientDescentKernel.Step(c.S(0), c.S(1), c.Scalars[0], c.Scalars[1], c.Flags[0]),
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1];
                double lr = c.Scalars[0], wd = c.Scalars[1], sign = c.Flags[0] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    theta[i] = theta[i] - g * lr;
                }
            }),
        new("Momentum", [Any, Any, Any], [Rate, Decay, Decay, Decay], 3,
            c => MomentumKernel.Step(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2],
                                     nesterov: c.Flags[0], c.Scalars[3], maximize: c.Flags[1], firstStep: c.Flags[2]),
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], buffer = c.Streams[2];
                double lr = c.Scalars[0], mu = c.Scalars[1], dampening = c.Scalars[2], wd = c.Scalars[3];
                double sign = c.Flags[1] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    buffer[i] = c.Flags[2] ? g : buffer[i] * mu + g * (1 - dampening);
                    double d = c.Flags[0] ? g + buffer[i] * mu : buffer[i];
                    theta[i] = theta[i] - d * lr;
                }
            }),
        new("AdaGrad", [Any, Any, NonNegative], [Rate, Eps, Decay], 1,
            c => AdaGradKernel.Step(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Flags[0]),
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], sum = c.Streams[2];
                double lr = c.Scalars[0], eps = c.Scalars[1], wd = c.Scalars[2], sign = c.Flags[0] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    sum[i] = sum[i] + g * g;
                    theta[i] = theta[i] - g * lr / (Math.Sqrt(sum[i]) + eps);
                }
            }),
        new("RMSProp", [Any, Any, NonNegative, Any, Any], [Rate, Decay, Eps, Decay, Decay], 3,
            c =>
            {
                bool centered = c.Flags[0], momentum = c.Scalars[4] > 0;
                RMSPropKernel.Step(c.S(0), c.S(1), c.S(2),
                                   centered ? c.S(3) : Span<double>.Empty, momentum ? c.S(4) : Span<double>.Empty,
                                   c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Scalars[4], centered, c.Flags[1]);
            },
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], squareAvg = c.Streams[2], gradAvg = c.Streams[3], buffer = c.Streams[4];
                double lr = c.Scalars[0], alpha = c.Scalars[1], eps = c.Scalars[2], wd = c.Scalars[3], mu = c.Scalars[4];
                double sign = c.Flags[1] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    squareAvg[i] = squareAvg[i] * alpha + g * (1 - alpha) * g;
                    double d;
                    if (c.Flags[0])
                    {
                        gradAvg[i] = Lerp(gradAvg[i], g, 1 - alpha);
                        double variance = squareAvg[i] - gradAvg[i] * gradAvg[i];
                        d = Math.Sqrt(variance < 0 ? 0 : variance) + eps;
                    }
                    else
                    {
                        d = Math.Sqrt(squareAvg[i]) + eps;
                    }

                    if (mu > 0)
                    {
                        buffer[i] = buffer[i] * mu + g / d;
                        theta[i] = theta[i] - buffer[i] * lr;
                    }
                    else
                    {
                        theta[i] = theta[i] - g * lr / d;
                    }
                }
            }),
        new("AdaDelta", [Any, Any, NonNegative, NonNegative], [Rate, Decay, Doubles.LogUniform(-300, 0), Decay], 1,
            c => AdaDeltaKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3),
                                     c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Flags[0]),
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], v = c.Streams[2], u = c.Streams[3];
                double lr = c.Scalars[0], rho = c.Scalars[1], eps = c.Scalars[2], wd = c.Scalars[3], sign = c.Flags[0] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    v[i] = v[i] * rho + g * (1 - rho) * g;
                    double delta = Math.Sqrt((u[i] + eps) / (v[i] + eps)) * g;
                    u[i] = u[i] * rho + delta * (1 - rho) * delta;
                    theta[i] = theta[i] - delta * lr;
                }
            }),
        // Adam and AdamW share this kernel: Adam passes shrink = 1, AdamW weightDecay = 0 and shrink = 1 − αλ.
        new("Adam", [Any, Any, Any, NonNegative, NonNegative],
            [Decay, Decay, Eps, Decay, Gen.Frequency((1, Gen.Constant(1.0)), (1, Doubles.Uniform(0, 1))), Doubles.LogUniform(-8, 3), Fraction], 2,
            c =>
            {
                bool amsgrad = c.Flags[1];
                AdamKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), amsgrad ? c.S(4) : Span<double>.Empty,
                                c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Scalars[4], c.Flags[0], amsgrad,
                                c.Scalars[5], c.Scalars[6]);
            },
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], m = c.Streams[2], v = c.Streams[3], vmax = c.Streams[4];
                double beta1 = c.Scalars[0], beta2 = c.Scalars[1], eps = c.Scalars[2], wd = c.Scalars[3], shrink = c.Scalars[4];
                double stepSize = c.Scalars[5], c2 = c.Scalars[6], sign = c.Flags[0] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double th = theta[i] * shrink;
                    double g = Adjusted(grad[i], th, wd, sign);
                    m[i] = m[i] * beta1 + (1 - beta1) * g;
                    v[i] = v[i] * beta2 + (1 - beta2) * g * g;
                    double vHat = v[i];
                    if (c.Flags[1])
                    {
                        vmax[i] = vHat = Math.Max(vmax[i], v[i]);
                    }

                    theta[i] = th - stepSize * c2 * m[i] / (Math.Sqrt(vHat) + eps * c2);
                }
            }),
        new("Adamax", [Any, Any, Any, NonNegative], [Doubles.LogUniform(-8, 3), Decay, Decay, Eps, Decay], 1,
            c => AdamaxKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3),
                                   c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Scalars[4], c.Flags[0]),
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], m = c.Streams[2], u = c.Streams[3];
                double lr = c.Scalars[0], beta1 = c.Scalars[1], beta2 = c.Scalars[2], eps = c.Scalars[3], wd = c.Scalars[4];
                double sign = c.Flags[0] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    m[i] = Lerp(m[i], g, 1 - beta1);
                    double decayed = u[i] * beta2, current = Math.Abs(g) + eps;
                    u[i] = decayed > current ? decayed : current;
                    theta[i] = theta[i] - m[i] * lr / u[i];
                }
            }),
        new("NAdam", [Any, Any, Any, NonNegative],
            [Decay, Decay, Eps, Decay, Fraction, Doubles.LogUniform(-8, 1), Doubles.LogUniform(-8, 1)], 1,
            c => NAdamKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1],
                                  c.Scalars[2], c.Scalars[3], c.Flags[0], c.Scalars[4], c.Scalars[5], c.Scalars[6]),
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], m = c.Streams[2], v = c.Streams[3];
                double beta1 = c.Scalars[0], beta2 = c.Scalars[1], eps = c.Scalars[2], wd = c.Scalars[3];
                double c2 = c.Scalars[4], a = c.Scalars[5], b = c.Scalars[6], sign = c.Flags[0] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    m[i] = m[i] * beta1 + (1 - beta1) * g;
                    v[i] = v[i] * beta2 + (1 - beta2) * g * g;
                    double root = Math.Sqrt(c2);
                    theta[i] -= (a * root * g + b * root * m[i]) / (Math.Sqrt(v[i]) + eps * root);
                }
            }),
        new("RAdam", [Any, Any, Any, NonNegative], [Decay, Decay, Eps, Decay, Doubles.LogUniform(-8, 3)], 2,
            c => RAdamKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1],
                                  c.Scalars[2], c.Scalars[3], c.Flags[0], c.Scalars[4], rectified: c.Flags[1]),
            c =>
            {
                double[] theta = c.Streams[0], grad = c.Streams[1], m = c.Streams[2], v = c.Streams[3];
                double beta1 = c.Scalars[0], beta2 = c.Scalars[1], eps = c.Scalars[2], wd = c.Scalars[3], s = c.Scalars[4];
                double sign = c.Flags[0] ? -1.0 : 1.0;
                for (int i = 0; i < theta.Length; i++)
                {
                    double g = Adjusted(grad[i], theta[i], wd, sign);
                    m[i] = m[i] * beta1 + (1 - beta1) * g;
                    v[i] = v[i] * beta2 + (1 - beta2) * g * g;
                    theta[i] = theta[i] - (c.Flags[1] ? s * m[i] / (Math.Sqrt(v[i]) + eps) : s * m[i]);
                }
            }),
    ];

    private static Gen<SpanCase> CaseOf(KernelSpec spec, Gen<int> length) =>
        from n in length
        from streams in Gen.CollectToArray(spec.Streams.Select(s => Gen.ArrayOf(s, n)))
        from scalars in Gen.CollectToArray(spec.Scalars)
        from flags in Gen.ArrayOf(Gen.Elements(false, true), spec.FlagCount)
        select new SpanCase { Streams = streams, Scalars = scalars, Flags = flags };

    /// <summary>Runs the kernel and the reference on copies of the case; null when they agree bit for bit, else the first difference.</summary>
    internal static string? Compare(KernelSpec spec, SpanCase c)
    {
        var kernel = c.Copy();
        var reference = c.Copy();
        spec.Kernel(kernel);
        spec.Reference(reference);
        for (int s = 0; s < c.Streams.Length; s++)
        {
            int i = Doubles.FirstDifference(kernel.Streams[s], reference.Streams[s]);
            if (i >= 0)
            {
                return $"{spec.Name}: stream {s}, element {i}: kernel {kernel.Streams[s][i]:R}, reference {reference.Streams[s][i]:R} ({c})";
            }
        }

        return null;
    }

    public static TheoryData<string> KernelNames() => new(Specs.Select(s => s.Name));

    private static Property Holds(string name)
    {
        var spec = Specs.Single(s => s.Name == name);
        return Prop.ForAll(CaseOf(spec, Doubles.Length).ToArbitrary(), (SpanCase c) =>
        {
            if (Compare(spec, c) is { } difference)
            {
                throw new Xunit.Sdk.XunitException(difference);
            }
        });
    }

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property GradientDescent_kernel_equals_the_scalar_loop() => Holds("GradientDescent");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property Momentum_kernel_equals_the_scalar_loop() => Holds("Momentum");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property AdaGrad_kernel_equals_the_scalar_loop() => Holds("AdaGrad");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property RMSProp_kernel_equals_the_scalar_loop() => Holds("RMSProp");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property AdaDelta_kernel_equals_the_scalar_loop() => Holds("AdaDelta");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property Adam_kernel_equals_the_scalar_loop() => Holds("Adam");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property Adamax_kernel_equals_the_scalar_loop() => Holds("Adamax");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property NAdam_kernel_equals_the_scalar_loop() => Holds("NAdam");

    [Property(MaxTest = Cases, Replay = Doubles.Replay)]
    public Property RAdam_kernel_equals_the_scalar_loop() => Holds("RAdam");

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Every_length_up_to_140_matches_the_reference(string name)
    {
        var spec = Specs.Single(s => s.Name == name);
        for (int n = 0; n <= 140; n++)
        {
            foreach (var c in Gen.Sample(CaseOf(spec, Gen.Constant(n)), 4, 3))
            {
                Compare(spec, c).Should().BeNull();
            }
        }
    }

    /// <summary>
    /// Kernels update the elements before θ's first vector-aligned address separately (see
    /// <see cref="Optimizers.Kernel.UnalignedHead"/>): spans that start 0 … 7 elements into an array (so at every 8-byte
    /// alignment) must give the reference's bits for every length, and leave the elements before the span alone.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Spans_at_every_alignment_match_the_reference(string name)
    {
        var spec = Specs.Single(s => s.Name == name);
        foreach (int n in Enumerable.Range(0, 72).Concat([257, 1000]))
        {
            for (int offset = 0; offset < 8; offset++)
            {
                var sample = Gen.Sample(CaseOf(spec, Gen.Constant(n + offset)), 4, 1).First();
                var kernel = new SpanCase { Streams = sample.Streams, Scalars = sample.Scalars, Flags = sample.Flags, Offset = offset }.Copy();
                var reference = new SpanCase
                {
                    Streams = sample.Streams.Select(x => x[offset..]).ToArray(),
                    Scalars = sample.Scalars,
                    Flags = sample.Flags,
                };
                spec.Kernel(kernel);
                spec.Reference(reference);
                for (int s = 0; s < sample.Streams.Length; s++)
                {
                    Doubles.FirstDifference(kernel.Streams[s][..offset], sample.Streams[s][..offset]).Should().Be(-1,
                        $"{name}: stream {s} before the span (offset {offset}, length {n}) is not touched");
                    int i = Doubles.FirstDifference(kernel.Streams[s][offset..], reference.Streams[s]);
                    i.Should().Be(-1, $"{name}: stream {s}, offset {offset}, length {n}, flags [{string.Join(", ", sample.Flags)}]");
                }
            }
        }
    }

    /// <summary>
    /// From <see cref="Kernel.InterleaveThreshold"/> elements up the kernels walk four quarters side by side; for every
    /// combination of flags the result must still equal the scalar loop bit for bit. The length leaves a vector tail
    /// after the quarters and a scalar tail after the vectors; the values tile a random case of 4,099 elements (a prime,
    /// so neighbouring quarters do not see the same values).
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Spans_walked_as_four_quarters_match_the_reference(string name)
    {
        var spec = Specs.Single(s => s.Name == name);
        int n = Optimizers.Kernel.InterleaveThreshold + 4 * System.Numerics.Vector<double>.Count * 3 + 3;
        var sample = Gen.Sample(CaseOf(spec, Gen.Constant(4099)), 4, 1).First();
        var streams = sample.Streams.Select(s => Enumerable.Range(0, n).Select(i => s[i % s.Length]).ToArray()).ToArray();
        for (int flags = 0; flags < 1 << spec.FlagCount; flags++)
        {
            var c = new SpanCase
            {
                Streams = streams,
                Scalars = sample.Scalars,
                Flags = Enumerable.Range(0, spec.FlagCount).Select(f => (flags >> f & 1) == 1).ToArray(),
            };
            Compare(spec, c).Should().BeNull();
        }
    }

    /// <summary>
    /// The gradient as every kernel forms it: ±g + λ·θ when maximising or decaying, else g untouched (so a −0 gradient
    /// stays −0, as in torch, instead of becoming −0 + 0·θ = +0).
    /// </summary>
    private static double Adjusted(double grad, double theta, double weightDecay, double sign)
        => sign < 0 || weightDecay != 0 ? grad * sign + theta * weightDecay : grad;
}
