namespace Optimizers.Demo.Commands;

/// <summary>The element type a command computes in, chosen with <c>--precision</c>.</summary>
public enum Precision
{
    /// <summary>float (float32): weights, data, gradients and optimizer state in single precision.</summary>
    Single,

    /// <summary>double (float64), the default.</summary>
    Double,
}

/// <summary>The names of <see cref="Precision"/> on the command line and in the output.</summary>
public static class Precisions
{
    /// <summary>The values <c>--precision</c> accepts, default last.</summary>
    public static IReadOnlyList<string> Names { get; } = ["single", "double"];

    /// <summary>Reads a value of <see cref="Names"/> (any case).</summary>
    public static Precision Parse(string name) => Enum.Parse<Precision>(name, ignoreCase: true);

    /// <summary>How the output names it: <c>single precision (float32)</c> or <c>double precision (float64)</c>.</summary>
    public static string Describe(Precision precision)
        => precision == Precision.Single ? "single precision (float32)" : "double precision (float64)";
}
