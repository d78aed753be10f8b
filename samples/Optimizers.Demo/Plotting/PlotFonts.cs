using ScottPlot;

namespace Optimizers.Demo.Plotting;

/// <summary>
/// Makes every chart use the DejaVu Sans files shipped beside the program (Fonts/), so that text renders the
/// same on every machine, including a server or container with no fonts installed (where SkiaSharp would
/// otherwise draw no text at all).
/// </summary>
public static class PlotFonts
{
    /// <summary>The font family name the charts use.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Registers the shipped fonts with ScottPlot once and makes them the default; call before building a plot.</summary>
    /// <exception cref="FileNotFoundException">The font files are missing from the program's folder.</exception>
    public static void Ensure()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            string folder = Path.Combine(AppContext.BaseDirectory, "Fonts");
            string regular = Path.Combine(folder, "DejaVuSans.ttf");
            string bold = Path.Combine(folder, "DejaVuSans-Bold.ttf");
            foreach (var file in new[] { regular, bold })
            {
                if (!File.Exists(file))
                {
                    throw new FileNotFoundException($"The chart font {Path.GetFileName(file)} is missing from {folder}.", file);
                }
            }

            Fonts.AddFontFile(Family, regular, bold: false, italic: false);
            Fonts.AddFontFile(Family, bold, bold: true, italic: false);
            Fonts.Default = Family;
            _registered = true;
        }
    }
}
