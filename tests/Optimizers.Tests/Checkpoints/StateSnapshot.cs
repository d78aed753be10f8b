using System.Globalization;
using System.Numerics;

namespace Optimizers.Tests.Checkpoints;

/// <summary>
/// Everything an optimizer and its parameters hold, as one line per number with its exact bits, so that
/// "nothing changed" and "bit-identical" are one <c>Should().Equal</c> with a readable diff. Either element type.
/// </summary>
internal static class StateSnapshot
{
    public static List<string> Of<T>(IOptimizer? optimizer, IEnumerable<Parameter<T>> parameters, bool includeSkippedCount = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lines = new List<string>();
        if (optimizer is not null)
        {
            var groups = optimizer is ParameterGroups<T> g ? g.Groups : [(Optimizer<T>)optimizer];
            for (int i = 0; i < groups.Count; i++)
            {
                var group = groups[i];
                lines.Add($"group {i} {group.GetType().Name} lr={Bits(group.LearningRate)} initial_lr={(group.InitialLearningRate is double initial ? Bits(initial) : "unset")} " +
                          $"t={group.StepCount}" + (includeSkippedCount ? $" skipped={group.SkippedStepCount}" : ""));
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
    public static List<string> Values<T>(IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
        => parameters.SelectMany(p => p.Value.Select((x, e) => $"{p.Name}[{e}]={Bits(x)}")).ToList();

    /// <summary>The exact bits of a float or double in hex, then its shortest round-trip text.</summary>
    public static string Bits<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => x switch
        {
            float f => BitConverter.SingleToInt32Bits(f).ToString("X8", CultureInfo.InvariantCulture) + " (" + f.ToString("R", CultureInfo.InvariantCulture) + ")",
            double d => BitConverter.DoubleToInt64Bits(d).ToString("X16", CultureInfo.InvariantCulture) + " (" + d.ToString("R", CultureInfo.InvariantCulture) + ")",
            _ => throw new NotSupportedException(typeof(T).Name),
        };
}
