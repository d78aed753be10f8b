namespace Optimizers.Tests;

/// <summary>Every update rule under test, by name, so that one theory runs the same checks over all of them.</summary>
internal static class Rules
{
    public static readonly string[] Names = ["GradientDescent", "Momentum"];

    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Names)
            {
                data.Add(name);
            }

            return data;
        }
    }

    /// <summary>
    /// A rule with non-trivial settings (weight decay, and for Momentum dampening) so that its state and the step
    /// number both matter: a skipped or repeated first step would show up in the numbers.
    /// </summary>
    public static Optimizer Create(string rule, IEnumerable<Parameter> parameters, double learningRate = 0.1) => rule switch
    {
        "GradientDescent" => new GradientDescent(parameters, learningRate, weightDecay: 0.01),
        "Momentum" => new Momentum(parameters, learningRate, momentum: 0.9, dampening: 0.5, weightDecay: 0.01),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown rule."),
    };
}
