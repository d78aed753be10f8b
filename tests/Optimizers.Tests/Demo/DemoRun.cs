using Optimizers.Demo;
using Spectre.Console;

namespace Optimizers.Tests.Demo;

/// <summary>
/// Runs the demo's command line in-process with captured output, in a fresh temporary output folder. The console is
/// a redirected one (no ANSI, not interactive) unless <paramref name="interactive"/>, which makes it a terminal that
/// can redraw progress bars.
/// </summary>
internal sealed class DemoRun(bool interactive = false) : IDisposable
{
    public string OutputFolder { get; } = Path.Combine(Path.GetTempPath(), "optimizers-demo-tests", Guid.NewGuid().ToString("N"));

    public string Console { get; private set; } = "";

    public string Output { get; private set; } = "";

    public string Error { get; private set; } = "";

    /// <summary>Runs the demo with <paramref name="args"/>; "{out}" is replaced by <see cref="OutputFolder"/>.</summary>
    public int Run(params string[] args)
    {
        var consoleText = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(consoleText),
        });
        if (!interactive)
        {
            console.Profile.Width = 160;   // as Program.cs sets it for redirected output
        }
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DemoApp.Run(args.Select(a => a.Replace("{out}", OutputFolder, StringComparison.Ordinal)).ToArray(), console, output, error);
        Console = consoleText.ToString();
        Output = output.ToString();
        Error = error.ToString();
        return code;
    }

    public string PathOf(string file) => Path.Combine(OutputFolder, file);

    public void Dispose()
    {
        if (Directory.Exists(OutputFolder))
        {
            Directory.Delete(OutputFolder, recursive: true);
        }
    }
}
