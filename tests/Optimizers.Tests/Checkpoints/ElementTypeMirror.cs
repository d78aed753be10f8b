using System.Numerics;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// Every configuration of <see cref="AllOptimizers"/> (plain, rich and grouped) in either element type, from the one
/// catalog: the double configuration is built as the template, and the same rule is built over parameters of element
/// type <typeparamref name="T"/> with the template's hyperparameters, read back from what the template recorded. The
/// mirror's recorded hyperparameters must equal the template's bit for bit, so a constructor argument that this
/// mapping missed fails loudly instead of falling back to a default.
/// </summary>
internal static class ElementTypeMirror
{
    /// <summary>The configuration <paramref name="name"/> over <paramref name="parameters"/> (each group over the parameters
    /// at the template's positions).</summary>
    public static IOptimizer CreateAny<T>(string name, IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return AllOptimizers.CreateAny(name, parameters.Select(p => (Parameter)(object)p).ToArray());
        }

        var templateParameters = parameters.Select(p => new Parameter(p.Name, new double[p.Length])).ToArray();
        return AllOptimizers.CreateAny(name, templateParameters) switch
        {
            ParameterGroups groups => new ParameterGroups<T>(groups.Groups.Select(group =>
                Mirror(group, group.Parameters.Select(p => parameters[Array.IndexOf(templateParameters, p)]).ToArray()))),
            var single => Mirror((Optimizer<double>)single, parameters),
        };
    }

    /// <summary>The rule of <paramref name="template"/>, built over <paramref name="parameters"/> with its learning rate
    /// and recorded hyperparameters.</summary>
    public static Optimizer<T> Mirror<T>(Optimizer<double> template, IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var generic = template.GetType();
        while (!generic.IsGenericType)
        {
            generic = generic.BaseType!;   // Adam : Adam<double>
        }

        var constructor = generic.GetGenericTypeDefinition().MakeGenericType(typeof(T)).GetConstructors().Single();
        var recorded = template.Hyperparameters.ToDictionary(h => Key(h.Key), h => h.Value);
        object[] arguments = constructor.GetParameters().Select(p => p.Name switch
        {
            "parameters" => parameters,
            "learningRate" => template.LearningRate,
            "decoupledWeightDecay" when !recorded.ContainsKey(Key(p.Name!)) => false,   // recorded only when true
            _ when !recorded.ContainsKey(Key(p.Name!)) => throw new InvalidOperationException(
                $"{template.RuleName} records no hyperparameter for its constructor argument '{p.Name}'."),
            _ when p.ParameterType == typeof(bool) => recorded[Key(p.Name!)] == 1,
            _ when p.ParameterType == typeof(int) => checked((int)recorded[Key(p.Name!)]),
            _ when p.ParameterType == typeof(double?) => double.IsNaN(recorded[Key(p.Name!)]) ? null! : recorded[Key(p.Name!)],   // NaN: null (Adafactor's ε₁)
            _ => (object)recorded[Key(p.Name!)],
        }).ToArray();

        var mirror = (Optimizer<T>)constructor.Invoke(arguments);
        mirror.Hyperparameters.Select(h => (h.Key, BitConverter.DoubleToInt64Bits(h.Value)))
            .Should().Equal(template.Hyperparameters.Select(h => (h.Key, BitConverter.DoubleToInt64Bits(h.Value))),
                            $"the {typeof(T).Name} {template.RuleName} mirrors every hyperparameter");
        return mirror;
    }

    /// <summary>A recorded name or a constructor argument, spelled alike: "weight_decay" and "weightDecay" → "weightdecay".</summary>
    private static string Key(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "epsilon" => "eps",
        "epsilonroot" => "epsroot",   // Lamb's eps_root (Optax's name)
        "decoupled" => "decouple",    // Adopt's decouple (the reference's name)
        "lambda" => "lambd",   // ASGD records torch's spelling
        "epsilon1" => "eps1",  // Adafactor: torch's eps = (eps1, eps2)
        "epsilon2" => "eps2",
        var key => key,
    };
}
