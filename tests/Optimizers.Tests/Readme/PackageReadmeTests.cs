using System.Text.RegularExpressions;
using System.Xml.Linq;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Readme;

/// <summary>
/// The package's own README (src/Optimizers/PACKAGE.md, shown by package browsers) and the package's description and
/// tags: what a user sees before installing.
/// </summary>
public partial class PackageReadmeTests
{
    [Fact]
    public void Each_code_block_of_the_package_readme_is_one_of_the_readme_and_so_is_tested_there()
    {
        var readme = Documents.BlocksOf(Documents.Readme);
        var package = Documents.BlocksOf(Documents.PackageReadme);

        package.Should().Contain(b => b.IsCSharp, "the package page shows the Quick start");
        foreach (var block in package)
        {
            readme.Should().Contain(r => r.Language == block.Language && r.Code == block.Code,
                $"{block} should be a copy of a README.md block (the README's blocks are compiled and run)");
        }

        package.First(b => b.IsCSharp).Code.Should().Be(readme.First(b => b.IsCSharp).Code, "both open with the same Quick start");
    }

    [Fact]
    public void Every_link_of_the_package_readme_is_absolute_since_a_package_page_has_no_repository_beside_it()
    {
        string text = Documents.Read(Documents.PackageReadme);

        var targets = InlineLinkTarget().Matches(text).Select(m => m.Groups["target"].Value)
            .Concat(ReferenceLinkTarget().Matches(text).Select(m => m.Groups["target"].Value))
            .ToList();

        targets.Should().NotBeEmpty("it links to the repository");
        targets.Should().OnlyContain(t => t.StartsWith("https://", StringComparison.Ordinal));
    }

    [Fact]
    public void The_package_readme_leaves_out_the_contributor_sections()
    {
        var headings = Regex.Matches(Documents.Read(Documents.PackageReadme), "^#+ (?<title>.+)$", RegexOptions.Multiline)
            .Select(m => m.Groups["title"].Value);

        headings.Should().NotContain(h => h.Contains("Layout", StringComparison.OrdinalIgnoreCase)
                                          || h.Contains("Contributing", StringComparison.OrdinalIgnoreCase)
                                          || h.Contains("public API", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    [InlineData("Muon")]   // not in the rank-1 catalog (see AllOptimizersTests)
    public void The_package_description_tags_and_readme_name_every_rule(string rule)
    {
        var project = XDocument.Load(Path.Combine(Documents.RepositoryRoot, "src/Optimizers/Optimizers.csproj"));
        string Property(string name) => project.Descendants(name).Single().Value;

        // "GradientDescent" is written "gradient descent" in prose and "gradient-descent" as a tag.
        Squeeze(Property("Description")).Should().Contain(Squeeze(rule));
        Property("PackageTags").Split(';').Select(Squeeze).Should().Contain(Squeeze(rule));
        Documents.Read(Documents.PackageReadme).Should().Contain($"`{rule}`");
    }

    private static string Squeeze(string text) => text.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)")]
    private static partial Regex InlineLinkTarget();

    [GeneratedRegex(@"^\s*\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex ReferenceLinkTarget();
}
