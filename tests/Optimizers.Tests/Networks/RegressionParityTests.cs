using System.Numerics;
using System.Text.Json;
using Optimizers.Networks;

namespace Optimizers.Tests;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// The regression losses and a regressor's backward pass against torch 1.13: regression_losses.json, written by
/// generate_regression_losses.py beside this file (torch.nn.MSELoss, torch.nn.HuberLoss(delta=1.0), autograd), in
/// float64 and float32.
/// </summary>
public sealed class RegressionParityTests
{
    private static readonly Lazy<JsonElement> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Networks", "regression_losses.json"))).RootElement);

    public static TheoryData<string, string> LossCases() => CasesOf("losses");

    public static TheoryData<string, string> NetworkCases() => CasesOf("networks");

    [Fact]
    public void The_fixture_covers_both_losses_both_precisions_and_both_Huber_branches()
    {
        var losses = Document.Value.GetProperty("losses").EnumerateArray().ToArray();
        foreach (string dtype in new[] { "float64", "float32" })
        {
            var huber = losses.Where(c => c.GetProperty("dtype").GetString() == dtype && c.GetProperty("loss").GetString() == "Huber").ToArray();
            huber.Sum(c => c.GetProperty("quadraticElements").GetInt32()).Should().BePositive();
            huber.Sum(c => c.GetProperty("linearElements").GetInt32()).Should().BePositive();
            huber.Sum(c => c.GetProperty("boundaryElements").GetInt32()).Should().BePositive("|d| = δ exactly, where the branches meet");
            losses.Should().Contain(c => c.GetProperty("dtype").GetString() == dtype && c.GetProperty("loss").GetString() == "MeanSquaredError");
        }

        Document.Value.GetProperty("networks").GetArrayLength().Should().BeGreaterThanOrEqualTo(8);
    }

    [Theory]
    [MemberData(nameof(LossCases))]
    public void Loss_and_output_gradient_equal_torch(string dtype, string name)
    {
        var c = Case("losses", dtype, name);
        // Measured: every float64 loss equals torch's exactly; float32 "mse-three-outputs" (15 elements) differs by 2 ulps
        // (1.5e-7 relative: torch's vectorised sum adds in another order), the rest exactly.
        if (dtype == "float64")
        {
            CheckLoss<double>(c, lossTolerance: 2 * DoubleEpsilon);
        }
        else
        {
            CheckLoss<float>(c, lossTolerance: 4 * FloatEpsilon);
        }
    }

    [Theory]
    [MemberData(nameof(NetworkCases))]
    public void A_regressors_outputs_loss_and_every_gradient_equal_torch(string dtype, string name)
    {
        var c = Case("networks", dtype, name);
        // Measured worst differences, relative to the largest magnitude of each array: 2.5e-16 in float64 (about one
        // ulp) and 1.5e-7 in float32 (one to two ulps): the products add in another order than torch's BLAS, and .NET's
        // tanh and exp round differently from torch's vectorised ones. The bounds are about eight ulps.
        if (dtype == "float64")
        {
            CheckNetwork<double>(c, tolerance: 8 * DoubleEpsilon);
        }
        else
        {
            CheckNetwork<float>(c, tolerance: 8 * FloatEpsilon);
        }
    }

    /// <summary>2⁻⁵², the spacing of float64 numbers in [1, 2).</summary>
    private const double DoubleEpsilon = 2.220446049250313e-16;

    /// <summary>2⁻²³, the spacing of float32 numbers in [1, 2).</summary>
    private const double FloatEpsilon = 1.1920928955078125e-7;

    /// <summary>
    /// The loss within <paramref name="lossTolerance"/> relative (the sum may be taken in another order than torch's,
    /// a few roundings at most for these sizes), the gradient exactly: d·(2/N) or clamp(d, −1, 1)·(1/N) with the factor
    /// rounded to T once, as torch's backward computes it.
    /// </summary>
    private static void CheckLoss<T>(JsonElement c, double lossTolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var loss = Enum.Parse<RegressionLoss>(c.GetProperty("loss").GetString()!);
        var outputs = MatrixOf<T>(c.GetProperty("outputs"));
        var targets = MatrixOf<T>(c.GetProperty("targets"));
        double expected = c.GetProperty("expectedLoss").GetDouble();

        double actual = RegressionLosses.Loss(loss, outputs, targets);
        var gradient = RegressionLosses.Gradient(loss, outputs, targets);

        Math.Abs(actual - expected).Should().BeLessThanOrEqualTo(lossTolerance * Math.Abs(expected), $"loss {actual:R}, torch {expected:R}");
        var expectedGradient = MatrixOf<T>(c.GetProperty("expectedGradient"));
        gradient.RowCount.Should().Be(expectedGradient.RowCount);
        gradient.ColumnCount.Should().Be(expectedGradient.ColumnCount);
        gradient.Enumerate().Should().Equal(expectedGradient.Enumerate(), "the gradient of each element is one subtraction and one multiplication, as in torch");
    }

    /// <summary>
    /// Outputs, loss and every parameter gradient within <paramref name="tolerance"/> of the largest magnitude of
    /// each array (the matrix products sum in another order than torch's BLAS).
    /// </summary>
    private static void CheckNetwork<T>(JsonElement c, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sizes = c.GetProperty("layerSizes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var network = Network.Regressor<T>(sizes, Enum.Parse<Activation>(c.GetProperty("activation").GetString()!),
                                           Enum.Parse<RegressionLoss>(c.GetProperty("loss").GetString()!));
        var layers = c.GetProperty("layers").EnumerateArray().ToArray();
        for (int l = 0; l < layers.Length; l++)
        {
            MatrixOf<T>(layers[l].GetProperty("weight")).CopyTo(network.Layers[l].WeightMatrix);   // shares the parameter's storage
            VectorOf<T>(layers[l].GetProperty("bias")).CopyTo(network.Layers[l].Bias.Value);
        }

        var inputs = MatrixOf<T>(c.GetProperty("inputs"));
        var targets = MatrixOf<T>(c.GetProperty("targets"));

        ShouldBeClose(network.Predict(inputs).Enumerate(), MatrixOf<T>(c.GetProperty("expectedOutputs")).Enumerate(), tolerance, "outputs");
        double loss = network.Backward(inputs, targets);
        double expectedLoss = c.GetProperty("expectedLoss").GetDouble();
        Math.Abs(loss - expectedLoss).Should().BeLessThanOrEqualTo(tolerance * Math.Abs(expectedLoss), $"loss {loss:R}, torch {expectedLoss:R}");
        network.Loss(inputs, targets).Should().Be(loss, "Backward returns the loss that Loss computes");

        var gradients = c.GetProperty("expectedGradients").EnumerateArray().ToArray();
        for (int l = 0; l < gradients.Length; l++)
        {
            var weightGradient = Matrix<T>.Build.Dense(sizes[l + 1], sizes[l], network.Layers[l].Weights.Gradient.ToArray());
            ShouldBeClose(weightGradient.Enumerate(), MatrixOf<T>(gradients[l].GetProperty("weight")).Enumerate(), tolerance, $"layer{l + 1}.weight gradient");
            ShouldBeClose(network.Layers[l].Bias.Gradient.Enumerate(), VectorOf<T>(gradients[l].GetProperty("bias")).Enumerate(), tolerance, $"layer{l + 1}.bias gradient");
        }
    }

    private static void ShouldBeClose<T>(IEnumerable<T> actual, IEnumerable<T> expected, double tolerance, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = actual.Select(double.CreateTruncating).ToArray();
        var e = expected.Select(double.CreateTruncating).ToArray();
        a.Should().HaveSameCount(e, what);
        double scale = e.Max(Math.Abs);
        int worst = Enumerable.Range(0, a.Length).MaxBy(i => Math.Abs(a[i] - e[i]));
        (Math.Abs(a[worst] - e[worst]) / scale).Should().BeLessThanOrEqualTo(
            tolerance, $"{what}[{worst}] is {a[worst]:R} where torch has {e[worst]:R} (largest |value| {scale:R})");
    }

    private static TheoryData<string, string> CasesOf(string section)
    {
        var data = new TheoryData<string, string>();
        foreach (var c in Document.Value.GetProperty(section).EnumerateArray())
        {
            data.Add(c.GetProperty("dtype").GetString()!, c.GetProperty("name").GetString()!);
        }

        return data;
    }

    private static JsonElement Case(string section, string dtype, string name)
        => Document.Value.GetProperty(section).EnumerateArray()
            .Single(c => c.GetProperty("dtype").GetString() == dtype && c.GetProperty("name").GetString() == name);

    /// <summary>A fixture matrix (a list of rows); float32 values are stored as the doubles they equal, so the rounding is exact.</summary>
    private static Matrix<T> MatrixOf<T>(JsonElement rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => T.CreateTruncating(v.GetDouble())).ToArray()).ToArray();
        return Matrix<T>.Build.DenseOfRowArrays(values);
    }

    private static Vector<T> VectorOf<T>(JsonElement values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Vector<T>.Build.DenseOfEnumerable(values.EnumerateArray().Select(v => T.CreateTruncating(v.GetDouble())));
}
