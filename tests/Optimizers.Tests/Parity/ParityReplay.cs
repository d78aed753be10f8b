using System.Globalization;
using System.Numerics;

namespace Optimizers.Tests.Parity;

/// <summary>
/// What replaying a fixture gave: the first value off by more than the tolerance (or null), and the measured
/// agreement over the whole trace.
/// </summary>
/// <param name="Failure">A description of the first value beyond the tolerance, or null.</param>
/// <param name="WorstScaled">max |ours − torch| / max |torch| over the trace.</param>
/// <param name="WorstRelative">max |ours − torch| / |torch| element by element.</param>
/// <param name="WorstUlps">The largest distance in ulps of the element type, element by element.</param>
/// <param name="UlpsOfLargest">max |ours − torch| in ulps of the trace's largest |value|.</param>
/// <param name="LargestStep">The largest |θₜ − θₜ₋₁| of our values over all steps and elements.</param>
/// <param name="Final">Our parameter values after the last step, as doubles (one array per parameter).</param>
internal sealed record ParityReplay(string? Failure, double WorstScaled, double WorstRelative, long WorstUlps,
                                    double UlpsOfLargest, double LargestStep, double[][] Final)
{
    /// <summary>
    /// Runs <paramref name="fixture"/> through the optimizer <paramref name="factory"/> builds over parameters of
    /// <typeparamref name="T"/>: for every step it sets the learning rate, copies the gradients in, steps, and
    /// compares every value with torch's. It carries on past a failure, so the measurement covers the whole trace.
    /// </summary>
    public static ParityReplay Run<T>(ParityFixture fixture,
                                      Func<IReadOnlyList<Parameter<T>>, ParityOptions, Optimizer<T>> factory,
                                      ParityOptions options, ParityTolerance tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameters = fixture.Parameters
            .Select(p => p.Shape is [int rows, int columns]
                ? new Parameter<T>(p.Name, MathNet.Numerics.LinearAlgebra.Matrix<T>.Build.Dense(rows, columns, p.Initial.Select(T.CreateTruncating).ToArray()))
                : new Parameter<T>(p.Name, p.Initial.Select(T.CreateTruncating).ToArray()))
            .ToArray();
        var optimizer = factory(parameters, options);
        double largest = fixture.LargestExpectedMagnitude;
        double worstDifference = 0, worstRelative = 0, largestStep = 0;
        long worstUlps = 0;
        string? failure = null;

        for (int t = 0; t < fixture.Steps.Count; t++)
        {
            var step = fixture.Steps[t];
            optimizer.LearningRate = step.LearningRate;
            for (int k = 0; k < parameters.Length; k++)
            {
                step.Gradients[k].Should().HaveCount(parameters[k].Length);
                for (int i = 0; i < parameters[k].Length; i++)
                {
                    parameters[k].Gradient[i] = T.CreateTruncating(step.Gradients[k][i]);
                }
            }

            var before = parameters.Select(p => p.Value.ToArray()).ToArray();
            optimizer.Step();

            for (int k = 0; k < parameters.Length; k++)
            {
                for (int i = 0; i < parameters[k].Length; i++)
                {
                    T actual = parameters[k].Value[i];
                    largestStep = Math.Max(largestStep, Math.Abs(double.CreateTruncating(actual) - double.CreateTruncating(before[k][i])));
                    T expected = T.CreateTruncating(step.Expected[k][i]);
                    double difference = Math.Abs(double.CreateTruncating(actual) - double.CreateTruncating(expected));
                    worstDifference = Math.Max(worstDifference, difference);
                    worstRelative = Math.Max(worstRelative, difference / Math.Abs(step.Expected[k][i]));
                    worstUlps = Math.Max(worstUlps, Ulps.Between(actual, expected));
                    double allowed = tolerance.Allowed(step.Expected[k][i], largest);
                    if (failure is null && !(difference <= allowed))
                    {
                        failure = $"{fixture.Optimizer} case '{fixture.Case}' ({fixture.Dtype}): step {t + 1} of {fixture.Steps.Count} " +
                                  $"(learning rate {R(step.LearningRate)}), parameter '{parameters[k].Name}' [{i}]: " +
                                  $"expected {R(double.CreateTruncating(expected))} (torch), got {R(double.CreateTruncating(actual))}; " +
                                  $"|difference| {difference:E3} > {allowed:E3} ({tolerance}; largest |value| {largest:G4}). " +
                                  $"Options: {options}.";
                    }
                }
            }
        }

        double ulpOfLargest = double.CreateTruncating(T.BitIncrement(T.CreateTruncating(largest)) - T.CreateTruncating(largest));
        var final = parameters.Select(p => p.Value.Select(double.CreateTruncating).ToArray()).ToArray();
        return new ParityReplay(failure, worstDifference / largest, worstRelative, worstUlps, worstDifference / ulpOfLargest,
                                largestStep, final);
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
