using System.Globalization;
using Optimizers.Demo;
using Spectre.Console;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    // No screen to redraw (a file or a pipe): the commands print one line per finished run instead of progress
    // bars (see DemoApp.ShowsLiveProgress), and lines are not wrapped at an assumed 80 columns.
    console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
    console.Profile.Width = 160;
}

return DemoApp.Run(args, console, Console.Out, Console.Error);
