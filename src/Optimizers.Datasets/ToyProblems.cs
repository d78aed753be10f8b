using MathNet.Numerics.LinearAlgebra;

namespace Optimizers.Datasets;

/// <summary>Seeded two-dimensional classification problems, generated rather than shipped.</summary>
public static class ToyProblems
{
    /// <summary>
    /// Two interleaved half circles ("moons"), as scikit-learn's <c>make_moons</c>: class 0 is the upper arc
    /// (cos t, sin t), class 1 the lower arc (1 − cos t, 0.5 − sin t), t ∈ [0, π], plus Gaussian noise.
    /// </summary>
    /// <param name="count">Total samples (≥ 2), split evenly between the classes.</param>
    /// <param name="noise">Standard deviation of the Gaussian noise added to each coordinate (finite, ≥ 0).</param>
    /// <param name="seed">Seeds the angles' noise.</param>
    public static Dataset Moons(int count = 200, double noise = 0.1, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        CheckNoise(noise);
        var random = new Random(seed);
        int upper = count / 2;
        var x = Matrix<double>.Build.Dense(count, 2);
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            bool isUpper = i < upper;
            int k = isUpper ? i : i - upper;
            int n = isUpper ? upper : count - upper;
            double t = n == 1 ? 0 : Math.PI * k / (n - 1);
            double px = isUpper ? Math.Cos(t) : 1 - Math.Cos(t);
            double py = isUpper ? Math.Sin(t) : 0.5 - Math.Sin(t);
            x.At(i, 0, px + noise * Gaussian(random));
            x.At(i, 1, py + noise * Gaussian(random));
            y[i] = isUpper ? 0 : 1;
        }

        return new Dataset("moons", x, y, ["upper", "lower"]);
    }

    /// <summary>
    /// Interleaved spiral arms, one per class: arm c has points at radius r ∈ [0.05, 1] and angle
    /// 4r + 2πc/classes, plus Gaussian noise on the angle (the classic CS231n spiral).
    /// </summary>
    /// <param name="pointsPerClass">Samples per arm (≥ 1).</param>
    /// <param name="classes">Number of arms (≥ 2).</param>
    /// <param name="noise">Standard deviation of the angle noise (finite, ≥ 0).</param>
    /// <param name="seed">Seeds the noise.</param>
    public static Dataset Spiral(int pointsPerClass = 100, int classes = 2, double noise = 0.2, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerClass, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        CheckNoise(noise);
        var random = new Random(seed);
        int count = pointsPerClass * classes;
        var x = Matrix<double>.Build.Dense(count, 2);
        var y = new int[count];
        for (int c = 0; c < classes; c++)
        {
            for (int k = 0; k < pointsPerClass; k++)
            {
                int i = c * pointsPerClass + k;
                double r = pointsPerClass == 1 ? 1 : 0.05 + 0.95 * k / (pointsPerClass - 1);
                double angle = 4 * r + 2 * Math.PI * c / classes + noise * Gaussian(random);
                x.At(i, 0, r * Math.Sin(angle));
                x.At(i, 1, r * Math.Cos(angle));
                y[i] = c;
            }
        }

        return new Dataset("spiral", x, y, Enumerable.Range(0, classes).Select(c => $"arm {c}").ToArray());
    }

    /// <summary>Noise must be a finite standard deviation ≥ 0 (NaN or ∞ would silently fill the data with NaN).</summary>
    private static void CheckNoise(double noise)
    {
        if (!(double.IsFinite(noise) && noise >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(noise), noise, $"noise must be a finite number ≥ 0; got {noise}.");
        }
    }

    /// <summary>A standard normal draw by the Box–Muller transform.</summary>
    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
