using Optimizers.Demo.Catalog;

namespace Optimizers.Tests.Demo;

public class OptimizerCatalogTests
{
    public static TheoryData<string> Names() => new(OptimizerCatalog.All.Select(e => e.Name));

    [Fact]
    public void Names_are_unique_and_found_case_insensitively()
    {
        OptimizerCatalog.All.Select(e => e.Name.ToLowerInvariant()).Should().OnlyHaveUniqueItems();
        OptimizerCatalog.Find("MOMENTUM").Should().BeSameAs(OptimizerCatalog.All.Single(e => e.Name == "Momentum"));
        OptimizerCatalog.Find("nope").Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_entry_builds_its_optimizer_with_its_defaults_and_descends_a_bowl(string name)
    {
        var entry = OptimizerCatalog.Find(name)!;
        entry.DemoLearningRate.Should().BePositive();
        entry.Hyperparameters.Select(h => h.Name).Should().OnlyHaveUniqueItems().And.NotContain("lr");

        DescendsABowl(OptimizerCatalog<double>.Find(name)!);
        DescendsABowl(OptimizerCatalog<float>.Find(name)!);
    }

    [Fact]
    public void Both_precisions_list_the_same_optimizers_with_the_same_rates_and_options()
    {
        OptimizerCatalog<float>.All.Select(e => (e.Name, e.DemoLearningRate)).Should().Equal(OptimizerCatalog<double>.All.Select(e => (e.Name, e.DemoLearningRate)));
        OptimizerCatalog<float>.All.Select(e => string.Join(" ", e.Hyperparameters))
            .Should().Equal(OptimizerCatalog<double>.All.Select(e => string.Join(" ", e.Hyperparameters)));
        OptimizerCatalog.All.Should().Equal(OptimizerCatalog<double>.All, "the names and options are read from the double catalog");
    }

    private static void DescendsABowl<T>(OptimizerEntry<T> entry)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T[] start = [T.CreateTruncating(3.0), T.CreateTruncating(-2.0)];
        var theta = entry.TakesMatrices
            ? new Parameter<T>("theta", MathNet.Numerics.LinearAlgebra.Matrix<T>.Build.Dense(1, 2, start))   // Muon: a 1 × 2 weight
            : new Parameter<T>("theta", start);
        var optimizer = entry.CreateDefault([theta], learningRate: entry.DemoLearningRate);
        var built = optimizer.Should().BeAssignableTo<IOptimizer<T>>($"{entry.Name} computes in {typeof(T).Name}").Subject;
        built.Parameters.Should().ContainSingle().Which.Should().BeSameAs(theta);
        for (int t = 0; t < 200; t++)
        {
            optimizer.ZeroGrad();
            theta.Gradient[0] = T.CreateTruncating(2) * theta.Value[0];   // ∇(x² + y²)
            theta.Gradient[1] = T.CreateTruncating(2) * theta.Value[1];
            optimizer.Step();
        }

        // Every rule at its demo rate must move toward the minimum; AdaDelta (unit-correcting steps that start
        // near √ε) moves slowest, so this only asks for a decrease, not a rate.
        double.CreateTruncating(theta.Value.L2Norm()).Should().BeLessThan(Math.Sqrt(13), $"200 steps on x² + y² should move toward 0 ({typeof(T).Name})");
    }

    [Fact]
    public void Given_hyperparameters_override_the_declared_defaults()
    {
        var entry = OptimizerCatalog<double>.Find("Momentum")!;
        var values = new HyperparameterValues(entry, new Dictionary<string, double> { ["momentum"] = 0.5, ["nesterov"] = 1 });

        var momentum = (Momentum<double>)entry.Create([new Parameter("p", new double[2])], 0.1, values);

        momentum.MomentumFactor.Should().Be(0.5);
        momentum.Nesterov.Should().BeTrue();
        momentum.Dampening.Should().Be(0);
        FluentActions.Invoking(() => values["beta1"]).Should().Throw<KeyNotFoundException>().WithMessage("*beta1*");
    }

    [Fact]
    public void Every_hyperparameter_name_has_one_kind()
    {
        foreach (var (first, usedBy) in OptimizerCatalog.AllHyperparameters())
        {
            usedBy.SelectMany(e => e.Hyperparameters).Where(h => h.Name == first.Name)
                .Select(h => h.IsFlag).Distinct().Should().ContainSingle($"--{first.Name} is either a flag or a number");
        }
    }
}
