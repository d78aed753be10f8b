namespace Optimizers.Determinism;

/// <summary>Guards the workload: a hash of NaN or ∞ would compare equal without showing that training worked.</summary>
internal static class Finite
{
    public static void Require(string item, IEnumerable<double> values)
    {
        if (!values.All(double.IsFinite))
        {
            throw new InvalidOperationException($"{item}: the workload produced a non-finite value; choose other settings.");
        }
    }
}
