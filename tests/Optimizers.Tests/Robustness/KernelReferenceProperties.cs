using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Optimizers.Tests.Kernels;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Robustness;

/// <summary>
/// Property (3): every span kernel equals its plain scalar loop (<see cref="ReferenceLoops"/>), element by element and
/// bit for bit, in <typeparamref name="T"/>, for random lengths 0 … 3,000 (and, in
/// <see cref="Every_length_up_to_140_matches_the_reference"/>, for every length 0 … 140, so that every SIMD
/// body/remainder split is covered), random values over 1e-300 … 1e300 (float: 1e-37 … 1e38) with zeros and
/// subnormals, and random scalars. Bit-for-bit is the right bar: each kernel's vector body and the loops do the same
/// IEEE-754 operations in the same order, with the same scalars rounded to <typeparamref name="T"/> once, and RyuJIT
/// never contracts a·b + c into a fused multiply-add. Values may overflow here (nothing is constrained); ∞ and NaN must
/// then come out the same as well (NaN payloads are not compared).
/// </summary>
public abstract class KernelReferenceProperties<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Cases = 300;

    private static readonly Decades D = Decades.Of<T>();

    /// <summary>Spans [0] θ, [1] the gradient, [2…] state; scalars and flags as each kernel takes them.</summary>
    internal sealed class SpanCase
    {
        public required T[][] Streams { get; init; }

        public required double[] Scalars { get; init; }

        public required bool[] Flags { get; init; }

        /// <summary>Where the spans start in <see cref="Streams"/>.</summary>
        public int Offset { get; init; }

        /// <summary>Stream <paramref name="i"/> from <see cref="Offset"/> on, as the kernel and the reference see it.</summary>
        public Span<T> S(int i) => Streams[i].AsSpan(Offset);

        public SpanCase Copy() => new()
        {
            Streams = Streams.Select(s => s.ToArray()).ToArray(),
            Scalars = Scalars,
            Flags = Flags,
            Offset = Offset,
        };

        public override string ToString() =>
            $"{Element<T>.Name}, length {Streams[0].Length}, scalars [{string.Join(", ", Scalars.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}], " +
            $"flags [{string.Join(", ", Flags)}]";
    }

    /// <summary>A kernel under test and its reference, over the streams, scalars and flags of a case.</summary>
    internal sealed record KernelSpec(string Name, Gen<T>[] Streams, Gen<double>[] Scalars, int FlagCount,
                                      Action<SpanCase> Kernel, Action<SpanCase> Reference);

    private static readonly Gen<T> Any = Numbers.Finite<T>(D.Largest);
    private static readonly Gen<T> NonNegative = Numbers.Finite<T>(D.Largest).Select(T.Abs);
    private static readonly Gen<double> Rate = Gen.Frequency((1, Gen.Constant(0.0)), (9, Numbers.LogUniform(-8, 1)));
    private static readonly Gen<double> Decay = Gen.Frequency((1, Gen.Constant(0.0)), (3, Numbers.Uniform(0, 0.999)));
    private static readonly Gen<double> Eps = Gen.Frequency((1, Gen.Constant(0.0)), (4, Numbers.LogUniform(D.Smallest, 0)));
    private static readonly Gen<double> Fraction = Numbers.Uniform(1e-6, 1);

    internal static readonly KernelSpec[] Specs =
    [
        new("GradientDescent", [Any, Any], [Rate, Decay], 1,
            c => GradientDescentKernel.Step(c.S(0), c.S(1), c.Scalars[0], c.Scalars[1], c.Flags[0]),
            c => ReferenceLoops.GradientDescent(c.S(0), c.S(1), c.Scalars[0], c.Scalars[1], c.Flags[0])),
        new("Momentum", [Any, Any, Any], [Rate, Decay, Decay, Decay], 3,
            c => MomentumKernel.Step(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2],
                                     nesterov: c.Flags[0], c.Scalars[3], maximize: c.Flags[1], firstStep: c.Flags[2]),
            c => ReferenceLoops.Momentum(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2],
                                         nesterov: c.Flags[0], c.Scalars[3], maximize: c.Flags[1], firstStep: c.Flags[2])),
        new("AdaGrad", [Any, Any, NonNegative], [Rate, Eps, Decay], 1,
            c => AdaGradKernel.Step(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Flags[0]),
            c => ReferenceLoops.AdaGrad(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Flags[0])),
        // Flag 0: centred; momentum is on when scalar 4 (μ) is > 0. The streams of options that are off are passed empty.
        new("RMSProp", [Any, Any, NonNegative, Any, Any], [Rate, Decay, Eps, Decay, Decay], 3,
            c => RMSPropKernel.Step(c.S(0), c.S(1), c.S(2), c.Flags[0] ? c.S(3) : [], c.Scalars[4] > 0 ? c.S(4) : [],
                                    c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Scalars[4], c.Flags[0], c.Flags[1]),
            c => ReferenceLoops.RMSProp(c.S(0), c.S(1), c.S(2), c.Flags[0] ? c.S(3) : [], c.Scalars[4] > 0 ? c.S(4) : [],
                                        c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Scalars[4], c.Flags[0], c.Flags[1])),
        new("AdaDelta", [Any, Any, NonNegative, NonNegative], [Rate, Decay, Numbers.LogUniform(D.Smallest, 0), Decay], 1,
            c => AdaDeltaKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Flags[0]),
            c => ReferenceLoops.AdaDelta(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Flags[0])),
        // Adam and AdamW share this kernel: Adam passes shrink = 1, AdamW weightDecay = 0 and shrink = 1 − αλ.
        // Flag 0: maximize, flag 1: amsgrad (the max stream is passed empty when it is off).
        new("Adam", [Any, Any, Any, NonNegative, NonNegative],
            [Decay, Decay, Eps, Decay, Gen.Frequency((1, Gen.Constant(1.0)), (1, Numbers.Uniform(0, 1))), Numbers.LogUniform(-8, 3), Fraction], 2,
            c => AdamKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Flags[1] ? c.S(4) : [], c.Scalars[0], c.Scalars[1], c.Scalars[2],
                                 c.Scalars[3], c.Scalars[4], c.Flags[0], c.Flags[1], c.Scalars[5], c.Scalars[6]),
            c => ReferenceLoops.Adam(c.S(0), c.S(1), c.S(2), c.S(3), c.Flags[1] ? c.S(4) : [], c.Scalars[0], c.Scalars[1], c.Scalars[2],
                                     c.Scalars[3], c.Scalars[4], c.Flags[0], c.Flags[1], c.Scalars[5], c.Scalars[6])),
        new("Adamax", [Any, Any, Any, NonNegative], [Numbers.LogUniform(-8, 3), Decay, Decay, Eps, Decay], 1,
            c => AdamaxKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Scalars[4], c.Flags[0]),
            c => ReferenceLoops.Adamax(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Scalars[4], c.Flags[0])),
        // NAdam and RAdam, flag 0: maximize; NAdam's flag 1 (RAdam's flag 2): shrink θ by the last scalar (decoupled
        // weight decay, else 1). RAdam's flag 1: rectified.
        new("NAdam", [Any, Any, Any, NonNegative],
            [Decay, Decay, Eps, Decay, Fraction, Numbers.LogUniform(-8, 1), Numbers.LogUniform(-8, 1), Fraction], 2,
            c => NAdamKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3],
                                  c.Flags[1] ? c.Scalars[7] : 1, c.Flags[0], c.Scalars[4], c.Scalars[5], c.Scalars[6]),
            c => ReferenceLoops.NAdam(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3],
                                      c.Flags[1] ? c.Scalars[7] : 1, c.Flags[0], c.Scalars[4], c.Scalars[5], c.Scalars[6])),
        new("RAdam", [Any, Any, Any, NonNegative], [Decay, Decay, Eps, Decay, Numbers.LogUniform(-8, 3), Fraction], 3,
            c => RAdamKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3],
                                  c.Flags[2] ? c.Scalars[5] : 1, c.Flags[0], c.Scalars[4], rectified: c.Flags[1]),
            c => ReferenceLoops.RAdam(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3],
                                      c.Flags[2] ? c.Scalars[5] : 1, c.Flags[0], c.Scalars[4], rectified: c.Flags[1])),
        // Flag 0: shrink by scalar 3 (else 1).
        new("Lion", [Any, Any, Any], [Numbers.LogUniform(-8, 1), Decay, Decay, Fraction], 1,
            c => LionKernel.Step(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Flags[0] ? c.Scalars[3] : 1),
            c => ReferenceLoops.Lion(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Flags[0] ? c.Scalars[3] : 1)),
        // Flag 0: maximize, flag 1: the decay is decoupled (d = −α·λ, L2 off) rather than coupled.
        new("Adopt", [Any, Any, Any, NonNegative], [Numbers.LogUniform(-8, 1), Decay, Decay, Eps, Decay, Numbers.Uniform(1, 100)], 2,
            c => AdoptKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3],
                                  c.Flags[1] ? 0 : c.Scalars[4], c.Flags[1] ? -c.Scalars[0] * c.Scalars[4] : 0, c.Flags[0], c.Scalars[5]),
            c => ReferenceLoops.Adopt(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3],
                                      c.Flags[1] ? 0 : c.Scalars[4], c.Flags[1] ? -c.Scalars[0] * c.Scalars[4] : 0, c.Flags[0], c.Scalars[5])),
        // Streams: θ, g, prev, step sizes (> 0); scalars: η₋ ∈ (0, 1), η₊ ∈ (1, 3), sₘᵢₙ and sₘₐₓ ≥ sₘᵢₙ; flag 0: maximize.
        new("Rprop", [Any, Any, Any, NonNegative],
            [Numbers.Uniform(1e-6, 0.999), Numbers.Uniform(1.000001, 3), Numbers.LogUniform(D.Smallest, -3), Numbers.LogUniform(-3, 3)], 1,
            c => RpropKernel.Step(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Flags[0]),
            c => ReferenceLoops.Rprop(c.S(0), c.S(1), c.S(2), c.S(3), c.Scalars[0], c.Scalars[1], c.Scalars[2], c.Scalars[3], c.Flags[0])),
        // Streams: θ, g, the average ax; scalars: λ_wd, the shrink 1 − λη (1 half the time: no shrink), η, μ (1: ax = θ);
        // flag 0: maximize.
        new("ASGD", [Any, Any, Any],
            [Decay, Gen.Frequency((1, Gen.Constant(1.0)), (1, Numbers.Uniform(0, 1))), Rate, Gen.Frequency((1, Gen.Constant(1.0)), (2, Fraction))], 1,
            c => ASGDKernel.Step(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Flags[0], c.Scalars[1], c.Scalars[2], c.Scalars[3]),
            c => ReferenceLoops.ASGD(c.S(0), c.S(1), c.S(2), c.Scalars[0], c.Flags[0], c.Scalars[1], c.Scalars[2], c.Scalars[3])),
    ];

    private static Gen<SpanCase> CaseOf(KernelSpec spec, Gen<int> length) =>
        from n in length
        from streams in Gen.CollectToArray(spec.Streams.Select(s => Gen.ArrayOf(s, n)))
        from scalars in Gen.CollectToArray(spec.Scalars)
        from flags in Gen.ArrayOf(Gen.Elements(false, true), spec.FlagCount)
        select new SpanCase { Streams = streams, Scalars = scalars, Flags = flags };

    /// <summary>Runs the kernel and the reference on copies of the case; null when they agree bit for bit, else the first difference.</summary>
    internal static string? Compare(KernelSpec spec, SpanCase c) => Compare(spec, c, c.Copy(), c.Copy());

    /// <summary><see cref="Compare(KernelSpec, SpanCase)"/> with the copies given (<paramref name="kernel"/> and <paramref name="reference"/> hold the values of <paramref name="c"/>).</summary>
    private static string? Compare(KernelSpec spec, SpanCase c, SpanCase kernel, SpanCase reference)
    {
        spec.Kernel(kernel);
        spec.Reference(reference);
        for (int s = 0; s < c.Streams.Length; s++)
        {
            int i = Bits.FirstDifference<T>(kernel.Streams[s], reference.Streams[s]);
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
        return Prop.ForAll(CaseOf(spec, Numbers.Length).ToArbitrary(), (SpanCase c) =>
        {
            if (Compare(spec, c) is { } difference)
            {
                throw new Xunit.Sdk.XunitException(difference);
            }
        });
    }

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property GradientDescent_kernel_equals_the_scalar_loop() => Holds("GradientDescent");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Momentum_kernel_equals_the_scalar_loop() => Holds("Momentum");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property AdaGrad_kernel_equals_the_scalar_loop() => Holds("AdaGrad");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property RMSProp_kernel_equals_the_scalar_loop() => Holds("RMSProp");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property AdaDelta_kernel_equals_the_scalar_loop() => Holds("AdaDelta");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Adam_kernel_equals_the_scalar_loop() => Holds("Adam");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Adamax_kernel_equals_the_scalar_loop() => Holds("Adamax");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property NAdam_kernel_equals_the_scalar_loop() => Holds("NAdam");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property RAdam_kernel_equals_the_scalar_loop() => Holds("RAdam");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Lion_kernel_equals_the_scalar_loop() => Holds("Lion");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Adopt_kernel_equals_the_scalar_loop() => Holds("Adopt");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property Rprop_kernel_equals_the_scalar_loop() => Holds("Rprop");

    [Property(MaxTest = Cases, Replay = Numbers.Replay)]
    public Property ASGD_kernel_equals_the_scalar_loop() => Holds("ASGD");

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
    /// <see cref="Optimizers.Kernel.UnalignedHead"/>): spans that start 0, 1, … elements into an array, at every
    /// element alignment within a vector (at least 0 … 7), must give the reference's bits for every length, and leave
    /// the elements before the span alone.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Spans_at_every_alignment_match_the_reference(string name)
    {
        var spec = Specs.Single(s => s.Name == name);
        foreach (int n in Enumerable.Range(0, 72).Concat([257, 1000]))
        {
            for (int offset = 0; offset < Math.Max(8, Vector<byte>.Count / Unsafe.SizeOf<T>()); offset++)
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
                    Bits.FirstDifference<T>(kernel.Streams[s][..offset], sample.Streams[s][..offset]).Should().Be(-1,
                        $"{name}: stream {s} before the span (offset {offset}, length {n}) is not touched");
                    int i = Bits.FirstDifference<T>(kernel.Streams[s][offset..], reference.Streams[s]);
                    i.Should().Be(-1, $"{name}: stream {s}, offset {offset}, length {n}, flags [{string.Join(", ", sample.Flags)}]");
                }
            }
        }
    }

    /// <summary>
    /// From <see cref="Kernel.InterleaveThresholdBytes"/> bytes up (<see cref="Kernel.InterleaveThresholdOf{T}"/>
    /// elements) the kernels walk four quarters side by side; for every
    /// combination of flags the result must still equal the scalar loop bit for bit. The length leaves a vector tail
    /// after the quarters and a scalar tail after the vectors; the values tile a random case of 4,099 elements (a prime,
    /// so neighbouring quarters do not see the same values).
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Spans_walked_as_four_quarters_match_the_reference(string name)
    {
        var spec = Specs.Single(s => s.Name == name);
        int n = Optimizers.Kernel.InterleaveThresholdOf<T>() + 4 * Vector<T>.Count * 3 + 3;
        var sample = Gen.Sample(CaseOf(spec, Gen.Constant(4099)), 4, 1).First();
        var streams = sample.Streams.Select(s => Enumerable.Range(0, n).Select(i => s[i % s.Length]).ToArray()).ToArray();
        // The kernel and the reference work on copies, refilled for each combination (a few arrays of 8 MiB, not new ones each time).
        T[][] forKernel = streams.Select(s => new T[n]).ToArray(), forReference = streams.Select(s => new T[n]).ToArray();
        for (int flags = 0; flags < 1 << spec.FlagCount; flags++)
        {
            var c = new SpanCase
            {
                Streams = streams,
                Scalars = sample.Scalars,
                Flags = Enumerable.Range(0, spec.FlagCount).Select(f => (flags >> f & 1) == 1).ToArray(),
            };
            SpanCase CopyInto(T[][] copies)
            {
                for (int s = 0; s < streams.Length; s++)
                {
                    streams[s].CopyTo(copies[s], 0);
                }

                return new SpanCase { Streams = copies, Scalars = c.Scalars, Flags = c.Flags };
            }

            Compare(spec, c, CopyInto(forKernel), CopyInto(forReference)).Should().BeNull();
        }
    }
}

public sealed class KernelReferenceProperties_Double : KernelReferenceProperties<double>;

public sealed class KernelReferenceProperties_Single : KernelReferenceProperties<float>;
