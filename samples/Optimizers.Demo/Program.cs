using System.Globalization;
using Optimizers.Demo;
using Spectre.Console;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return DemoApp.Run(args, AnsiConsole.Console, Console.Out, Console.Error);
