using System.Text.Json;

namespace Optimizers.Tests.Parity;

/// <summary>
/// One parity trace written by generate_traces.py: an optimizer with its options, the initial values of
/// its parameters, and per step the learning rate, the gradients fed and the values torch.optim produced.
/// </summary>
internal sealed class ParityFixture
{
    /// <summary>The folder the fixtures are copied to at build time (see Optimizers.Tests.csproj).</summary>
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Parity", "Fixtures");

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The C# class name of the optimizer, for example "Adam".</summary>
    public required string Optimizer { get; init; }

    /// <summary>The case name, unique per optimizer.</summary>
    public required string Case { get; init; }

    /// <summary>How torch was called (for the reader).</summary>
    public required string Source { get; init; }

    /// <summary>The constructor arguments under their C# names; absent ones take the C# default.</summary>
    public required JsonElement Options { get; init; }

    /// <summary>The parameters with their values before the first step.</summary>
    public required IReadOnlyList<ParityParameter> Parameters { get; init; }

    /// <summary>The steps, in order.</summary>
    public required IReadOnlyList<ParityStep> Steps { get; init; }

    /// <summary>The file names (without folder) of every fixture, sorted.</summary>
    public static IReadOnlyList<string> FileNames()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException(
                $"The parity fixtures were not copied to the test output: {Directory} does not exist.");
        }

        return System.IO.Directory.EnumerateFiles(Directory, "*.json")
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Reads the fixture <paramref name="fileName"/> from <see cref="Directory"/>.</summary>
    public static ParityFixture Load(string fileName)
    {
        using var stream = File.OpenRead(Path.Combine(Directory, fileName));
        return JsonSerializer.Deserialize<ParityFixture>(stream, Json)
               ?? throw new InvalidDataException($"{fileName} holds no fixture.");
    }

    /// <summary>Reads only the optimizer name of <paramref name="fileName"/>.</summary>
    public static string OptimizerOf(string fileName)
    {
        using var stream = File.OpenRead(Path.Combine(Directory, fileName));
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("optimizer").GetString()
               ?? throw new InvalidDataException($"{fileName} names no optimizer.");
    }
}

/// <summary>A parameter of a fixture.</summary>
internal sealed record ParityParameter(string Name, double[] Initial);

/// <summary>One step of a fixture: the learning rate set before it, the gradients fed (one array per
/// parameter) and the values expected after it (one array per parameter).</summary>
internal sealed record ParityStep(double LearningRate, double[][] Gradients, double[][] Expected);
