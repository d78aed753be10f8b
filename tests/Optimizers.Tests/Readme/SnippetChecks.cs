namespace Optimizers.Tests.Readme;

/// <summary>The assertions the snippet tests share: a snippet compiles without a warning; a program then runs.</summary>
internal static class SnippetChecks
{
    /// <summary>Fails with the block's line and every diagnostic (at the document's lines) unless it compiles cleanly.</summary>
    public static SnippetCompilation ShouldCompile(Snippet snippet)
    {
        var compiled = Documents.Compiled(snippet);
        if (compiled.Problems.Count > 0)
        {
            Assert.Fail(
                $"The C# block at {snippet.Block} ({snippet.Kind.ToString().ToLowerInvariant()}) does not compile:\n" +
                string.Join('\n', compiled.Problems) +
                $"\n\nCompiled as (see the convention above the Quick start in README.md):\n{compiled.Source}");
        }

        return compiled;
    }

    /// <summary>Compiles <paramref name="snippet"/> (a program), runs it and returns what it printed.</summary>
    public static string Run(Snippet snippet)
    {
        snippet.Kind.Should().Be(SnippetKind.Program, $"only programs run; {snippet} is not one");
        return SnippetCompiler.Run(ShouldCompile(snippet).Image!);
    }
}
