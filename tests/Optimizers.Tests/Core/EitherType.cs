using System.Numerics;

namespace Optimizers.Tests;

/// <summary>The rules for either element type, for tests of checks that must hold for float and double alike.</summary>
internal static class EitherType
{
    /// <summary>The rule names, as <see cref="Optimizer.RuleName"/> gives them.</summary>
    public static readonly string[] Rules =
        ["GradientDescent", "Momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD", "Adafactor"];

    /// <summary>Theory data: every rule with each element type ("float32", "float64").</summary>
    public static TheoryData<string, string> RulesAndTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (var rule in Rules)
        {
            data.Add(rule, "float32");
            data.Add(rule, "float64");
        }

        return data;
    }

    /// <summary><paramref name="rule"/> over <paramref name="parameters"/> with its defaults (learning rate 0.1 where there is no default).</summary>
    public static Optimizer<T> Create<T>(string rule, IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T> => rule switch
    {
        "GradientDescent" => new GradientDescent<T>(parameters, 0.1),
        "Momentum" => new Momentum<T>(parameters, 0.1),
        "AdaGrad" => new AdaGrad<T>(parameters),
        "RMSProp" => new RMSProp<T>(parameters),
        "AdaDelta" => new AdaDelta<T>(parameters),
        "Adam" => new Adam<T>(parameters),
        "AdamW" => new AdamW<T>(parameters),
        "Adamax" => new Adamax<T>(parameters),
        "NAdam" => new NAdam<T>(parameters),
        "RAdam" => new RAdam<T>(parameters),
        "Rprop" => new Rprop<T>(parameters),
        "ASGD" => new ASGD<T>(parameters),
        "Adafactor" => new Adafactor<T>(parameters),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Not a rule of the library."),
    };

    /// <summary>A parameter over <paramref name="values"/> rounded to <typeparamref name="T"/>, with gradient gᵢ = (i + 1)/8.</summary>
    public static Parameter<T> Param<T>(string name, params double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameter = new Parameter<T>(name, Array.ConvertAll(values, T.CreateTruncating));
        for (int i = 0; i < values.Length; i++)
        {
            parameter.Gradient[i] = T.CreateTruncating((i + 1) / 8.0);
        }

        return parameter;
    }

    /// <summary>The bits of a parameter's values and gradient, to prove that nothing changed.</summary>
    public static string Bits<T>(Parameter<T> parameter)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes<T>(parameter.Value.AsArray())) + "/" +
        Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes<T>(parameter.Gradient.AsArray()));
}
