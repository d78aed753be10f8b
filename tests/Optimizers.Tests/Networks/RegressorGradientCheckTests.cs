using System.Numerics;
using Optimizers.Networks;

namespace Optimizers.Tests;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Every element of every parameter's Backward gradient of a regressor against the central finite difference of Loss,
/// for each loss and activation, in float64 (tight) and float32 (loose, see <see cref="Float32Tolerance"/>).
/// </summary>
public sealed class RegressorGradientCheckTests
{
    // float64, as GradientCheckTests: h = 1e-5 gives a truncation error O(h²·J‴) ≈ 1e-10 and a rounding error about
    // ε·|J|/h ≈ 1e-11, both far below the 1e-6 bound on the relative error. Measured worst: 2.2e-7 (Huber, sigmoid,
    // 1-6-5-1).
    private const double Float64Step = 1e-5;
    private const double Float64Tolerance = 1e-6;

    // float32: the loss itself carries a rounding error of a few ulps of |J| (ε = 1.2e-7, |J| ≈ 1): about 5e-7 after
    // the forward pass. With h = 1e-2 the central difference's rounding error is about 5e-7/h = 5e-5 and its truncation
    // error h²/6·|J‴| ≈ 2e-5·|J‴|; against gradients of 0.01–1 that is up to a few 1e-3 relative (the relative error's
    // denominator is floored at 1e-2). Measured worst: 2.4e-3 (MSE, ReLU, 3-5-4-2).
    // A bound of 2e-2 leaves room for that and still catches any wrong term (a missing factor or sign is ≥ 30 %).
    private const double Float32Step = 1e-2;
    private const double Float32Tolerance = 2e-2;

    public static TheoryData<RegressionLoss, Activation, int[]> Cases()
    {
        var data = new TheoryData<RegressionLoss, Activation, int[]>();
        foreach (var loss in Enum.GetValues<RegressionLoss>())
        {
            foreach (var activation in Enum.GetValues<Activation>())
            {
                data.Add(loss, activation, [3, 5, 4, 2]);     // two hidden layers, two outputs
                data.Add(loss, activation, [1, 6, 5, 1]);     // one input, one output
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64_backward_matches_central_differences(RegressionLoss loss, Activation activation, int[] sizes)
        => Check<double>(loss, activation, sizes, Float64Step, Float64Tolerance, floor: 1e-8);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_backward_matches_central_differences(RegressionLoss loss, Activation activation, int[] sizes)
        => Check<float>(loss, activation, sizes, Float32Step, Float32Tolerance, floor: 1e-2);

    /// <summary>
    /// Checks every gradient element: |a − n| / max(|a| + |n|, <paramref name="floor"/>) &lt; <paramref name="tolerance"/>,
    /// skipping (and bounding the count of) elements whose ±h crosses a kink: a ReLU pre-activation crossing 0, or a
    /// Huber residual crossing ±δ (there the loss's second derivative jumps, and the difference quotient with it).
    /// </summary>
    private static void Check<T>(RegressionLoss loss, Activation activation, int[] sizes, double h, double tolerance, double floor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var network = Network.Regressor<T>(sizes, activation, loss, seed: 3);
        var random = new Random(17);
        foreach (var layer in network.Layers)
        {
            for (int j = 0; j < layer.Bias.Length; j++)
            {
                layer.Bias.Value[j] = T.CreateTruncating(random.NextDouble() - 0.5);   // Regressor starts them at 0
            }
        }

        const int batch = 7;
        var inputs = Matrix<T>.Build.Dense(batch, sizes[0], (_, _) => T.CreateTruncating(2 * random.NextDouble() - 1));
        // Targets at residuals of either sign, |ŷ − y| in [0.2, 0.8] for even rows and [1.3, 2.8] for odd ones: both
        // Huber branches, and away from δ = 1.
        var start = network.Predict(inputs);
        var targets = Matrix<T>.Build.Dense(batch, sizes[^1], (r, c) =>
        {
            double size = r % 2 == 0 ? 0.2 + 0.6 * random.NextDouble() : 1.3 + 1.5 * random.NextDouble();
            return start[r, c] - T.CreateTruncating(random.NextDouble() < 0.5 ? -size : size);
        });

        double value = network.Backward(inputs, targets);
        value.Should().Be(network.Loss(inputs, targets), "Backward returns the loss before any update");
        var analytic = network.Parameters.Select(p => p.Gradient.Select(double.CreateTruncating).ToArray()).ToArray();
        var kinks = Kinks(network, inputs, targets);
        if (loss == RegressionLoss.Huber)
        {
            var residuals = (network.Predict(inputs) - targets).Enumerate().Select(d => double.Abs(double.CreateTruncating(d))).ToArray();
            residuals.Should().Contain(d => d < 1).And.Contain(d => d > 1, "both Huber branches are exercised");
        }

        int checkedCount = 0, skipped = 0;
        double worst = 0;
        string worstAt = "";
        for (int k = 0; k < network.Parameters.Count; k++)
        {
            var p = network.Parameters[k];
            for (int i = 0; i < p.Length; i++)
            {
                T original = p.Value[i];
                T plusValue = original + T.CreateTruncating(h), minusValue = original - T.CreateTruncating(h);
                p.Value[i] = plusValue;
                double plus = network.Loss(inputs, targets);
                bool kink = !Kinks(network, inputs, targets).SequenceEqual(kinks);
                p.Value[i] = minusValue;
                double minus = network.Loss(inputs, targets);
                kink |= !Kinks(network, inputs, targets).SequenceEqual(kinks);
                p.Value[i] = original;
                if (kink)
                {
                    skipped++;
                    continue;
                }

                // The step actually taken, (θ + h) − (θ − h) after rounding to T.
                double numeric = (plus - minus) / double.CreateTruncating(plusValue - minusValue);
                double a = analytic[k][i];
                double relative = Math.Abs(a - numeric) / Math.Max(Math.Abs(a) + Math.Abs(numeric), floor);
                if (relative >= worst)
                {
                    (worst, worstAt) = (relative, $"{p.Name}[{i}]: backprop {a:R}, finite difference {numeric:R}");
                }

                checkedCount++;
            }
        }

        worst.Should().BeLessThan(tolerance, $"the worst element is {worstAt}");
        int total = network.Parameters.Sum(p => p.Length);
        (checkedCount + skipped).Should().Be(total);
        skipped.Should().BeLessThanOrEqualTo(total / 10, "crossing a kink within ±h is rare");
        analytic.SelectMany(g => g).Count(g => Math.Abs(g) > 1e-3).Should().BeGreaterThan(total / 2,
            "the check is only meaningful if most gradients are clearly non-zero");
    }

    /// <summary>Which side of each kink every sample is on: the hidden ReLU pre-activations' signs and |ŷ − y| &lt; δ per output.</summary>
    private static List<bool> Kinks<T>(Network<T> network, Matrix<T> inputs, Matrix<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sides = new List<bool>();
        var a = inputs;
        foreach (var layer in network.Layers)
        {
            var z = layer.Linear(a);
            if (layer.Activation is not { } f)
            {
                a = z;
                break;
            }

            if (f == Activation.ReLU)
            {
                sides.AddRange(z.Enumerate().Select(v => v > T.Zero));
            }

            a = ActivationFunctions.Apply(f, z);
        }

        if (network.RegressionLoss == RegressionLoss.Huber)
        {
            sides.AddRange((a - targets).Enumerate().Select(d => T.Abs(d) < T.One));
        }

        return sides;
    }
}
