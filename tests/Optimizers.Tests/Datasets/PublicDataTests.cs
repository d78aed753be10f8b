using Optimizers.Datasets;

namespace Optimizers.Tests;

public sealed class PublicDataTests
{
    [Fact]
    public void IrisHas150RowsFourFeaturesAndFiftyOfEachClass()
    {
        var iris = PublicData.Iris();
        iris.Count.Should().Be(150);
        iris.FeatureCount.Should().Be(4);
        iris.Features.RowCount.Should().Be(150);
        iris.ClassNames.Should().Equal("setosa", "versicolor", "virginica");
        iris.Labels.GroupBy(y => y).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()))
            .Should().Equal((0, 50), (1, 50), (2, 50));

        // Fisher's first flower, and the measurement ranges in cm.
        iris.Features.Row(0).ToArray().Should().Equal(5.1, 3.5, 1.4, 0.2);
        iris.Labels[0].Should().Be(0);
        iris.Features.Enumerate().Should().OnlyContain(x => x >= 0.1 && x <= 7.9);
    }

    [Fact]
    public void DigitsHas1797RowsOf64PixelsAndTenClasses()
    {
        var digits = PublicData.Digits();
        digits.Count.Should().Be(1797);
        digits.FeatureCount.Should().Be(64);
        digits.ClassCount.Should().Be(10);
        digits.Labels.Distinct().Order().Should().Equal(Enumerable.Range(0, 10));
        digits.Labels.GroupBy(y => y).Should().OnlyContain(g => g.Count() >= 170 && g.Count() <= 190, "the classes are roughly balanced");
        digits.Features.Enumerate().Should().OnlyContain(x => x >= 0 && x <= 16 && x == Math.Floor(x), "pixels are counts 0–16");
        digits.Labels[0].Should().Be(0);
    }

    [Fact]
    public void EachCallReturnsAFreshCopy()
    {
        var a = PublicData.Iris();
        a.Features[0, 0] = -1;
        PublicData.Iris().Features[0, 0].Should().Be(5.1);
    }
}
