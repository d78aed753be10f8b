using System.Text.RegularExpressions;

namespace Optimizers.Tests.Readme;

/// <summary>A fenced code block of a Markdown document, with the snippet marker written right before it.</summary>
/// <param name="Document">The document's name (README.md), used in messages and in <c>#line</c> directives.</param>
/// <param name="Language">The first word after the opening fence (<c>csharp</c>, <c>bash</c>, <c>text</c>), or "".</param>
/// <param name="Marker">
/// The value of a <c>&lt;!-- snippet: VALUE --&gt;</c> comment on the last non-blank line before the fence, or null.
/// </param>
/// <param name="FenceLine">The 1-based line of the opening fence.</param>
/// <param name="Code">The lines between the fences, without the fence's indentation, joined by '\n'.</param>
internal sealed record MarkdownCodeBlock(string Document, string Language, string? Marker, int FenceLine, string Code)
{
    /// <summary>The 1-based line of the block's first line of code.</summary>
    public int FirstCodeLine => FenceLine + 1;

    /// <summary>Whether the block is C# (<c>csharp</c>, <c>cs</c> or <c>c#</c>, in any case).</summary>
    public bool IsCSharp => Language.ToLowerInvariant() is "csharp" or "cs" or "c#";

    /// <inheritdoc />
    public override string ToString() => $"{Document} line {FenceLine}";
}

/// <summary>Finds the fenced code blocks of a Markdown document and the snippet markers before them.</summary>
internal static partial class MarkdownCodeBlocks
{
    /// <summary>The markers a block may carry (see <see cref="Snippets"/> for what each means).</summary>
    public static readonly IReadOnlyList<string> KnownMarkers = ["program", "output", "continues"];

    /// <summary>The code blocks of <paramref name="text"/>, in order.</summary>
    /// <param name="document">The document's name, for messages.</param>
    /// <param name="text">The document's Markdown.</param>
    /// <exception cref="FormatException">
    /// A line that starts a comment with "snippet" is not a well-formed marker, has an unknown value, is not followed by a code block, or a fence is not closed;
    /// the message names the line.
    /// </exception>
    public static IReadOnlyList<MarkdownCodeBlock> Parse(string document, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<MarkdownCodeBlock>();
        (string Value, int Line)? marker = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            var open = OpeningFence().Match(line);
            if (open.Success)
            {
                int end = ClosingLine(lines, i, open.Groups["indent"].Length, open.Groups["fence"].Value, document);
                var code = lines[(i + 1)..end].Select(l => Dedent(l, open.Groups["indent"].Length));
                string language = open.Groups["info"].Value.Trim().Split(' ', 2)[0];
                blocks.Add(new MarkdownCodeBlock(document, language, marker?.Value, i + 1, string.Join('\n', code)));
                marker = null;
                i = end;
                continue;
            }

            if (MarkerLike().IsMatch(line))
            {
                var match = MarkerComment().Match(line);
                if (!match.Success || !KnownMarkers.Contains(match.Groups["value"].Value))
                {
                    throw new FormatException(
                        $"{document} line {i + 1}: '{line.Trim()}' is not a snippet marker; write <!-- snippet: VALUE --> alone on its line, " +
                        $"VALUE one of {string.Join(", ", KnownMarkers)}.");
                }

                ThrowIfPending(marker, document);
                marker = (match.Groups["value"].Value, i + 1);
            }
            else if (!string.IsNullOrWhiteSpace(line))
            {
                ThrowIfPending(marker, document);
            }
        }

        ThrowIfPending(marker, document);
        return blocks;
    }

    private static void ThrowIfPending((string Value, int Line)? marker, string document)
    {
        if (marker is { } m)
        {
            throw new FormatException($"{document} line {m.Line}: the marker 'snippet: {m.Value}' is not followed by a code block.");
        }
    }

    private static int ClosingLine(string[] lines, int opening, int indent, string fence, string document)
    {
        for (int j = opening + 1; j < lines.Length; j++)
        {
            string trimmed = lines[j].Trim();
            if (trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]) && LeadingSpaces(lines[j]) <= indent + 3)
            {
                return j;
            }
        }

        throw new FormatException($"{document} line {opening + 1}: the code block is never closed.");
    }

    private static string Dedent(string line, int indent)
    {
        int remove = Math.Min(indent, LeadingSpaces(line));
        return line[remove..];
    }

    private static int LeadingSpaces(string line) => line.Length - line.TrimStart(' ').Length;

    [GeneratedRegex(@"^(?<indent> *)(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^\s*<!--\s*snippet", RegexOptions.IgnoreCase)]
    private static partial Regex MarkerLike();

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<value>[a-z]+)\s*-->\s*$")]
    private static partial Regex MarkerComment();
}
