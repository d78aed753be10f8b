using System.Text.Json;

namespace Optimizers.Tests.Parity;

/// <summary>
/// One parity trace written by generate_traces.py: an optimizer with its options, the initial values of
/// its parameters, and per step the learning rate, the gradients fed and the values torch.optim produced.
/// </summary>
/// <remarks>
/// float64 traces live in Parity/Fixtures, float32 traces in Parity/Fixtures32 (see README.md there). The numbers
/// are read as doubles in both: a float32 fixture writes each value as the double it equals exactly, so
/// <c>(float)value</c> gives back torch's float32 bit for bit.
/// </remarks>
internal sealed class ParityFixture
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The C# class name of the optimizer, for example "Adam".</summary>
    public required string Optimizer { get; init; }

    /// <summary>The case name, unique per optimizer.</summary>
    public required string Case { get; init; }

    /// <summary>How torch was called (for the reader).</summary>
    public required string Source { get; init; }

    /// <summary>"float32" or "float64" (a fixture without the entry is float64).</summary>
    public string Dtype { get; init; } = "float64";

    /// <summary>The constructor arguments under their C# names; absent ones take the C# default.</summary>
    public required JsonElement Options { get; init; }

    /// <summary>The parameters with their values before the first step.</summary>
    public required IReadOnlyList<ParityParameter> Parameters { get; init; }

    /// <summary>The steps, in order.</summary>
    public required IReadOnlyList<ParityStep> Steps { get; init; }

    /// <summary>float32 only: max |torch − the script's float32 reference| / max |torch| over the trace.</summary>
    public double? ReferenceMaxScaledDifference { get; init; }

    /// <summary>float32 only: the same disagreement in float32 ulps, element by element.</summary>
    public int? ReferenceMaxUlps { get; init; }

    /// <summary>float32 only, rules with ε: how far the reference moves when ε is halved (scaled as above).</summary>
    public double? EpsilonHalvedScaledDifference { get; init; }

    /// <summary>float32 sub-half-ulp cases only: what the script measured about them.</summary>
    public SubHalfUlpRecord? SubHalfUlp { get; init; }

    /// <summary>ASGD only: torch's <c>state['ax']</c> of each parameter after the last step.</summary>
    public double[][]? FinalAverages { get; init; }

    /// <summary>The largest |expected value| over the whole trace (every step, every parameter).</summary>
    public double LargestExpectedMagnitude =>
        Steps.SelectMany(s => s.Expected).SelectMany(v => v).Max(Math.Abs);

    /// <summary>The folder the fixtures of <typeparamref name="T"/> are copied to at build time (see Optimizers.Tests.csproj).</summary>
    public static string DirectoryOf<T>() => Path.Combine(AppContext.BaseDirectory, "Parity",
        typeof(T) == typeof(float) ? "Fixtures32" : typeof(T) == typeof(double) ? "Fixtures"
        : throw new NotSupportedException($"No parity fixtures for {typeof(T).Name}."));

    /// <summary>The file names (without folder) of every fixture of <typeparamref name="T"/>, sorted.</summary>
    public static IReadOnlyList<string> FileNames<T>()
    {
        string directory = DirectoryOf<T>();
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"The parity fixtures were not copied to the test output: {directory} does not exist.");
        }

        return Directory.EnumerateFiles(directory, "*.json")
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Reads the fixture <paramref name="fileName"/> of <typeparamref name="T"/>.</summary>
    public static ParityFixture Load<T>(string fileName)
    {
        using var stream = File.OpenRead(Path.Combine(DirectoryOf<T>(), fileName));
        return JsonSerializer.Deserialize<ParityFixture>(stream, Json)
               ?? throw new InvalidDataException($"{fileName} holds no fixture.");
    }

    /// <summary>Reads only the optimizer name of <paramref name="fileName"/>.</summary>
    public static string OptimizerOf<T>(string fileName)
    {
        using var stream = File.OpenRead(Path.Combine(DirectoryOf<T>(), fileName));
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("optimizer").GetString()
               ?? throw new InvalidDataException($"{fileName} names no optimizer.");
    }
}

/// <summary>A parameter of a fixture: rank 1, or with a <paramref name="Shape"/> [rows, columns] rank 2, its values then in
/// column-major order (element (i, j) at i + j·rows, the library's memory order).</summary>
internal sealed record ParityParameter(string Name, double[] Initial, int[]? Shape = null);

/// <summary>One step of a fixture: the learning rate set before it, the gradients fed (one array per
/// parameter) and the values expected after it (one array per parameter).</summary>
internal sealed record ParityStep(double LearningRate, double[][] Gradients, double[][] Expected);

/// <summary>
/// What generate_traces.py measured about a sub-half-ulp case: half an ulp of θ, the largest step of the same
/// trajectory in float64, that torch's float32 θ never changed, and by how many float32 ulps (least, most) the
/// float64 trajectory rounded to float32 at the end has moved the elements.
/// </summary>
internal sealed record SubHalfUlpRecord(double HalfUlpOfTheta, double LargestStepInFloat64,
                                        bool Float32ParametersNeverChange, int[] Float64RoundedAtTheEndMovesUlps);
