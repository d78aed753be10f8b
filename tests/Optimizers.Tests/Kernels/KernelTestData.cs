using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>Lengths and inputs for the kernel tests, in the manner of System.Numerics.Tensors' TensorPrimitives tests.</summary>
internal static class KernelTestData
{
    /// <summary>Every length 0…70 (covers empty, below, at and around every SIMD width), plus a few large ones.</summary>
    public static IEnumerable<int> Lengths => Enumerable.Range(0, 71).Concat([1000, 4099]);

    /// <summary>
    /// Finite values spread over several orders of magnitude, both signs, from a seed (drawn as doubles, then rounded
    /// to <typeparamref name="T"/>).
    /// </summary>
    public static T[] Values<T>(int length, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var x = new T[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = Element<T>.From((2 * random.NextDouble() - 1) * Math.Pow(10, 4 * random.NextDouble() - 2));
        }

        return x;
    }

    /// <summary>Asserts bit-for-bit equality (so −0 ≠ +0), reporting the length and first differing index.</summary>
    public static void ShouldBeBitwiseEqual<T>(T[] actual, T[] expected, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            if (Bits.Of(actual[i]) != Bits.Of(expected[i]))
            {
                actual[i].Should().Be(expected[i], $"{what}: element {i} of {actual.Length} must match the scalar reference bit for bit");
                Assert.Fail($"{what}: element {i} of {actual.Length} differs only in its bits ({actual[i]:R} vs {expected[i]:R}).");
            }
        }
    }
}
