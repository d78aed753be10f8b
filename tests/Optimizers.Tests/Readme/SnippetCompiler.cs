using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.Loader;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Optimizers.Tests.Readme;

/// <summary>The outcome of compiling a snippet: the diagnostics that fail it, and the program's image if it compiled.</summary>
/// <param name="Problems">Every error and warning, each as the compiler prints it, at the document's line numbers.</param>
/// <param name="Image">The compiled assembly, or null when there are problems.</param>
/// <param name="Source">The C# that was compiled (with <c>#line</c> directives back to the document).</param>
internal sealed record SnippetCompilation(IReadOnlyList<string> Problems, byte[]? Image, string Source);

/// <summary>
/// Compiles snippets in-process with Roslyn, as a new console project that references the package would: C# 14,
/// nullable enabled, the implicit usings of <c>dotnet new console</c>, against the running .NET's assemblies plus
/// Optimizers.dll and MathNet.Numerics.dll only (not Optimizers.Datasets: the package has no data). Warnings fail a
/// snippet as errors would. Programs can then be run in a collectible load context with the console captured.
/// </summary>
internal static class SnippetCompiler
{
    private const string FragmentFunction = "ReadmeFragment";

    /// <summary>The implicit global usings of a console project (Microsoft.NET.Sdk, ImplicitUsings enabled).</summary>
    private static readonly string ImplicitUsings = string.Concat(
        new[] { "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks" }
            .Select(n => $"global using global::{n};\n"));

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp14);

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>Compiles <paramref name="snippet"/> (a program as it stands, a fragment after its context).</summary>
    public static SnippetCompilation Compile(Snippet snippet)
    {
        string source = snippet.Kind == SnippetKind.Program ? ProgramSource(snippet.Block) : FragmentSource(snippet);
        var options = new CSharpCompilationOptions(
            OutputKind.ConsoleApplication,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: 9999,
            specificDiagnosticOptions: snippet.Kind == SnippetKind.Fragment
                ? new Dictionary<string, ReportDiagnostic>
                {
                    ["CS8321"] = ReportDiagnostic.Suppress,   // the fragment's function is never called: it is only compiled
                    ["CS1998"] = ReportDiagnostic.Suppress,   // it is async for fragments that await, and most do not
                }
                : null);
        var compilation = CSharpCompilation.Create(
            "ReadmeSnippet",
            [
                CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, "ImplicitUsings.g.cs", Encoding.UTF8),
                CSharpSyntaxTree.ParseText(source, ParseOptions, $"{snippet.Block.Document} (compiled)", Encoding.UTF8),
            ],
            References.Value,
            options);

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var problems = result.Diagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .OrderBy(d => d.Location.GetMappedLineSpan().StartLinePosition.Line)
            .Select(d => d.ToString())
            .ToList();
        return new SnippetCompilation(problems, problems.Count == 0 && result.Success ? image.ToArray() : null, source);
    }

    /// <summary>
    /// Runs a compiled program's entry point with no arguments and returns what it wrote to <see cref="Console.Out"/>,
    /// with '\n' line ends. Rethrows what the program throws; a non-zero exit code throws too.
    /// </summary>
    /// <remarks>
    /// <see cref="Console.SetOut"/> is process-wide, so callers run in a collection that nothing else runs beside.
    /// </remarks>
    public static string Run(byte[] image)
    {
        var context = new AssemblyLoadContext("readme-snippet", isCollectible: true);
        var previous = Console.Out;
        using var output = new StringWriter();
        try
        {
            var entry = context.LoadFromStream(new MemoryStream(image)).EntryPoint
                ?? throw new InvalidOperationException("The compiled snippet has no entry point.");
            Console.SetOut(output);
            object? result = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            if (result is Task task)
            {
                task.GetAwaiter().GetResult();
            }

            if ((result as int? ?? (result as Task<int>)?.Result) is int code && code != 0)
            {
                throw new InvalidOperationException($"The program exited with code {code}.");
            }
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
        }
        finally
        {
            Console.SetOut(previous);
            context.Unload();
        }

        return output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>A program: the block as it stands, its lines mapped to the document's.</summary>
    private static string ProgramSource(MarkdownCodeBlock block) =>
        $"#line {block.FirstCodeLine} \"{block.Document}\"\n{block.Code}\n";

    /// <summary>
    /// A fragment: every using directive first, then the context's statements, then the body's statements inside
    /// an async local function (where they may declare the context's names again), then any type declarations.
    /// </summary>
    private static string FragmentSource(Snippet snippet)
    {
        var context = Parse(snippet.Context!);
        var body = snippet.Body.Select(Parse).ToList();
        var source = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (block, unit) in body.Prepend(context))
        {
            foreach (var directive in unit.Usings.Where(u => seen.Add(u.NormalizeWhitespace().ToString())))
            {
                Append(source, block, directive);
            }
        }

        foreach (var statement in context.Unit.Members.OfType<GlobalStatementSyntax>())
        {
            Append(source, context.Block, statement);
        }

        source.Append("#line default\n").Append($"async Task {FragmentFunction}()\n{{\n");
        foreach (var (block, unit) in body)
        {
            foreach (var statement in unit.Members.OfType<GlobalStatementSyntax>())
            {
                Append(source, block, statement);
            }
        }

        source.Append("#line default\n}\n");
        foreach (var (block, unit) in body.Prepend(context))
        {
            foreach (var declaration in unit.Members.Where(m => m is not GlobalStatementSyntax))
            {
                Append(source, block, declaration);
            }
        }

        return source.ToString();
    }

    private static (MarkdownCodeBlock Block, CompilationUnitSyntax Unit) Parse(MarkdownCodeBlock block) =>
        (block, CSharpSyntaxTree.ParseText(block.Code, ParseOptions).GetCompilationUnitRoot());

    /// <summary>Appends <paramref name="node"/> at its own line and column of the document.</summary>
    private static void Append(StringBuilder source, MarkdownCodeBlock block, SyntaxNode node)
    {
        var start = node.GetLocation().GetLineSpan().StartLinePosition;
        source.Append($"#line {block.FirstCodeLine + start.Line} \"{block.Document}\"\n")
              .Append(' ', start.Character).Append(node.ToString()).Append('\n');
    }

    /// <summary>
    /// The running .NET's own assemblies (what a console project references), plus the package's assembly and its
    /// one dependency.
    /// </summary>
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => string.Equals(Path.GetDirectoryName(path), runtime, StringComparison.Ordinal));
        string[] package = [typeof(Parameter).Assembly.Location, typeof(Matrix<double>).Assembly.Location];
        return [.. framework.Concat(package).Select(path => MetadataReference.CreateFromFile(path))];
    }
}
