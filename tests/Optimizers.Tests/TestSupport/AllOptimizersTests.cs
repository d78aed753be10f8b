using System.Reflection;

namespace Optimizers.Tests.TestSupport;

/// <summary>The catalog the shared theories run over really holds every rule and exercises every option.</summary>
public sealed class AllOptimizersTests
{
    private static readonly Type[] LibraryRules = typeof(Optimizer<double>).Assembly.GetExportedTypes()
        .Where(t => t.IsSubclassOf(typeof(Optimizer<double>)) && !t.IsAbstract)
        .ToArray();

    [Fact]
    public void Every_rule_of_the_library_has_a_plain_configuration_named_after_it()
    {
        LibraryRules.Should().HaveCount(10);
        AllOptimizers.Plain.Keys.Should().BeEquivalentTo(LibraryRules.Select(t => t.Name));
        foreach (var (name, configuration) in AllOptimizers.Configurations)
        {
            configuration.Create([new Parameter("p", [1.0, 2.0])]).GetType().Name.Should().Be(configuration.Rule, name);
        }
    }

    [Fact]
    public void Plain_configurations_keep_the_parameters_still_under_a_zero_gradient()
    {
        foreach (var configuration in AllOptimizers.Plain.Values)
        {
            var optimizer = configuration.Create([new Parameter("p", [1.0, -2.0])]);
            optimizer.Hyperparameters.Where(h => h.Key is "weight_decay" or "maximize").Should()
                .OnlyContain(h => h.Value == 0, $"{configuration.Name} must be plain descent");
            configuration.Conformant.Should().BeTrue();
        }
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void Every_hyperparameter_takes_a_non_default_value_in_some_configuration(string rule)
    {
        var type = LibraryRules.Single(t => t.Name == rule);
        var defaults = WithDefaults(type);
        var configurations = AllOptimizers.Configurations.Values.Where(c => c.Rule == rule).ToArray();
        configurations.Should().HaveCountGreaterThanOrEqualTo(3, "a plain configuration and at least two rich ones");

        defaults.Hyperparameters.Should().NotBeEmpty();
        foreach (var (name, value) in defaults.Hyperparameters)
        {
            configurations.Select(c => Recorded(c, name)).Should().Contain(
                v => v != value, $"some configuration of {rule} should set '{name}' to something other than its default {value}");
        }
    }

    private static double Recorded(OptimizerConfiguration configuration, string hyperparameter) =>
        configuration.Create([new Parameter("p", [1.0])]).Hyperparameters.Single(h => h.Key == hyperparameter).Value;

    /// <summary>The rule built with every optional constructor argument at its default (learning rate 0.1 if it has none).</summary>
    private static Optimizer<double> WithDefaults(Type type)
    {
        var constructor = type.GetConstructors().Single();
        var arguments = constructor.GetParameters().Select((p, i) => i switch
        {
            0 => new[] { new Parameter("p", [1.0]) },
            _ when p.HasDefaultValue => p.DefaultValue,
            _ => (object)0.1,
        }).ToArray();
        return (Optimizer<double>)constructor.Invoke(BindingFlags.Default, null, arguments, null);
    }
}
