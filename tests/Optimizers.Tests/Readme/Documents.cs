using System.Collections.Concurrent;

namespace Optimizers.Tests.Readme;

/// <summary>The repository's user-facing documents, their snippets, and each snippet compiled once per test run.</summary>
internal static class Documents
{
    /// <summary>The repository's README, whose every C# block is tested.</summary>
    public const string Readme = "README.md";

    /// <summary>The package's own README (shown by package browsers), kept beside the library's project file.</summary>
    public const string PackageReadme = "src/Optimizers/PACKAGE.md";

    private static readonly ConcurrentDictionary<string, IReadOnlyList<Snippet>> SnippetsByDocument = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Snippet, Lazy<SnippetCompilation>> Compilations = new();

    /// <summary>The folder that holds Optimizers.sln, found from the test assembly's folder upwards.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The text of <paramref name="path"/>, relative to the repository root.</summary>
    public static string Read(string path) => File.ReadAllText(Path.Combine(RepositoryRoot, path));

    /// <summary>The code blocks of the document at <paramref name="path"/>.</summary>
    public static IReadOnlyList<MarkdownCodeBlock> BlocksOf(string path) => MarkdownCodeBlocks.Parse(path, Read(path));

    /// <summary>The snippets (C# blocks) of the document at <paramref name="path"/>.</summary>
    public static IReadOnlyList<Snippet> SnippetsOf(string path) =>
        SnippetsByDocument.GetOrAdd(path, p => Snippets.Of(BlocksOf(p)));

    /// <summary>The snippet whose block opens at <paramref name="fenceLine"/> of <paramref name="path"/>.</summary>
    public static Snippet SnippetAt(string path, int fenceLine) => SnippetsOf(path).Single(s => s.Block.FenceLine == fenceLine);

    /// <summary>Theory data: (document, fence line) of each snippet of <paramref name="path"/> of the given kind.</summary>
    public static TheoryData<string, int> SnippetLines(string path, SnippetKind kind)
    {
        var data = new TheoryData<string, int>();
        foreach (var snippet in SnippetsOf(path).Where(s => s.Kind == kind))
        {
            data.Add(path, snippet.Block.FenceLine);
        }

        return data;
    }

    /// <summary><paramref name="snippet"/> compiled, once per test run.</summary>
    public static SnippetCompilation Compiled(Snippet snippet) =>
        Compilations.GetOrAdd(snippet, s => new Lazy<SnippetCompilation>(() => SnippetCompiler.Compile(s))).Value;

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Optimizers.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Optimizers.sln in {AppContext.BaseDirectory} or any folder above it.");
    }
}
