using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>
/// A NaN or ±∞ gradient makes Step() throw before anything is written. The bad value sits in the SECOND
/// parameter, so a loop that checked each parameter just before updating it would already have changed the first.
/// </summary>
public sealed class NonFiniteGradientTests : OptimizerTestBase
{
    public static TheoryData<string, double, int> Cases()
    {
        var data = new TheoryData<string, double, int>();
        foreach (var rule in AllOptimizers.Configurations.Keys)
        {
            foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            {
                // b has 11 elements: index 0 and 5 fall in a SIMD block, 10 in the scalar remainder (any width ≤ 8).
                foreach (var index in new[] { 0, 5, 10 })
                {
                    data.Add(rule, bad, index);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StepThrowsNamingTheParameterAndChangesNothing(string rule, double bad, int index)
    {
        var (a, b) = Parameters();
        var optimizer = AllOptimizers.Create(rule, [a, b]);
        ValidStep(optimizer, a, b, 1);
        ValidStep(optimizer, a, b, 2);

        SetGradients(a, b, 3);
        b.Gradient[index] = bad;
        var snapshot = Snapshot.Of(optimizer);

        var e = FluentActions.Invoking(optimizer.Step).Should().Throw<NonFiniteGradientException>().Which;
        e.ParameterName.Should().Be("b");
        e.Index.Should().Be(index);
        e.Value.Should().Be(bad);
        e.Message.Should().Contain("'b'");
        snapshot.ShouldBeUnchanged();
        optimizer.StepCount.Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.ConfigurationNames), MemberType = typeof(AllOptimizers))]
    public void ARejectedFirstStepIsNotCounted(string rule)
    {
        // After a rejected step 1, the next step must still be the first one (for Momentum b₁ = g₁, undamped),
        // exactly as for an optimizer that never saw the bad gradient.
        var (a, b) = Parameters();
        var (a2, b2) = Parameters();
        var optimizer = AllOptimizers.Create(rule, [a, b]);
        var twin = AllOptimizers.Create(rule, [a2, b2]);

        SetGradients(a, b, 1);
        b.Gradient[3] = double.NaN;
        FluentActions.Invoking(optimizer.Step).Should().Throw<NonFiniteGradientException>();

        for (int step = 1; step <= 3; step++)
        {
            ValidStep(optimizer, a, b, step);
            ValidStep(twin, a2, b2, step);
        }

        a.Value.ToArray().Should().Equal(a2.Value.ToArray());
        b.Value.ToArray().Should().Equal(b2.Value.ToArray());
        optimizer.StepCount.Should().Be(3);
    }

    /// <summary>The configurations whose update is elementwise: a NaN stays in its element (not LAMB's, see the catalog).</summary>
    public static TheoryData<string> ElementwiseNames() =>
        new(AllOptimizers.Configurations.Values.Where(c => c.Elementwise).Select(c => c.Name));

    [Theory]
    [MemberData(nameof(ElementwiseNames))]
    public void TurningTheCheckOffLetsNaNPropagateAsInPyTorch(string rule)
    {
        var (a, b) = Parameters();
        var optimizer = AllOptimizers.Create(rule, [a, b]);
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
        ValidStep(optimizer, a, b, 1);

        SetGradients(a, b, 2);
        b.Gradient[4] = double.NaN;
        optimizer.Step();

        optimizer.StepCount.Should().Be(2);
        double.IsNaN(b.Value[4]).Should().BeTrue("θ − α·NaN is NaN");
        b.Value.ToArray().Where((_, i) => i != 4).Should().OnlyContain(x => double.IsFinite(x), "other elements are unaffected");
        a.Value.ToArray().Should().OnlyContain(x => double.IsFinite(x));
        foreach (var name in optimizer.VectorStates.Keys)
        {
            double.IsNaN(optimizer.GetState(name, 1)[4]).Should().BeTrue($"state '{name}' carries the NaN on");
        }
    }

    [Fact]
    public void TheCheckIsOnByDefault()
    {
        AllOptimizers.Configurations.Keys.Select(r => AllOptimizers.Create(r, Param("a", 1)).NonFiniteGradients).Should().AllBeEquivalentTo(NonFiniteGradientPolicy.Throw);
    }

    private static (Parameter A, Parameter B) Parameters() =>
        (Param("a", 1, -2, 3), Param("b", Enumerable.Range(0, 11).Select(i => 0.1 * i - 0.5).ToArray()));

    private static void SetGradients(Parameter a, Parameter b, int step)
    {
        SetGradient(a, 0.5 * step, -1, 0.25);
        SetGradient(b, Enumerable.Range(0, 11).Select(i => Math.Sin(i + step)).ToArray());
    }

    private static void ValidStep(IOptimizer optimizer, Parameter a, Parameter b, int step)
    {
        SetGradients(a, b, step);
        optimizer.Step();
    }
}
