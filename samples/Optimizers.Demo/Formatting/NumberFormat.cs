using System.Globalization;

namespace Optimizers.Demo.Formatting;

/// <summary>
/// How the demo prints numbers, so that a loss of 10³⁰⁰ takes as little room as a loss of 0.3. A measured number
/// (loss, accuracy, distance) gets four significant digits; a setting (learning rate, hyperparameter) is echoed in
/// its shortest exact form; both switch to an exponent when huge or tiny.
/// </summary>
public static class NumberFormat
{
    /// <summary>The significant digits of a measured number.</summary>
    public const int Digits = 4;

    /// <summary>
    /// <paramref name="value"/> with <see cref="Digits"/> significant digits: in fixed notation from 0.001 up to
    /// 9999 (<c>0.2950</c>, <c>12.35</c>, <c>1235</c>, <c>0.001234</c>), otherwise with an exponent
    /// (<c>1.185e+297</c>, <c>5.471e-23</c>); 0 is <c>0</c>, and NaN and ±∞ are <c>NaN</c>, <c>∞</c>, <c>-∞</c>.
    /// </summary>
    public static string Significant(double value)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞";
        }

        if (value == 0)
        {
            return "0";
        }

        // Round first: 9999.7 has four digits before rounding and five after.
        string exponentForm = value.ToString($"E{Digits - 1}", CultureInfo.InvariantCulture);
        int exponent = int.Parse(exponentForm[(exponentForm.IndexOf('E') + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent is < -3 or >= Digits)
        {
            return WithExponent(exponentForm);
        }

        return value.ToString("F" + (Digits - 1 - exponent).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>A fraction in [0, 1] as a percentage with <see cref="Digits"/> significant digits: <c>97.75%</c>, <c>100.0%</c>, <c>5.000%</c>.</summary>
    public static string Percent(double fraction) => Significant(fraction * 100) + "%";

    /// <summary>
    /// A value given on the command line or taken from a default, echoed in its shortest form that reads back
    /// exactly: <c>0.05</c>, <c>300</c>, <c>1e-8</c>, <c>1e+300</c>.
    /// </summary>
    public static string Setting(double value)
    {
        if (!double.IsFinite(value))
        {
            return Significant(value);
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('E', StringComparison.Ordinal) ? WithExponent(text) : text;
    }

    /// <summary>A wall time: whole milliseconds below 10 s (<c>411 ms</c>), otherwise seconds with <see cref="Digits"/> significant digits (<c>12.35 s</c>).</summary>
    public static string Duration(TimeSpan time)
        => time.TotalMilliseconds < 9999.5
            ? $"{time.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms"
            : $"{Significant(time.TotalSeconds)} s";

    /// <summary>Rewrites .NET's exponent (<c>1.185E+297</c>, <c>1E-08</c>) as <c>1.185e+297</c>, <c>1e-8</c>.</summary>
    private static string WithExponent(string text)
    {
        int e = text.IndexOf('E');
        int exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return $"{text[..e]}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent).ToString(CultureInfo.InvariantCulture)}";
    }
}
