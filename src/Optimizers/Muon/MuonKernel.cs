using System.Numerics;

namespace Optimizers;

/// <summary>
/// The pieces of a Muon step on one rows × columns parameter: the momentum direction, its Newton–Schulz
/// orthogonalisation, and the move of θ.
/// </summary>
/// <remarks>
/// <para>
/// The parameter is stored column by column (element (i, j) at <c>i + j·rows</c>); the orthogonalisation works on a
/// p × q matrix X stored row by row with p ≤ q: X is the direction itself when rows ≤ columns, its transpose when
/// rows &gt; columns (torch's <c>ortho_grad.T</c>). A column-major rows × columns matrix read row by row is its
/// transpose, so a tall direction is copied as it lies and a wide one is transposed on the way in and out.
/// </para>
/// <para>
/// The matrix products are plain loops over spans in the element type (no allocation; MathNet's product is not used
/// because its managed provider may allocate per call). Each element of a product is one dot product summed in
/// increasing index order; X·Xᵀ and (X·Xᵀ)² are symmetric and each pair (i, k), (k, i) is computed once.
/// </para>
/// </remarks>
internal static class MuonKernel
{
    /// <summary>
    /// <c>b = lerp(b, g, 1 − μ)</c> element by element, then writes the direction <c>u = lerp(g, b, μ)</c> (Nesterov)
    /// or <c>u = b</c> into <paramref name="x"/> as the p × q row-major matrix described above.
    /// </summary>
    /// <param name="gradient">g, column-major rows × columns.</param>
    /// <param name="buffer">b, the momentum buffer, same layout, updated in place.</param>
    /// <param name="x">Receives the direction: rows·columns elements.</param>
    /// <param name="rows">The logical rows of the parameter.</param>
    /// <param name="columns">The logical columns of the parameter.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="nesterov">Whether the direction is Nesterov's.</param>
    public static void Direction<T>(ReadOnlySpan<T> gradient, Span<T> buffer, Span<T> x, int rows, int columns,
                                    double momentum, bool nesterov)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int length = rows * columns;
        Kernel.CheckLengths(length, gradient.Length);
        Kernel.CheckLengths(length, buffer.Length);
        Kernel.CheckLengths(length, x.Length);

        // torch: buf.lerp_(grad, 1 - momentum); update = grad.lerp(buf, momentum) if nesterov else buf.
        T toGradient = T.CreateTruncating(1 - momentum), toBuffer = T.CreateTruncating(momentum);
        bool tall = rows > columns;
        for (int j = 0; j < columns; j++)
        {
            for (int i = 0; i < rows; i++)
            {
                int k = i + j * rows;
                T g = gradient[k];
                T b = Lerp.Of(buffer[k], g, toGradient);
                buffer[k] = b;
                x[tall ? k : i * columns + j] = nesterov ? Lerp.Of(g, b, toBuffer) : b;
            }
        }
    }

    /// <summary>
    /// Divides X by max(‖X‖_F, ε), then runs <paramref name="steps"/> Newton–Schulz iterations
    /// <c>A = X·Xᵀ;  P = b·A + c·(A·A);  X = a·X + P·X</c>, swapping <paramref name="x"/> and <paramref name="y"/>.
    /// </summary>
    /// <remarks>
    /// ‖X‖_F is summed in double for both element types and rounded to <typeparamref name="T"/> once; every other
    /// operation is in <typeparamref name="T"/>, each product and sum rounded on its own as torch's text writes it:
    /// <c>(b·A) + (c·(A·A))</c> and <c>(a·X) + (P·X)</c>.
    /// </remarks>
    /// <param name="x">X, p × q row-major on entry.</param>
    /// <param name="y">Work space of p·q elements.</param>
    /// <param name="gram">Work space of p·p elements (A).</param>
    /// <param name="poly">Work space of p·p elements (P).</param>
    /// <param name="p">The rows of X (min(rows, columns)).</param>
    /// <param name="q">The columns of X (max(rows, columns)).</param>
    /// <param name="a">The coefficient a.</param>
    /// <param name="b">The coefficient b.</param>
    /// <param name="c">The coefficient c.</param>
    /// <param name="steps">The number of iterations, ≥ 0.</param>
    /// <param name="epsilon">ε, the least divisor of the normalisation.</param>
    /// <returns>Whichever of <paramref name="x"/> and <paramref name="y"/> holds the result.</returns>
    public static Span<T> Orthogonalize<T>(Span<T> x, Span<T> y, Span<T> gram, Span<T> poly, int p, int q,
                                           double a, double b, double c, int steps, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(p * q, x.Length);
        Kernel.CheckLengths(p * q, y.Length);
        Kernel.CheckLengths(p * p, gram.Length);
        Kernel.CheckLengths(p * p, poly.Length);

        // torch: ortho_grad.div_(ortho_grad.norm().clamp(min=eps)).
        double squares = Clipping.ClippingKernel.SumOfSquares<T>(x, 1.0);   // in double, as clipping's global norm
        T norm = T.Max(T.CreateTruncating(Math.Sqrt(squares)), T.CreateTruncating(epsilon));
        for (int i = 0; i < x.Length; i++)
        {
            x[i] /= norm;
        }

        T ta = T.CreateTruncating(a), tb = T.CreateTruncating(b), tc = T.CreateTruncating(c);
        for (int s = 0; s < steps; s++)
        {
            // A = X·Xᵀ (symmetric).
            for (int i = 0; i < p; i++)
            {
                var xi = x.Slice(i * q, q);
                for (int k = i; k < p; k++)
                {
                    T dot = Dot(xi, x.Slice(k * q, q));
                    gram[i * p + k] = dot;
                    gram[k * p + i] = dot;
                }
            }

            // P = b·A + c·(A·A); (A·A)[i, k] = Σⱼ A[i, j]·A[j, k] = Σⱼ A[i, j]·A[k, j] as A is symmetric.
            for (int i = 0; i < p; i++)
            {
                var ai = gram.Slice(i * p, p);
                for (int k = i; k < p; k++)
                {
                    T value = tb * gram[i * p + k] + tc * Dot(ai, gram.Slice(k * p, p));
                    poly[i * p + k] = value;
                    poly[k * p + i] = value;
                }
            }

            // Y = a·X + P·X, row by row: Yᵢ = Σₖ P[i, k]·Xₖ, then a·Xᵢ + Yᵢ.
            for (int i = 0; i < p; i++)
            {
                var yi = y.Slice(i * q, q);
                var xi = x.Slice(i * q, q);
                T first = poly[i * p];
                var x0 = x.Slice(0, q);
                for (int j = 0; j < q; j++)
                {
                    yi[j] = first * x0[j];
                }

                for (int k = 1; k < p; k++)
                {
                    T weight = poly[i * p + k];
                    var xk = x.Slice(k * q, q);
                    for (int j = 0; j < q; j++)
                    {
                        yi[j] += weight * xk[j];
                    }
                }

                for (int j = 0; j < q; j++)
                {
                    yi[j] = ta * xi[j] + yi[j];
                }
            }

            var swap = x;
            x = y;
            y = swap;
        }

        return x;
    }

    /// <summary>
    /// <c>θ = θ·(1 − α·λ)</c>, then <c>θ = θ − α′·O</c>, reading O from the p × q row-major result of
    /// <see cref="Orthogonalize"/> (transposed back for a wide parameter).
    /// </summary>
    /// <param name="theta">θ, column-major rows × columns, updated in place.</param>
    /// <param name="orthogonal">O as <see cref="Orthogonalize"/> left it.</param>
    /// <param name="rows">The logical rows.</param>
    /// <param name="columns">The logical columns.</param>
    /// <param name="decay">1 − α·λ, formed in double.</param>
    /// <param name="stepSize">α′, the shape-adjusted learning rate, formed in double.</param>
    public static void Apply<T>(Span<T> theta, ReadOnlySpan<T> orthogonal, int rows, int columns, double decay, double stepSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Kernel.CheckLengths(rows * columns, theta.Length);
        Kernel.CheckLengths(rows * columns, orthogonal.Length);

        // torch: param.mul_(1 - lr * weight_decay); param.add_(update, alpha=-adjusted_lr).
        T keep = T.CreateTruncating(decay), move = T.CreateTruncating(-stepSize);
        bool tall = rows > columns;
        for (int j = 0; j < columns; j++)
        {
            for (int i = 0; i < rows; i++)
            {
                int k = i + j * rows;
                theta[k] = theta[k] * keep + move * orthogonal[tall ? k : i * columns + j];
            }
        }
    }

    /// <summary>Σᵢ u[i]·v[i] in <typeparamref name="T"/>, in increasing i.</summary>
    private static T Dot<T>(ReadOnlySpan<T> u, ReadOnlySpan<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < u.Length; i++)
        {
            sum += u[i] * v[i];
        }

        return sum;
    }
}
