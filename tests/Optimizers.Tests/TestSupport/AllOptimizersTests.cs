using System.Numerics;
using System.Reflection;

namespace Optimizers.Tests.TestSupport;

/// <summary>The catalog the shared theories run over really holds every rule and exercises every option, for each element type.</summary>
public abstract class AllOptimizersTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Rules that refuse rank-1 parameters (Muon: two-dimensional weights only), which the catalog's theories build
    /// throughout; they are left out of the catalog and run the same checks (hand-worked steps, checkpoint resume, the
    /// guard, parallelism, allocation, bad input) over matrices in their own tests (Family/MuonTests.cs).
    /// </summary>
    private static readonly string[] MatrixOnlyRules = ["Muon"];   // declared before LibraryRules, which reads it

    /// <summary>The rules of the library as <typeparamref name="T"/> types (<c>Adam&lt;T&gt;</c>, …), found from their double short names.</summary>
    private static readonly Type[] LibraryRules = typeof(Optimizer<double>).Assembly.GetExportedTypes()
        .Where(t => t.IsSubclassOf(typeof(Optimizer<double>)) && !t.IsAbstract)
        .Select(t => t.BaseType!.GetGenericTypeDefinition().MakeGenericType(typeof(T)))
        .Where(t => !MatrixOnlyRules.Contains(Optimizer.RuleNameOf(t)))
        .ToArray();

    [Fact]
    public void The_rules_left_out_of_the_catalog_refuse_rank_one_parameters()
    {
        var muon = () => new Muon<T>(Parameters(1.0, 2.0));
        muon.Should().Throw<ArgumentException>().WithParameterName("parameters");
        MatrixOnlyRules.Should().Equal("Muon");
    }

    private static Parameter<T>[] Parameters(params double[] values) => [new Parameter<T>("p", Element<T>.From(values))];

    [Fact]
    public void Every_rule_of_the_library_has_a_plain_configuration_named_after_it()
    {
        LibraryRules.Should().NotBeEmpty();
        AllOptimizers<T>.Plain.Keys.Should().BeEquivalentTo(LibraryRules.Select(Optimizer.RuleNameOf));
        foreach (var (name, configuration) in AllOptimizers<T>.Configurations)
        {
            var optimizer = configuration.Create(Parameters(1.0, 2.0));
            optimizer.RuleName.Should().Be(configuration.Rule, name);
            optimizer.ElementType.Should().Be(typeof(T), name);
        }
    }

    [Fact]
    public void Plain_configurations_keep_the_parameters_still_under_a_zero_gradient()
    {
        foreach (var configuration in AllOptimizers<T>.Plain.Values)
        {
            var optimizer = configuration.Create(Parameters(1.0, -2.0));
            optimizer.Hyperparameters.Where(h => h.Key is "weight_decay" or "maximize").Should()
                .OnlyContain(h => h.Value == 0, $"{configuration.Name} must be plain descent");
            configuration.Conformant.Should().BeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void Every_hyperparameter_takes_a_non_default_value_in_some_configuration(string rule)
    {
        var type = LibraryRules.Single(t => Optimizer.RuleNameOf(t) == rule);
        var defaults = WithDefaults(type);
        var configurations = AllOptimizers<T>.Configurations.Values.Where(c => c.Rule == rule).ToArray();
        configurations.Should().HaveCountGreaterThanOrEqualTo(3, "a plain configuration and at least two rich ones");

        defaults.Hyperparameters.Should().NotBeEmpty();
        foreach (var (name, value) in defaults.Hyperparameters)
        {
            configurations.Select(c => Recorded(c, name)).Should().Contain(
                v => v != value, $"some configuration of {rule} should set '{name}' to something other than its default {value}");
        }
    }

    [Fact]
    public void Grouped_configurations_hold_groups_of_the_element_type()
    {
        foreach (var (name, create) in AllOptimizers<T>.Grouped)
        {
            var optimizer = create([new Parameter<T>("a", new T[2]), new Parameter<T>("b", new T[3])]);
            optimizer.Should().BeAssignableTo<IOptimizer<T>>(name);
            ((IGroupedOptimizer)optimizer).Groups.Should().HaveCount(2, name);
        }
    }

    private static double Recorded(OptimizerConfiguration<T> configuration, string hyperparameter) =>
        configuration.Create(Parameters(1.0)).Hyperparameters.Single(h => h.Key == hyperparameter).Value;

    /// <summary>The rule built with every optional constructor argument at its default (learning rate 0.1 if it has none).</summary>
    private static Optimizer<T> WithDefaults(Type type)
    {
        var constructor = type.GetConstructors().Single();
        var arguments = constructor.GetParameters().Select((p, i) => i switch
        {
            0 => Parameters(1.0),
            _ when p.HasDefaultValue => p.DefaultValue,
            _ => (object)0.1,
        }).ToArray();
        return (Optimizer<T>)constructor.Invoke(BindingFlags.Default, null, arguments, null);
    }
}

public sealed class AllOptimizersTests_Double : AllOptimizersTests<double>;

public sealed class AllOptimizersTests_Single : AllOptimizersTests<float>;
