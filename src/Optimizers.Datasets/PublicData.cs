using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace Optimizers.Datasets;

/// <summary>Small public data sets shipped inside this assembly (see Data/README.md for their sources).</summary>
public static class PublicData
{
    /// <summary>
    /// Fisher's Iris: 150 flowers, 4 measurements in cm (sepal length and width, petal length and width),
    /// 3 species. Copied from scikit-learn's <c>iris.csv</c>.
    /// </summary>
    public static Dataset Iris()
    {
        var lines = ReadLines("iris.csv");
        var header = lines[0].Split(',');
        int rows = int.Parse(header[0], CultureInfo.InvariantCulture);
        int features = int.Parse(header[1], CultureInfo.InvariantCulture);
        return Parse("iris", lines.Skip(1).ToArray(), rows, features, header[2..]);
    }

    /// <summary>
    /// Handwritten digits: 1,797 images of 8×8 pixels with counts 0–16 (64 features, row by row), digits 0–9.
    /// Copied from scikit-learn's <c>digits.csv.gz</c> (the UCI optical digits test set).
    /// </summary>
    public static Dataset Digits()
    {
        var lines = ReadLines("digits.csv");
        return Parse("digits", lines, lines.Length, 64, Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray());
    }

    private static Dataset Parse(string name, string[] lines, int rows, int features, string[] classNames)
    {
        if (lines.Length != rows)
        {
            throw new InvalidDataException($"{name}: expected {rows} rows, found {lines.Length}.");
        }

        var x = Matrix<double>.Build.Dense(rows, features);
        var y = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var cells = lines[r].Split(',');
            if (cells.Length != features + 1)
            {
                throw new InvalidDataException($"{name}: row {r + 1} has {cells.Length} cells, expected {features + 1}.");
            }

            for (int c = 0; c < features; c++)
            {
                x.At(r, c, double.Parse(cells[c], CultureInfo.InvariantCulture));
            }

            y[r] = int.Parse(cells[features], CultureInfo.InvariantCulture);
        }

        return new Dataset(name, x, y, classNames);
    }

    private static string[] ReadLines(string file)
    {
        using var stream = typeof(PublicData).Assembly.GetManifestResourceStream("Optimizers.Datasets." + file)
            ?? throw new InvalidOperationException($"Embedded data set '{file}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
