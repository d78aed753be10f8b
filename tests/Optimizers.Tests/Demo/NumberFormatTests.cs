using Optimizers.Demo.Formatting;

namespace Optimizers.Tests.Demo;

public class NumberFormatTests
{
    [Theory]
    [InlineData(0.29504, "0.2950")]
    [InlineData(0.07786, "0.07786")]
    [InlineData(12.3456, "12.35")]
    [InlineData(1234.4, "1234")]
    [InlineData(9999.7, "1.000e+4")]
    [InlineData(12346.0, "1.235e+4")]
    [InlineData(0.0012346, "0.001235")]
    [InlineData(0.00099996, "0.001000")]
    [InlineData(0.000123456, "1.235e-4")]
    [InlineData(5.471e-23, "5.471e-23")]
    [InlineData(3.1309e300, "3.131e+300")]
    [InlineData(-0.5, "-0.5000")]
    [InlineData(1.0, "1.000")]
    [InlineData(0.0, "0")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "∞")]
    [InlineData(double.NegativeInfinity, "-∞")]
    public void A_measured_number_has_four_significant_digits_and_an_exponent_when_huge_or_tiny(double value, string expected)
        => NumberFormat.Significant(value).Should().Be(expected);

    [Theory]
    [InlineData(0.9775, "97.75%")]
    [InlineData(1.0, "100.0%")]
    [InlineData(0.05, "5.000%")]
    public void An_accuracy_is_a_percentage_with_four_significant_digits(double fraction, string expected)
        => NumberFormat.Percent(fraction).Should().Be(expected);

    [Theory]
    [InlineData(0.05, "0.05")]
    [InlineData(300.0, "300")]
    [InlineData(1e-8, "1e-8")]
    [InlineData(1e-10, "1e-10")]
    [InlineData(1e300, "1e+300")]
    [InlineData(0.999, "0.999")]
    public void A_setting_is_echoed_in_its_shortest_exact_form(double value, string expected)
        => NumberFormat.Setting(value).Should().Be(expected);

    [Theory]
    [InlineData(411.4, "411 ms")]
    [InlineData(9999.4, "9999 ms")]
    [InlineData(12345.6, "12.35 s")]
    public void A_time_is_whole_milliseconds_below_ten_seconds_then_seconds(double milliseconds, string expected)
        => NumberFormat.Duration(TimeSpan.FromMilliseconds(milliseconds)).Should().Be(expected);
}
