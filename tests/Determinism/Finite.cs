using System.Numerics;

namespace Optimizers.Determinism;

/// <summary>Guards the workload: a hash of NaN or ∞ would compare equal without showing that training worked.</summary>
internal static class Finite
{
    public static void Require<T>(string item, IEnumerable<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!values.All(T.IsFinite))
        {
            throw new InvalidOperationException($"{item}: the workload produced a non-finite value; choose other settings.");
        }
    }
}
