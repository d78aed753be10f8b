using System.Globalization;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// Everything an optimizer and its parameters hold, as one line per number with its exact bits, so that
/// "nothing changed" and "bit-identical" are one <c>Should().Equal</c> with a readable diff.
/// </summary>
internal static class StateSnapshot
{
    public static List<string> Of(IOptimizer? optimizer, IEnumerable<Parameter<double>> parameters, bool includeSkippedCount = true)
    {
        var lines = new List<string>();
        if (optimizer is not null)
        {
            var groups = optimizer is ParameterGroups g ? g.Groups : [(Optimizer<double>)optimizer];
            for (int i = 0; i < groups.Count; i++)
            {
                var group = groups[i];
                lines.Add($"group {i} {group.GetType().Name} lr={Bits(group.LearningRate)} t={group.StepCount}" + (includeSkippedCount ? $" skipped={group.SkippedStepCount}" : ""));
                foreach (var (name, buffers) in group.VectorStates)
                {
                    for (int p = 0; p < buffers.Length; p++)
                    {
                        lines.AddRange(buffers[p].Select((x, e) => $"group {i} {name}[{p}][{e}]={Bits(x)}"));
                    }
                }

                foreach (var (name, values) in group.ScalarStates)
                {
                    lines.AddRange(values.Select((x, p) => $"group {i} {name}[{p}]={Bits(x)}"));
                }
            }
        }

        foreach (var parameter in parameters)
        {
            lines.AddRange(parameter.Value.Select((x, e) => $"{parameter.Name}.value[{e}]={Bits(x)}"));
            lines.AddRange(parameter.Gradient.Select((x, e) => $"{parameter.Name}.gradient[{e}]={Bits(x)}"));
        }

        return lines;
    }

    /// <summary>The parameters' values only, bit for bit.</summary>
    public static List<string> Values(IEnumerable<Parameter<double>> parameters) =>
        parameters.SelectMany(p => p.Value.Select((x, e) => $"{p.Name}[{e}]={Bits(x)}")).ToList();

    private static string Bits(double x) =>
        BitConverter.DoubleToInt64Bits(x).ToString("X16", CultureInfo.InvariantCulture) + " (" + x.ToString("R", CultureInfo.InvariantCulture) + ")";
}
