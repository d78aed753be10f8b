using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>Elementwise.IndexOfNonFinite finds the first NaN/±∞ at every position, for every length 0…70, in either element type.</summary>
public abstract class ElementwiseTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<double> NonFinite => [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    [Fact]
    public void AllFiniteGivesMinusOne()
    {
        foreach (int n in KernelTestData.Lengths)
        {
            Elementwise.IndexOfNonFinite<T>(KernelTestData.Values<T>(n, n)).Should().Be(-1, $"length {n}");
        }

        // Extremes are finite: MaxValue − MaxValue is 0, not NaN.
        T[] extremes = [Element<T>.MaxValue, -Element<T>.MaxValue, T.Epsilon, T.NegativeZero, Element<T>.Subnormal, Element<T>.MaxValue, -Element<T>.MaxValue, T.Zero, T.One, -T.One];
        Elementwise.IndexOfNonFinite<T>(extremes).Should().Be(-1);
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void FindsTheFirstNonFiniteElementAtEveryPosition(double bad)
    {
        for (int n = 1; n <= 70; n++)
        {
            for (int position = 0; position < n; position++)
            {
                var x = KernelTestData.Values<T>(n, n);
                x[position] = Element<T>.From(bad);
                Elementwise.IndexOfNonFinite<T>(x).Should().Be(position, $"length {n}, {bad} at {position}");

                // A second bad value later on does not hide the first one.
                if (position + 1 < n)
                {
                    x[n - 1] = T.NaN;
                    Elementwise.IndexOfNonFinite<T>(x).Should().Be(position, $"length {n}, {bad} at {position} and NaN at {n - 1}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void FindsItInLargeSpans(double bad)
    {
        foreach (int n in new[] { 1000, 4099, Elementwise.SingleStreamLimitOf<T>() - 3 })
        {
            foreach (int position in new[] { 0, n / 2, n - 1 })
            {
                var x = KernelTestData.Values<T>(n, n);
                x[position] = Element<T>.From(bad);
                Elementwise.IndexOfNonFinite<T>(x).Should().Be(position);
            }
        }
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void FindsItInSpansReadAsFourQuarters(double bad)
        // From Elementwise.SingleStreamLimitBytes up (below it with AVX-512 the span is one stream of Vector512)
        // the span is read as four quarters side by side.
        => FindsItAtEveryStreamsEdges(Element<T>.From(bad), Elementwise.SingleStreamLimitOf<T>(), streams: 4, seed: 13);

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void FindsItInSpansReadAsEightStreams(double bad)
        // From Kernel.InterleaveThresholdBytes up the span is read as eight eighths side by side.
        => FindsItAtEveryStreamsEdges(Element<T>.From(bad), Kernel.InterleaveThresholdOf<T>(), streams: 8, seed: 17);

    /// <summary>
    /// A span of at least <paramref name="minimum"/> elements, read as <paramref name="streams"/> parts side by side,
    /// with a length that leaves a vector tail after the parts and a scalar tail after the vectors: the bad value is
    /// found at the first and last element of every part and in both tails, also with a NaN at the end behind it.
    /// </summary>
    private static void FindsItAtEveryStreamsEdges(T bad, int minimum, int streams, int seed)
    {
        int n = minimum + streams * Vector<T>.Count * 3 + 5;
        var x = KernelTestData.Values<T>(n, seed);
        Elementwise.IndexOfNonFinite<T>(x).Should().Be(-1);
        int part = n / Vector<T>.Count / streams * Vector<T>.Count;
        var positions = Enumerable.Range(0, streams).SelectMany(e => new[] { e * part, e * part + part - 1 })
                                  .Concat([streams * part, n - 6, n - 1]);
        foreach (int position in positions)
        {
            T saved = x[position];
            x[position] = bad;
            Elementwise.IndexOfNonFinite<T>(x).Should().Be(position, $"{bad} at {position} of {n}");
            x[n - 1] = T.NaN;
            Elementwise.IndexOfNonFinite<T>(x).Should().Be(position, $"{bad} at {position} and NaN at the end");
            x[position] = saved;
            x[n - 1] = T.One;
        }
    }

    [Fact]
    public void InfinityAndNegativeInfinityTogetherAreFound()
    {
        // +∞ and −∞ in one SIMD block must not cancel into a finite sum.
        var x = new T[2 * Vector<T>.Count];
        x[2] = T.PositiveInfinity;
        x[3] = T.NegativeInfinity;
        Elementwise.IndexOfNonFinite<T>(x).Should().Be(2);
    }
}

public sealed class ElementwiseTests_Double : ElementwiseTests<double>;

public sealed class ElementwiseTests_Single : ElementwiseTests<float>;
