using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests.Family;

/// <summary>
/// Adafactor: two steps by hand on a 2 × 2 weight (factored statistics) and on a rank-1 parameter (full second moment,
/// weight decay, update clipping), ε₁'s default per element type, the state's shapes, and no allocation per step.
/// </summary>
public abstract class AdafactorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static Parameter<T> Param(string name, params double[] values) => new(name, Element<T>.From(values));

    /// <summary>A rows × columns parameter from its rows (as written on paper; stored column-major).</summary>
    private static Parameter<T> Matrix(string name, double[,] rows)
        => new(name, Matrix<T>.Build.DenseOfArray(ToT(rows)));

    private static T[,] ToT(double[,] values)
    {
        var result = new T[values.GetLength(0), values.GetLength(1)];
        for (int i = 0; i < values.GetLength(0); i++)
        {
            for (int j = 0; j < values.GetLength(1); j++)
            {
                result[i, j] = Element<T>.From(values[i, j]);
            }
        }

        return result;
    }

    private static void Feed(Parameter<T> p, params double[] g) => Element<T>.From(g).CopyTo(p.GradientArray, 0);

    private static void Feed(Parameter<T> p, double[,] rows) => p.GradientMatrix.SetSubMatrix(0, 0, Matrix<T>.Build.DenseOfArray(ToT(rows)));

    private static double Tolerance => Element<T>.IsSingle ? 4e-7 : 1e-15;

    private static void ShouldBeClose(ReadOnlySpan<T> actual, params double[] expected)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Element<T>.ToDouble(actual[i]).Should().BeApproximately(expected[i], Tolerance * Math.Abs(expected[i]), $"element {i}");
        }
    }

    private static void ShouldBeClose(Matrix<T> actual, double[,] expected)
    {
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int j = 0; j < expected.GetLength(1); j++)
            {
                Element<T>.ToDouble(actual[i, j]).Should().BeApproximately(expected[i, j], Tolerance * Math.Abs(expected[i, j]), $"element ({i}, {j})");
            }
        }
    }

    [Fact]
    public void Defaults_are_torchs()
    {
        var optimizer = new Adafactor<T>([Param("w", 1.0)]);

        optimizer.LearningRate.Should().Be(0.01);
        optimizer.Beta2Decay.Should().Be(-0.8);
        optimizer.Epsilon1.Should().BeNull();
        optimizer.Epsilon2.Should().Be(1e-3);
        optimizer.ClipThreshold.Should().Be(1.0);
        optimizer.WeightDecay.Should().Be(0);
        optimizer.Maximize.Should().BeFalse();
        optimizer.StateNames.Should().Equal("row_var", "col_var", "variance");
    }

    [Fact]
    public void Two_steps_by_hand_on_a_2x2_weight()
    {
        // α = 0.1, τ = −0.8, ε₂ = 1e-3, d = 1; θ₀ = [[2, −2], [2, 2]], RMS(θ₀) = 2
        var w = Matrix("w", new double[,] { { 2, -2 }, { 2, 2 } });
        var optimizer = new Adafactor<T>([w], learningRate: 0.1);

        Feed(w, new double[,] { { 3, 4 }, { 4, 3 } });
        optimizer.Step();
        // t = 1: t^τ = 1 (the statistics become the first means), ρ₁ = min(0.1, 1/√1) = 0.1, α₁ = max(1e-3, 2)·0.1 = 0.2
        // g² = [[9, 16], [16, 9]]: R₁ = row means = (12.5, 12.5), C₁ = column means = (12.5, 12.5), mean(R₁) = 12.5
        // V̂ = Rᵢ·Cⱼ/12.5 = 12.5 everywhere (not g²: the rank-one estimate), u = g/√12.5 = g·√2/5
        //   = [[0.848528137423857, 1.131370849898476], [1.131370849898476, 0.848528137423857]], RMS(u) = 1: no clipping
        // θ₁ = θ₀ − 0.2·u = [[2 − 0.1697056…, −2 − 0.2262741…], [2 − 0.2262741…, 2 − 0.1697056…]]
        ShouldBeClose(w.ValueMatrix, new double[,] { { 1.8302943725152285, -2.2262741699796953 }, { 1.7737258300203047, 1.8302943725152285 } });
        ShouldBeClose(optimizer.GetState("row_var", 0), 12.5, 12.5);
        ShouldBeClose(optimizer.GetState("col_var", 0), 12.5, 12.5);
        optimizer.GetState("variance", 0).Length.Should().Be(0, "a rank-2 parameter keeps no full second moment");

        Feed(w, new double[,] { { 0, 0 }, { 0, 2 } });
        optimizer.Step();
        // t = 2: w = 2^−0.8 = 0.5743491774985174 (≥ 0.5: torch's lerp is e − (e − s)·(1 − w), 1 − w = 0.42565082250148256)
        // row means of g² = (0, 2), column means = (0, 2):
        //   R₂ = (0 + 12.5·0.42565…, 2 + 10.5·0.42565…) = (5.320635281268532, 6.469333636265567) = C₂
        //   mean(R₂) = 5.89498445876705; V̂₁₁ = 6.469333636265567²/5.89498445876705 = 7.099641736132849
        // u = [[0, 0], [0, 2/√7.0996… = 0.7506055629453166]], RMS(u) = 0.3753027814726583 < 1: no clipping
        // ρ₂ = min(0.1, 1/√2) = 0.1, RMS(θ₁) = 1.923691437063246, α₂ = 0.19236914370632463
        // θ₂ = θ₁ − α₂·u: only (1, 1) moves, 1.8302943725152285 − 0.19236914…·0.75060556… = 1.6859010231102343
        ShouldBeClose(w.ValueMatrix, new double[,] { { 1.8302943725152285, -2.2262741699796953 }, { 1.7737258300203047, 1.6859010231102343 } });
        ShouldBeClose(optimizer.GetState("row_var", 0), 5.320635281268532, 6.469333636265567);
        ShouldBeClose(optimizer.GetState("col_var", 0), 5.320635281268532, 6.469333636265567);
    }

    [Fact]
    public void Two_steps_by_hand_on_a_vector_with_weight_decay_and_clipping()
    {
        // α = 0.1, λ = 0.5 (θ is multiplied by 1 − α·λ = 0.95), τ = −0.8, d = 1; θ₀ = (1, −1), RMS(θ₀) = 1
        var b = Param("b", 1.0, -1.0);
        var optimizer = new Adafactor<T>([b], learningRate: 0.1, weightDecay: 0.5);

        Feed(b, 0.5, 0.0);
        optimizer.Step();
        // t = 1: V = g² = (0.25, 0); u = g/√max(V, ε₁²) = (0.5/0.5, 0/ε₁) = (1, 0), RMS(u) = 0.7071… < 1: no clipping
        // α₁ = max(1e-3, 1)·min(0.1, 1) = 0.1; θ₁ = 0.95·θ₀ − 0.1·u = (0.95 − 0.1, −0.95) = (0.85, −0.95)
        ShouldBeClose(b.ValueSpan, 0.85, -0.95);
        ShouldBeClose(optimizer.GetState("variance", 0), 0.25, 0.0);
        optimizer.GetState("row_var", 0).Length.Should().Be(0, "a rank-1 parameter keeps no row statistics");
        optimizer.GetState("col_var", 0).Length.Should().Be(0);

        Feed(b, 3.0, 3.0);
        optimizer.Step();
        // t = 2: 1 − w = 0.42565082250148256; V = (9 − 8.75·0.42565…, 9 − 9·0.42565…) = (5.275555303112028, 5.1691425974866565)
        // u = (3/√5.2755…, 3/√5.1691…) = (1.3061322856105495, 1.3195079107728944), RMS(u) = 1.3128371327218176 > d = 1:
        //   the update is divided by 1.3128…
        // RMS(θ₁) = √((0.85² + 0.95²)/2) = √0.8125 = 0.9013878188659973, α₂ = 0.09013878188659974
        // θ₂ = 0.95·θ₁ − α₂·u/1.3128… = (0.8075 − 0.0896784…, −0.9025 − 0.0905967…) = (0.7178215697718673, −0.9930967943793705)
        ShouldBeClose(b.ValueSpan, 0.7178215697718673, -0.9930967943793705);
        ShouldBeClose(optimizer.GetState("variance", 0), 5.275555303112028, 5.1691425974866565);
    }

    [Fact]
    public void Epsilon1_defaults_to_the_machine_epsilon_of_the_element_type()
    {
        // g = (1e-9, 1) at step 1: u = g/√max(g², ε₁²) is (1, 1) when ε₁ < 1e-9 (float64's 2.2e-16) and
        // (1e-9/ε₁, 1) when ε₁ > 1e-9 (float32's 1.19e-7).
        double own = double.CreateTruncating(T.BitIncrement(T.One) - T.One);
        double other = Element<T>.IsSingle ? Math.Pow(2, -52) : Math.Pow(2, -23);
        var results = new[] { (double?)null, own, other }.Select(epsilon1 =>
        {
            var p = Param("p", 1.0, 1.0);
            var optimizer = new Adafactor<T>([p], learningRate: 0.1, epsilon1: epsilon1);
            Feed(p, 1e-9, 1.0);
            optimizer.Step();
            return p.Value.ToArray();
        }).ToArray();

        results[0].Should().Equal(results[1], "null means {0}'s epsilon {1}", Element<T>.Name, own);
        results[0].Should().NotEqual(results[2]);
        own.Should().Be(Element<T>.IsSingle ? 1.1920928955078125e-07 : 2.220446049250313e-16);
    }

    [Fact]
    public void Statistics_follow_the_logical_shape_and_a_bias_keeps_a_full_second_moment()
    {
        var tall = new Parameter<T>("tall", Matrix<T>.Build.Dense(5, 3));
        var wide = new Parameter<T>("wide", Matrix<T>.Build.Dense(2, 7));
        var bias = Param("bias", 0, 0, 0, 0);
        var optimizer = new Adafactor<T>([tall, wide, bias]);

        optimizer.GetState("row_var", 0).Length.Should().Be(5);
        optimizer.GetState("col_var", 0).Length.Should().Be(3);
        optimizer.GetState("variance", 0).Length.Should().Be(0);
        optimizer.GetState("row_var", 1).Length.Should().Be(2);
        optimizer.GetState("col_var", 1).Length.Should().Be(7);
        optimizer.GetState("row_var", 2).Length.Should().Be(0);
        optimizer.GetState("variance", 2).Length.Should().Be(4);
    }

    [Fact]
    public void A_step_allocates_nothing()
    {
        var w = new Parameter<T>("w", Matrix<T>.Build.Dense(6, 4, (i, j) => Element<T>.From(i - j + 0.5)));
        var b = Param("b", 0.5, -0.25, 1.0);
        var optimizer = new Adafactor<T>([w, b], weightDecay: 0.1);
        for (int i = 0; i < w.Length; i++)
        {
            w.GradientArray[i] = Element<T>.From(Math.Sin(i));
        }

        Feed(b, 0.1, 0.2, -0.3);
        optimizer.Step();

        SteadyAllocation.Smallest(optimizer.Step, calls: 10).Should().Be(0);
    }
}

public sealed class AdafactorTests_Double : AdafactorTests<double>;

public sealed class AdafactorTests_Single : AdafactorTests<float>;
