using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Wrappers;

/// <summary>
/// Equivalences that hold for every rule of the catalog and both element types: Lookahead with α = 1 and gradient
/// accumulation over one micro-batch are the inner rule bit for bit; nesting is composition; accumulation over k
/// micro-batches is one full-batch step up to rounding.
/// </summary>
public abstract class WrapperTheoryTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string> Names() => AllOptimizers.ConfigurationNames();

    [Theory]
    [MemberData(nameof(Names))]
    public void Lookahead_with_alpha_one_is_the_inner_rule_bit_for_bit(string name)
    {
        var plain = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(11, 7, 33));
        var wrappedInner = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(11, 7, 33));
        var lookahead = new Lookahead<T>(wrappedInner, k: 3, alpha: 1.0);

        var random = new Random(5);
        for (int step = 0; step < 10; step++)
        {
            Feed(plain.Parameters, wrappedInner.Parameters, random);
            plain.Step();
            lookahead.Step();
        }

        SameBits(plain, wrappedInner);
        lookahead.StepCount.Should().Be(10);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Accumulation_over_one_micro_batch_is_the_inner_rule_bit_for_bit(string name)
    {
        var plain = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(12, 7, 33));
        var wrappedInner = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(12, 7, 33));
        var accumulation = new GradientAccumulation<T>(wrappedInner, every: 1);

        var random = new Random(6);
        for (int step = 0; step < 6; step++)
        {
            Feed(plain.Parameters, wrappedInner.Parameters, random);
            plain.Step();
            accumulation.TryStep().Should().BeTrue();
        }

        SameBits(plain, wrappedInner);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Nested_wrappers_compose(string name)
    {
        // Lookahead(Accumulation(rule, 2)) fed g₁, g₂, g₃, g₄, … equals Lookahead(rule) fed (g₁ + g₂)/2, (g₃ + g₄)/2, …
        // and Accumulation(Lookahead(rule), 2) equals it too: the mean is formed the same way (a copy, one addition,
        // one division) in the element type.
        var reference = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(13, 9, 20));
        var referenceLookahead = new Lookahead<T>(reference, k: 3, alpha: 0.5);
        var outer = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(13, 9, 20));
        var lookaheadOverAccumulation = new Lookahead<T>(new GradientAccumulation<T>(outer, every: 2), k: 3, alpha: 0.5);
        var inner = AllOptimizers<T>.Create(name, RandomParameters.Create<T>(13, 9, 20));
        var accumulationOverLookahead = new GradientAccumulation<T>(new Lookahead<T>(inner, k: 3, alpha: 0.5), every: 2);

        var random = new Random(7);
        T two = T.CreateTruncating(2);
        for (int step = 0; step < 8; step++)
        {
            var first = Draw(reference.Parameters, random);
            var second = Draw(reference.Parameters, random);
            for (int i = 0; i < reference.Parameters.Count; i++)
            {
                for (int j = 0; j < first[i].Length; j++)
                {
                    reference.Parameters[i].Gradient[j] = (first[i][j] + second[i][j]) / two;
                }
            }

            referenceLookahead.Step();
            foreach (var gradients in new[] { first, second })
            {
                Write(outer.Parameters, gradients);
                lookaheadOverAccumulation.Step();
                Write(inner.Parameters, gradients);
                accumulationOverLookahead.Step();
            }
        }

        SameBits(reference, outer);
        SameBits(reference, inner);
        for (int i = 0; i < reference.Parameters.Count; i++)
        {
            Bits.Of<T>(referenceLookahead.GetSlowWeights(i)).Should().Equal(Bits.Of<T>(((Lookahead<T>)accumulationOverLookahead.Inner).GetSlowWeights(i)));
        }
    }

    [Fact]
    public void Lookahead_over_parameter_groups_equals_lookahead_over_one_rule()
    {
        var single = new Adam<T>(RandomParameters.Create<T>(14, 5, 8), learningRate: 0.01);
        var parameters = RandomParameters.Create<T>(14, 5, 8);
        var groups = new ParameterGroups<T>(new Adam<T>([parameters[0]], learningRate: 0.01), new Adam<T>([parameters[1]], learningRate: 0.01));
        var a = new Lookahead<T>(single, k: 2);
        var b = new Lookahead<T>(groups, k: 2);

        var random = new Random(8);
        for (int step = 0; step < 7; step++)
        {
            Feed(single.Parameters, groups.Parameters, random);
            a.Step();
            b.Step();
        }

        for (int i = 0; i < 2; i++)
        {
            Bits.Of<T>(single.Parameters[i].Value.AsArray().AsSpan()).Should().Equal(Bits.Of<T>(parameters[i].Value.AsArray().AsSpan()));
            Bits.Of<T>(a.GetSlowWeights(i)).Should().Equal(Bits.Of<T>(b.GetSlowWeights(i)));
        }

        groups.StepCount.Should().Be(7);
    }

    [Theory]
    [InlineData("GradientDescent")]
    [InlineData("Momentum")]
    [InlineData("Adam")]
    public void Accumulation_over_k_micro_batches_is_one_full_batch_step_up_to_rounding(string rule)
    {
        // Least squares J(θ) = (1/N)·Σₙ ½(xₙ·θ − yₙ)² over N = 24 samples, in k = 4 micro-batches of 6. The micro-batch
        // gradient is (1/6)·Σ over its samples; the wrapper averages the four. The full-batch gradient is (1/24)·Σ over all.
        // Both are sums of the same 24 terms in another order with other scalings: they differ by at most about 30
        // roundings (30·u relative to the terms, u = 2⁻⁵³ or 2⁻²⁴). A step of these rules moves θ by lr (0.05) times a
        // function of g whose relative sensitivity is at most about 2 (Adam's m/√v̂ with g far from 0), so over S = 6
        // steps θ differs by at most about S·30·u·|θ|-sized terms: 2e-14 (float64), 1.1e-5 (float32) relative to
        // max|θ|. The tolerance is that bound rounded up (1e-13, 2e-5); measured (largest over the three rules):
        // 4.2e-16 and 5.2e-8 absolute. A mean that missed or repeated a micro-batch would be off by order 1.
        const int samples = 24, every = 4, features = 3, steps = 6;
        var random = new Random(9);
        var x = new double[samples, features];
        var y = new double[samples];
        for (int n = 0; n < samples; n++)
        {
            for (int f = 0; f < features; f++)
            {
                x[n, f] = random.NextDouble() * 2 - 1;
            }

            y[n] = 3 + random.NextDouble();
        }

        var full = new Parameter<T>("theta", new T[features]);
        var micro = new Parameter<T>("theta", new T[features]);
        var fullRule = AllOptimizers<T>.Plain[rule].Create([full], 0.05);
        var accumulation = new GradientAccumulation<T>(AllOptimizers<T>.Plain[rule].Create([micro], 0.05), every);
        for (int step = 0; step < steps; step++)
        {
            Gradient(full, x, y, 0, samples);
            fullRule.Step();
            for (int b = 0; b < every; b++)
            {
                Gradient(micro, x, y, b * samples / every, samples / every);
                accumulation.TryStep().Should().Be(b == every - 1);
            }
        }

        double tolerance = typeof(T) == typeof(double) ? 1e-13 : 2e-5;
        double scale = full.Value.AsArray().Max(v => Math.Abs(double.CreateTruncating(v)));
        for (int f = 0; f < features; f++)
        {
            double difference = Math.Abs(double.CreateTruncating(full.Value[f]) - double.CreateTruncating(micro.Value[f]));
            difference.Should().BeLessThanOrEqualTo(tolerance * scale, $"feature {f}");
        }
    }

    /// <summary>g = (1/count)·Σ over samples [start, start + count) of xₙ·(xₙ·θ − yₙ), computed in T.</summary>
    private static void Gradient(Parameter<T> theta, double[,] x, double[] y, int start, int count)
    {
        theta.ZeroGrad();
        for (int n = start; n < start + count; n++)
        {
            T residual = -T.CreateTruncating(y[n]);
            for (int f = 0; f < theta.Length; f++)
            {
                residual += T.CreateTruncating(x[n, f]) * theta.Value[f];
            }

            for (int f = 0; f < theta.Length; f++)
            {
                theta.Gradient[f] += T.CreateTruncating(x[n, f]) * residual;
            }
        }

        for (int f = 0; f < theta.Length; f++)
        {
            theta.Gradient[f] /= T.CreateTruncating(count);
        }
    }

    private static void Feed(IReadOnlyList<Parameter<T>> a, IReadOnlyList<Parameter<T>> b, Random random)
    {
        for (int i = 0; i < a.Count; i++)
        {
            RandomParameters.FillGradient(a[i], random);
            a[i].Gradient.CopyTo(b[i].Gradient);
        }
    }

    private static T[][] Draw(IReadOnlyList<Parameter<T>> shape, Random random)
        => shape.Select(p => Enumerable.Range(0, p.Length).Select(_ => Element<T>.From(random.NextDouble() * 2 - 1)).ToArray()).ToArray();

    private static void Write(IReadOnlyList<Parameter<T>> parameters, T[][] gradients)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            gradients[i].AsSpan().CopyTo(parameters[i].Gradient.AsArray());
        }
    }

    private static void SameBits(Optimizer<T> expected, Optimizer<T> actual)
    {
        actual.StepCount.Should().Be(expected.StepCount);
        for (int i = 0; i < expected.Parameters.Count; i++)
        {
            Bits.Of<T>(actual.Parameters[i].Value.AsArray().AsSpan()).Should().Equal(Bits.Of<T>(expected.Parameters[i].Value.AsArray().AsSpan()), $"parameter {i}");
            foreach (var (state, buffers) in expected.VectorStates)
            {
                Bits.Of<T>(actual.VectorStates[state][i]).Should().Equal(Bits.Of<T>(buffers[i]), $"state {state} of parameter {i}");
            }
        }
    }
}

public sealed class WrapperTheoryTests_Double : WrapperTheoryTests<double>;

public sealed class WrapperTheoryTests_Single : WrapperTheoryTests<float>;
