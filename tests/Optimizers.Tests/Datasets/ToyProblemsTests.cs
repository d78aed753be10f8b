using Optimizers.Datasets;

namespace Optimizers.Tests;

public sealed class ToyProblemsTests
{
    [Fact]
    public void MoonsAreDeterministicPerSeedAndBalanced()
    {
        var a = ToyProblems.Moons(count: 200, noise: 0.1, seed: 3);
        var b = ToyProblems.Moons(count: 200, noise: 0.1, seed: 3);
        var c = ToyProblems.Moons(count: 200, noise: 0.1, seed: 4);

        a.Features.Equals(b.Features).Should().BeTrue("the same seed gives the same points");
        a.Labels.Should().Equal(b.Labels);
        a.Features.Equals(c.Features).Should().BeFalse("another seed gives other noise");
        a.Count.Should().Be(200);
        a.FeatureCount.Should().Be(2);
        a.ClassCount.Should().Be(2);
        a.Labels.Count(y => y == 0).Should().Be(100);
        a.Labels.Count(y => y == 1).Should().Be(100);
    }

    [Fact]
    public void NoiselessMoonsLieOnTheirArcs()
    {
        // Class 0: (cos t, sin t); class 1: (1 − cos t, 0.5 − sin t), t ∈ [0, π].
        var moons = ToyProblems.Moons(count: 50, noise: 0, seed: 0);
        for (int i = 0; i < moons.Count; i++)
        {
            double x = moons.Features[i, 0], y = moons.Features[i, 1];
            double radius = moons.Labels[i] == 0 ? Math.Sqrt((x * x) + (y * y)) : Math.Sqrt(((1 - x) * (1 - x)) + ((0.5 - y) * (0.5 - y)));
            radius.Should().BeApproximately(1, 1e-12, $"point {i}");
            (moons.Labels[i] == 0 ? y >= -1e-12 : y <= 0.5 + 1e-12).Should().BeTrue($"point {i} is on its half circle");
        }
    }

    [Fact]
    public void SpiralIsDeterministicPerSeedAndBalanced()
    {
        var a = ToyProblems.Spiral(pointsPerClass: 60, classes: 3, noise: 0.2, seed: 5);
        var b = ToyProblems.Spiral(pointsPerClass: 60, classes: 3, noise: 0.2, seed: 5);
        var c = ToyProblems.Spiral(pointsPerClass: 60, classes: 3, noise: 0.2, seed: 6);

        a.Features.Equals(b.Features).Should().BeTrue();
        a.Labels.Should().Equal(b.Labels);
        a.Features.Equals(c.Features).Should().BeFalse();
        a.Count.Should().Be(180);
        a.ClassCount.Should().Be(3);
        a.Labels.GroupBy(y => y).Should().HaveCount(3).And.OnlyContain(g => g.Count() == 60);

        // Every point's distance from the origin is its radius r ∈ [0.05, 1] (noise only turns the angle).
        for (int i = 0; i < a.Count; i++)
        {
            double r = Math.Sqrt((a.Features[i, 0] * a.Features[i, 0]) + (a.Features[i, 1] * a.Features[i, 1]));
            r.Should().BeInRange(0.05 - 1e-12, 1 + 1e-12);
        }
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        FluentActions.Invoking(() => ToyProblems.Moons(count: 1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("count");
        FluentActions.Invoking(() => ToyProblems.Moons(noise: -0.1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("noise");
        FluentActions.Invoking(() => ToyProblems.Spiral(pointsPerClass: 0)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("pointsPerClass");
        FluentActions.Invoking(() => ToyProblems.Spiral(classes: 1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("classes");
        FluentActions.Invoking(() => ToyProblems.Spiral(noise: -1)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("noise");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonFiniteNoiseIsRejectedRatherThanFillingTheDataWithNaN(double noise)
    {
        FluentActions.Invoking(() => ToyProblems.Moons(noise: noise)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("noise");
        FluentActions.Invoking(() => ToyProblems.Spiral(noise: noise)).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("noise");
    }
}
