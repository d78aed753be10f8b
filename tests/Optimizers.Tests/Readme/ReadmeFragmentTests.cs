namespace Optimizers.Tests.Readme;

/// <summary>
/// Every C# block of the README that is not a complete program compiles after the Quick start (see
/// <see cref="Snippets"/> for the convention); such blocks are compiled, never run, so none writes a file.
/// </summary>
public class ReadmeFragmentTests
{
    public static TheoryData<string, int> Fragments() => Documents.SnippetLines(Documents.Readme, SnippetKind.Fragment);

    [Theory]
    [MemberData(nameof(Fragments))]
    public void Each_fragment_compiles_after_the_quick_start(string document, int fenceLine)
    {
        SnippetChecks.ShouldCompile(Documents.SnippetAt(document, fenceLine));
    }

    [Fact]
    public void The_readme_opens_with_a_quick_start_program_and_its_output()
    {
        var snippets = Documents.SnippetsOf(Documents.Readme);

        snippets[0].Kind.Should().Be(SnippetKind.Program);
        snippets[0].ExpectedOutput.Should().NotBeNullOrWhiteSpace("the Quick start shows what it prints");
        snippets.Should().Contain(s => s.Kind == SnippetKind.Fragment);
    }
}
