using System.Numerics;

namespace Optimizers.Tests.Lbfgs;

/// <summary>
/// The closed-loop problems of the L-BFGS traces, computed exactly as generate_lbfgs_traces.py computes them (sequential
/// loops in <typeparamref name="T"/>, the same operations in the same order), so that the loss and the gradient at a
/// point are bit for bit torch's closure's.
/// </summary>
internal static class LbfgsProblems<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A closure over <paramref name="parameters"/> that zeroes and fills their gradients and returns the loss.</summary>
    public static Func<double> Closure(string problem, Parameter<T>[] parameters, double[][]? x, double[]? y)
    {
        int n = parameters.Sum(p => p.Length);
        var xs = new T[n];
        var grad = new T[n];
        T[][]? xt = x?.Select(row => row.Select(T.CreateTruncating).ToArray()).ToArray();
        T[]? yt = y?.Select(T.CreateTruncating).ToArray();
        return () =>
        {
            int offset = 0;
            foreach (var p in parameters)
            {
                p.ZeroGrad();
                for (int i = 0; i < p.Length; i++)
                {
                    xs[offset + i] = p.Value[i];
                }

                offset += p.Length;
            }

            T loss = problem == "rosenbrock" ? Rosenbrock(xs, grad) : LeastSquares(xs, grad, xt!, yt!);
            offset = 0;
            foreach (var p in parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Gradient[i] = grad[offset + i];
                }

                offset += p.Length;
            }

            return double.CreateTruncating(loss);
        };
    }

    /// <summary>Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² and its gradient into <paramref name="grad"/>.</summary>
    public static T Rosenbrock(T[] xs, T[] grad)
    {
        T one = T.One, hundred = T.CreateTruncating(100), two = T.CreateTruncating(2), minus400 = -T.CreateTruncating(400);
        Array.Clear(grad);
        T loss = T.Zero;
        for (int i = 0; i < xs.Length - 1; i++)
        {
            T a = xs[i + 1] - xs[i] * xs[i];
            T b = one - xs[i];
            loss += hundred * a * a + b * b;
            grad[i] += minus400 * xs[i] * a - two * b;
            grad[i + 1] += two * hundred * a;
        }

        return loss;
    }

    /// <summary>(1/m) Σᵣ (Σⱼ Xᵣⱼ wⱼ + b − yᵣ)² over xs = (w, b), and its gradient.</summary>
    public static T LeastSquares(T[] xs, T[] grad, T[][] x, T[] y)
    {
        int m = x.Length, k = x[0].Length;
        T invM = T.One / T.CreateTruncating(m);
        T two = T.CreateTruncating(2);
        Array.Clear(grad);
        T loss = T.Zero;
        for (int r = 0; r < m; r++)
        {
            T pred = T.Zero;
            for (int j = 0; j < k; j++)
            {
                pred += x[r][j] * xs[j];
            }

            T res = pred + xs[k] - y[r];
            loss += res * res;
            T scaled = two * res * invM;
            for (int j = 0; j < k; j++)
            {
                grad[j] += scaled * x[r][j];
            }

            grad[k] += scaled;
        }

        return loss * invM;
    }
}
