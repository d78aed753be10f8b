namespace Optimizers;

/// <summary>Checks shared by the span kernels.</summary>
internal static class Kernel
{
    /// <summary>Throws when a stream's length differs from θ's: kernels read and write equal-length spans.</summary>
    public static void CheckLengths(int theta, int other)
    {
        if (theta != other)
        {
            throw new ArgumentException($"Span lengths differ: θ has {theta} elements, another stream has {other}.");
        }
    }
}
