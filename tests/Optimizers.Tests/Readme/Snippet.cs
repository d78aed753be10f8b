namespace Optimizers.Tests.Readme;

/// <summary>How a C# block of a document is tested.</summary>
internal enum SnippetKind
{
    /// <summary>A complete program (top-level statements of a new console project): compiled, then run.</summary>
    Program,

    /// <summary>Code that needs the Quick start's declarations: compiled after the Quick start, never run.</summary>
    Fragment,
}

/// <summary>One C# block of a document, with everything needed to compile it.</summary>
/// <param name="Block">The block itself.</param>
/// <param name="Kind">Program or fragment.</param>
/// <param name="Context">For a fragment, the document's first C# block (the Quick start, a program); else null.</param>
/// <param name="Body">
/// For a fragment, the blocks compiled in one scope after <paramref name="Context"/>: the blocks it continues, then
/// itself; for a program, just itself.
/// </param>
/// <param name="ExpectedOutput">For a program followed by an output block, that block's text; else null.</param>
internal sealed record Snippet(
    MarkdownCodeBlock Block, SnippetKind Kind, MarkdownCodeBlock? Context, IReadOnlyList<MarkdownCodeBlock> Body, string? ExpectedOutput)
{
    /// <inheritdoc />
    public override string ToString() => $"{Block} ({Kind.ToString().ToLowerInvariant()})";
}

/// <summary>
/// Turns a document's code blocks into <see cref="Snippet"/>s by the convention written in README.md above the
/// Quick start.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A C# block after <c>&lt;!-- snippet: program --&gt;</c> is a complete program: the top-level statements
/// of a new console project (net10.0, implicit usings, nullable enabled) that references the package. It is compiled
/// and run; if the next block is marked <c>snippet: output</c>, the program must print exactly that block's text.
/// The document's first C# block (the Quick start) must be a program.</item>
/// <item>Any other C# block is a fragment: compiled, never run, in a function placed after the Quick start's
/// statements, so the Quick start's names (<c>network</c>, <c>optimizer</c>, <c>inputs</c>, <c>labels</c>) are in
/// scope, and a fragment may declare the same names again for itself. Its <c>using</c> directives go to the top of
/// the file and its type declarations (if any) after the statements.</item>
/// <item>A fragment marked <c>snippet: continues</c> is compiled after the fragment before it, in the same scope, so
/// it sees that fragment's names (the checkpoint block saves the schedule made in the schedule block).</item>
/// </list>
/// </remarks>
internal static class Snippets
{
    /// <summary>The snippets of <paramref name="blocks"/>: one per C# block, in order.</summary>
    /// <exception cref="FormatException">A marker is where it cannot apply; the message names the block.</exception>
    public static IReadOnlyList<Snippet> Of(IReadOnlyList<MarkdownCodeBlock> blocks)
    {
        var snippets = new List<Snippet>();
        MarkdownCodeBlock? context = null;
        List<MarkdownCodeBlock>? scope = null;   // the fragment blocks compiled together so far
        for (int i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            if (!block.IsCSharp)
            {
                if (block.Marker is "output" && (i == 0 || blocks[i - 1] is not { IsCSharp: true, Marker: "program" }))
                {
                    throw new FormatException($"{block}: an output block must directly follow a program block.");
                }

                if (block.Marker is "program" or "continues")
                {
                    throw new FormatException($"{block}: 'snippet: {block.Marker}' marks C# blocks only; this one is '{block.Language}'.");
                }

                continue;
            }

            if (block.Marker is "output")
            {
                throw new FormatException($"{block}: 'snippet: output' marks the output block after a program, not a C# block.");
            }

            if (context is null)
            {
                if (block.Marker is not "program")
                {
                    throw new FormatException($"{block}: the first C# block (the Quick start) must be a complete program marked 'snippet: program'.");
                }

                context = block;
            }

            if (block.Marker is "program")
            {
                string? output = i + 1 < blocks.Count && blocks[i + 1].Marker is "output" ? blocks[i + 1].Code : null;
                snippets.Add(new Snippet(block, SnippetKind.Program, null, [block], output));
                scope = null;
                continue;
            }

            if (block.Marker is "continues")
            {
                if (scope is null)
                {
                    throw new FormatException($"{block}: 'snippet: continues' needs a fragment (a C# block that is not a program) before it.");
                }
            }
            else
            {
                scope = [];
            }

            scope.Add(block);
            snippets.Add(new Snippet(block, SnippetKind.Fragment, context, [.. scope], null));
        }

        return snippets;
    }
}
