namespace Optimizers.Tests.Readme;

/// <summary>The snippet harness itself, on small documents: it finds what is wrong and says where.</summary>
public class SnippetConventionTests
{
    private const string QuickStart = """
        <!-- snippet: program -->
        ```csharp
        using Optimizers;

        var theta = new Parameter("theta", [1.0, 2.0]);
        var optimizer = new GradientDescent([theta], learningRate: 0.1);
        ```
        """;

    [Fact]
    public void A_fragment_that_does_not_compile_is_reported_at_its_document_line_with_the_compiler_message()
    {
        var snippets = Parse(QuickStart + """

            Some text.

            ```csharp
            optimizer.Step();
            optimizer.Stepp();
            ```
            """);

        var compiled = SnippetCompiler.Compile(snippets[1]);

        compiled.Image.Should().BeNull();
        compiled.Problems.Should().ContainSingle().Which.Should().StartWith("doc.md(12,11): error CS1061").And.Contain("Stepp");
    }

    [Fact]
    public void A_fragment_may_declare_the_quick_start_names_again_and_a_continuation_sees_the_fragment_before_it()
    {
        var snippets = Parse(QuickStart + """

            ```csharp
            using Optimizers.Schedules;

            var optimizer = new Momentum([theta], learningRate: 0.1);
            var schedule = new StepLR(optimizer, stepSize: 10);
            ```

            <!-- snippet: continues -->
            ```csharp
            optimizer.Step();
            schedule.Step();
            ```
            """);

        snippets.Select(s => s.Kind).Should().Equal(SnippetKind.Program, SnippetKind.Fragment, SnippetKind.Fragment);
        snippets[2].Body.Should().Equal(snippets[1].Block, snippets[2].Block);
        SnippetCompiler.Compile(snippets[1]).Problems.Should().BeEmpty();
        SnippetCompiler.Compile(snippets[2]).Problems.Should().BeEmpty();
    }

    [Fact]
    public void Snippets_see_the_package_only_not_the_repository_datasets()
    {
        var snippets = Parse(QuickStart + """

            ```csharp
            var data = Optimizers.Datasets.ToyProblems.Moons(count: 100, seed: 3);
            ```
            """);

        SnippetCompiler.Compile(snippets[1]).Problems.Should().ContainSingle().Which.Should().Contain("error CS0234").And.Contain("Datasets");
    }

    [Fact]
    public void A_warning_fails_a_snippet_like_an_error()
    {
        var snippets = Parse("""
            <!-- snippet: program -->
            ```csharp
            string? name = null;
            Console.WriteLine(name.Length);
            ```
            """);

        SnippetCompiler.Compile(snippets[0]).Problems.Should().ContainSingle().Which.Should().Contain("warning CS8602");
    }

    [Theory]
    [InlineData("<!-- snippet: programme -->\n```csharp\nint x = 1;\n```", "doc.md line 1: '<!-- snippet: programme -->' is not a snippet marker")]
    [InlineData("<!-- snippet program -->\n```csharp\nint x = 1;\n```", "doc.md line 1: '<!-- snippet program -->' is not a snippet marker")]
    [InlineData("<!-- snippet: program -->\nSome text.\n```csharp\nint x = 1;\n```", "doc.md line 1: the marker 'snippet: program' is not followed by a code block")]
    [InlineData("```csharp\nint x = 1;\n", "doc.md line 1: the code block is never closed")]
    [InlineData("```csharp\nint x = 1;\n```", "doc.md line 1: the first C# block (the Quick start) must be a complete program")]
    [InlineData("<!-- snippet: program -->\n```csharp\nint x = 1;\n```\n\n<!-- snippet: output -->\n```csharp\nx\n```", "doc.md line 7: 'snippet: output' marks the output block")]
    [InlineData("<!-- snippet: program -->\n```csharp\nint x = 1;\n```\n\n```bash\nls\n```\n\n<!-- snippet: output -->\n```text\n1\n```", "doc.md line 11: an output block must directly follow a program block")]
    [InlineData("<!-- snippet: program -->\n```csharp\nint x = 1;\n```\n\n<!-- snippet: continues -->\n```csharp\nx++;\n```", "doc.md line 7: 'snippet: continues' needs a fragment")]
    public void Misspelt_or_misplaced_markers_are_rejected_with_their_line(string markdown, string message)
    {
        var parse = () => Parse(markdown);

        parse.Should().Throw<FormatException>().Which.Message.Should().StartWith(message);
    }

    [Fact]
    public void Indented_blocks_are_found_and_dedented_and_other_languages_are_kept_apart()
    {
        var blocks = MarkdownCodeBlocks.Parse("doc.md", "- a list item:\n\n  ```bash\n  dotnet test\n  ```\n\n~~~cs\nint x = 1;\n~~~\n");

        blocks.Select(b => (b.Language, b.FenceLine, b.Code, b.IsCSharp)).Should().Equal(
            ("bash", 3, "dotnet test", false),
            ("cs", 7, "int x = 1;", true));
    }

    private static IReadOnlyList<Snippet> Parse(string markdown) => Snippets.Of(MarkdownCodeBlocks.Parse("doc.md", markdown));
}
