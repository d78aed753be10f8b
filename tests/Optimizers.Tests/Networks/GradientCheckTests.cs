using MathNet.Numerics.LinearAlgebra;
using Optimizers.Networks;

namespace Optimizers.Tests;

/// <summary>
/// Every element of every parameter's Backward gradient against the central finite difference of Loss,
/// for each activation, on random networks with at least two hidden layers.
/// </summary>
public sealed class GradientCheckTests
{
    // h = 1e-5: the central difference's truncation error is O(h²·J‴) ≈ 1e-10, its rounding error about
    // ε·|J|/h ≈ 1e-11; both far below the 1e-6 bound on the relative error.
    private const double H = 1e-5;
    private const double Tolerance = 1e-6;

    public static TheoryData<Activation, int[]> Cases()
    {
        var data = new TheoryData<Activation, int[]>();
        foreach (var activation in Enum.GetValues<Activation>())
        {
            data.Add(activation, [3, 5, 4, 3]);       // two hidden layers
            data.Add(activation, [2, 6, 5, 4, 4]);    // three hidden layers, four classes
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences(Activation activation, int[] sizes)
    {
        var network = Network.Mlp(sizes, activation, seed: 3);
        var random = new Random(17);

        // Random biases too (Mlp starts them at 0), so that every term of the backward pass is exercised.
        foreach (var layer in network.Layers)
        {
            for (int j = 0; j < layer.Bias.Length; j++)
            {
                layer.Bias.Value[j] = random.NextDouble() - 0.5;
            }
        }

        const int batch = 7;
        var inputs = Matrix<double>.Build.Dense(batch, sizes[0], (_, _) => 2 * random.NextDouble() - 1);
        var labels = Enumerable.Range(0, batch).Select(i => i % sizes[^1]).ToArray();

        double loss = network.Backward(inputs, labels);
        loss.Should().Be(network.Loss(inputs, labels), "Backward returns the loss before any update");
        var analytic = network.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        var activeBefore = HiddenSigns(network, inputs);

        int checkedCount = 0, skippedAtKinks = 0;
        double worst = 0;
        for (int k = 0; k < network.Parameters.Count; k++)
        {
            var p = network.Parameters[k];
            for (int i = 0; i < p.Length; i++)
            {
                double original = p.Value[i];
                p.Value[i] = original + H;
                double plus = network.Loss(inputs, labels);
                bool kink = activation == Activation.ReLU && !HiddenSigns(network, inputs).SequenceEqual(activeBefore);
                p.Value[i] = original - H;
                double minus = network.Loss(inputs, labels);
                kink |= activation == Activation.ReLU && !HiddenSigns(network, inputs).SequenceEqual(activeBefore);
                p.Value[i] = original;

                if (kink)
                {
                    // A ReLU pre-activation crossed 0 within ±h: the loss is not differentiable there, so the
                    // finite difference means nothing. Counted and bounded below.
                    skippedAtKinks++;
                    continue;
                }

                double numeric = (plus - minus) / (2 * H);
                double a = analytic[k][i];
                double relative = Math.Abs(a - numeric) / Math.Max(Math.Abs(a) + Math.Abs(numeric), 1e-8);
                relative.Should().BeLessThan(Tolerance, $"{p.Name}[{i}]: backprop {a:R}, finite difference {numeric:R}");
                worst = Math.Max(worst, relative);
                checkedCount++;
            }
        }

        int total = network.Parameters.Sum(p => p.Length);
        (checkedCount + skippedAtKinks).Should().Be(total);
        skippedAtKinks.Should().BeLessThanOrEqualTo(total / 50, "random inputs make landing within h of a ReLU kink rare");
        analytic.SelectMany(g => g).Count(g => Math.Abs(g) > 1e-4).Should().BeGreaterThan(total / 2,
            "the check is only meaningful if most gradients are clearly non-zero");
    }

    /// <summary>For ReLU: whether each hidden pre-activation of each sample is positive, layer by layer.</summary>
    private static List<bool> HiddenSigns(Network network, Matrix<double> inputs)
    {
        var signs = new List<bool>();
        var a = inputs;
        foreach (var layer in network.Layers)
        {
            var z = layer.Linear(a);
            if (layer.Activation is not { } f)
            {
                break;
            }

            signs.AddRange(z.Enumerate().Select(v => v > 0));
            a = ActivationFunctions.Apply(f, z);
        }

        return signs;
    }
}
