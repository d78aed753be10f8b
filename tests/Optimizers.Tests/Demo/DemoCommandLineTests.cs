using System.CommandLine;
using System.CommandLine.Help;
using Optimizers.Demo;
using Spectre.Console;

namespace Optimizers.Tests.Demo;

/// <summary>
/// Checks that hold for every option of every command, with the options read from the command definitions
/// themselves (<see cref="DemoApp.BuildCommandLine"/>), so that an option added later is checked too.
/// </summary>
public class DemoCommandLineTests
{
    /// <summary>Every command (by the words that select it: none for the comparison) with its options, except help and version.</summary>
    private static IEnumerable<(string[] Path, Option Option)> AllOptions()
    {
        var root = DemoApp.BuildCommandLine(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }));
        foreach (var (path, command) in new[] { (Array.Empty<string>(), (Command)root) }.Concat(root.Subcommands.Select(c => (new[] { c.Name }, c))))
        {
            foreach (var option in command.Options.Where(o => o is not HelpOption and not VersionOption))
            {
                yield return (path, option);
            }
        }
    }

    /// <summary>Command, option name and a value it cannot take: "abc" (unless any text is a valid value) and the empty text.</summary>
    public static TheoryData<string, string, string> UnparsableValues()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (path, option) in AllOptions())
        {
            if (!IsFreeText(option))
            {
                data.Add(string.Join(' ', path), option.Name, "abc");
            }

            data.Add(string.Join(' ', path), option.Name, "");
        }

        return data;
    }

    /// <summary>Every command's name (empty for the comparison).</summary>
    public static TheoryData<string> Commands() => new(AllOptions().Select(o => string.Join(' ', o.Path)).Distinct());

    [Fact]
    public void The_option_list_is_read_from_the_commands()
    {
        var names = AllOptions().Select(o => $"{string.Join(' ', o.Path)} {o.Option.Name}".Trim()).ToArray();

        names.Should().Contain(["--epochs", "--seed", "--target-loss", "--hidden", "--precision", "trajectories --steps", "trajectories --functions",
                                "trajectories --precision", "train --lr", "train --beta2", "train --nesterov", "train --test-fraction",
                                "train --precision", "train --out"]);
        names.Should().HaveCountGreaterThan(38, "the comparison, trajectories and train with every hyperparameter of the catalog");
    }

    [Theory]
    [MemberData(nameof(UnparsableValues))]
    public void Every_option_rejects_a_value_it_cannot_take_with_one_line_and_the_usage_code(string command, string option, string value)
    {
        using var demo = new DemoRun();
        string[] args = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), option, value, .. option == "--out" ? [] : new[] { "--out", "{out}" }];

        int code = demo.Run(args);

        code.Should().Be(DemoApp.UsageError, demo.Error);
        demo.Error.Should().EndWith(Environment.NewLine).And.NotContain("   at ", "no stack trace");
        string line = demo.Error[..^Environment.NewLine.Length];
        line.Should().NotContain("\n", "exactly one line").And.NotContain("System.", "no .NET type names");
        var type = AllOptions().First(o => string.Join(' ', o.Path) == command && o.Option.Name == option).Option.ValueType;
        string expected = (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(bool) => $"error: Unrecognized command or argument '{value}'. (see --help)",
            var t when t == typeof(int) => $"error: {option} must be an integer; got '{value}'. (see --help)",
            var t when t == typeof(double) => $"error: {option} must be a number; got '{value}'. (see --help)",
            _ => $"error: {option} must *; got '{value}'. (see --help)",
        };
        line.Should().Match(expected);
        demo.Console.Should().BeEmpty("nothing runs after a bad value");
        Directory.Exists(demo.OutputFolder).Should().BeFalse("nothing is written after a bad value");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_shows_every_default_once_in_one_form(string command)
    {
        using var demo = new DemoRun();

        demo.Run([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]).Should().Be(0);

        var lines = demo.Output.Split(Environment.NewLine);
        foreach (var (_, option) in AllOptions().Where(o => string.Join(' ', o.Path) == command))
        {
            var row = lines.Where(l => l.TrimStart().Split(' ', '<').Contains(option.Name)).Should().ContainSingle($"{option.Name} has one help row").Subject;
            row.Split("default", StringSplitOptions.None).Should().HaveCount(2, $"{option.Name}'s default shows exactly once: {row}");
            row.Should().MatchRegex(@"\[default: [^\]|]+\]$", $"{option.Name}'s default ends its row, without System.CommandLine's '|' list separator");
        }
    }

    [Fact]
    public void Help_shows_list_defaults_as_they_are_typed()
    {
        using var demo = new DemoRun();

        demo.Run("--help").Should().Be(0);

        demo.Output.Should().Contain("[default: 16,16]").And.NotContain("16|16");
    }

    /// <summary>A string option without a list of choices (such as --out), which takes any non-empty text.</summary>
    private static bool IsFreeText(Option option)
        => option.ValueType == typeof(string) && option.CompletionSources.Count == 0;
}
