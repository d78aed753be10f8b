using System.Globalization;
using System.Text.RegularExpressions;

namespace Optimizers.Tests.Readme;

/// <summary>
/// Runs alone (no other test class beside it): running a program redirects <see cref="Console.Out"/>, which is
/// process-wide.
/// </summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>
/// The README's complete programs (blocks marked <c>snippet: program</c>, the Quick start first) compile as a new
/// console project that references the package, run in-process, and print exactly the output block after them.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class ReadmeProgramTests
{
    public static TheoryData<string, int> Programs() => Documents.SnippetLines(Documents.Readme, SnippetKind.Program);

    [Theory]
    [MemberData(nameof(Programs))]
    public void Each_program_compiles_runs_and_prints_its_output_block(string document, int fenceLine)
    {
        var snippet = Documents.SnippetAt(document, fenceLine);

        string output = SnippetChecks.Run(snippet);

        if (snippet.ExpectedOutput is { } expected && output.TrimEnd('\n') != expected.TrimEnd('\n'))
        {
            Assert.Fail($"{snippet} printed\n{output}\nbut the output block after it says\n{expected}");
        }
    }

    [Fact]
    public void The_quick_start_prints_a_training_accuracy_of_at_least_95_percent()
    {
        var quickStart = Documents.SnippetsOf(Documents.Readme)[0];

        string output = SnippetChecks.Run(quickStart);

        var accuracy = Regex.Match(output, @"^training accuracy: (?<percent>[0-9.]+)%$", RegexOptions.Multiline);
        accuracy.Success.Should().BeTrue($"the Quick start ends by printing its accuracy; it printed:\n{output}");
        double.Parse(accuracy.Groups["percent"].Value, CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(95);
    }

    [Fact]
    public void A_program_runs_with_its_console_output_captured_and_its_exception_passed_on()
    {
        var blocks = MarkdownCodeBlocks.Parse("doc.md", """
            <!-- snippet: program -->
            ```csharp
            Console.WriteLine($"{args.Length} arguments");
            ```

            <!-- snippet: program -->
            ```csharp
            throw new InvalidOperationException("from the snippet");
            ```
            """);
        var snippets = Snippets.Of(blocks);

        SnippetChecks.Run(snippets[0]).Should().Be("0 arguments\n");
        var run = () => SnippetChecks.Run(snippets[1]);
        run.Should().Throw<InvalidOperationException>().WithMessage("from the snippet");
    }
}
