using System.Numerics;

namespace Optimizers.Clipping;

/// <summary>
/// Gradient clipping over any set of parameters (<see cref="Parameter{T}"/>, float or double), as <c>torch.nn.utils.clip_grad_norm_</c> and
/// <c>clip_grad_value_</c>. Call it between computing the gradients and <see cref="IOptimizer.Step"/>.
/// </summary>
/// <remarks>
/// <para>
/// Both methods work on the gradients in place, in span-based vectorised passes, and allocate nothing when the
/// parameters come as an <see cref="IReadOnlyList{T}"/> (an array, a list, <see cref="IOptimizerBase{T}.Parameters"/>)
/// of at most 256 parameters; any other sequence is copied into an array once per call, and longer lists use a
/// hash set for the duplicate check.
/// </para>
/// <para>
/// Bad arguments (a null or repeated parameter, a negative or non-finite bound, an unsupported norm type) throw
/// before any gradient is touched.
/// </para>
/// <para>Thread safety: the methods keep no state of their own and may run concurrently on disjoint sets of parameters; they write the gradients, so do not clip parameters while another thread reads or writes those gradients (a backward pass, an optimizer step).</para>
/// </remarks>
public static class GradientClipping
{
    private const int PairwiseDuplicateCheckLimit = 256;

    /// <summary>
    /// Rescales all gradients together so that their global norm is at most <paramref name="maxNorm"/>, and returns
    /// the global norm they had before.
    /// </summary>
    /// <remarks>
    /// <code>
    /// ‖g‖ₚ = (Σ over every element of every gradient |gᵢ|ᵖ)^(1/p)      (p = ∞: max |gᵢ|)
    /// c = maxNorm / (‖g‖ₚ + 10⁻⁶);   if c &lt; 1:  gᵢ ← gᵢ · c   for every element
    /// </code>
    /// <para>
    /// This is torch's rule exactly, including its 10⁻⁶: the gradients are scaled when maxNorm &lt; ‖g‖ₚ + 10⁻⁶,
    /// so a norm just below maxNorm (within 10⁻⁶) is also scaled, very slightly, and the norm after clipping is a
    /// hair below maxNorm. The norm is the norm of all gradients concatenated, which equals torch's norm of the
    /// per-tensor norms.
    /// </para>
    /// <para>
    /// No overflow: the norm is computed in two passes, first the largest |gᵢ| = m, then the sum of |gᵢ·2⁻ᵏ|ᵖ with
    /// 2ᵏ ≈ m. Scaling by a power of two is exact, so for ordinary gradients the result is the plain sum of
    /// powers, while gradients near 10²⁰⁰ (whose squares overflow) or 10⁻²⁰⁰ (whose squares underflow) still give
    /// their true norm. torch squares without scaling and returns ∞ there, then zeroes every gradient; this
    /// method returns the true norm and clips correctly instead. Only a norm beyond double.MaxValue (≈ 1.8·10³⁰⁸)
    /// comes back as +∞.
    /// </para>
    /// <para>
    /// Single precision: the norm is accumulated in double for float32 gradients too (each element is widened before it
    /// is squared), so it is exact to double rounding and never overflows; c is formed in double and rounded to float32
    /// for the multiplication. torch accumulates a float32 norm in float32 and forms c in float32, so for float32 the two
    /// agree to float32 rounding, not bit for bit: on torch's 26-element float32 cases the norm is within 1 float32 ulp
    /// of torch's (and equals torch's float64 norm of the same values to double rounding), and the clipped gradients
    /// are within 3 ulps of torch's. torch's float32 sum drifts further as the number of elements grows (100 to 170 ulps
    /// for 10⁶ random elements with torch 1.13); a sum in double stays far inside one float32 ulp.
    /// </para>
    /// <para>
    /// Non-finite gradients: with <paramref name="errorIfNonFinite"/> false (the default, as torch's
    /// <c>error_if_nonfinite=False</c>) the method behaves as torch: the returned norm is NaN if any element is
    /// NaN and +∞ otherwise, and every gradient is multiplied by c, which is NaN or 0; the optimizer's non-finite
    /// guard then rejects the step (see <see cref="NonFiniteGradientException"/>). With
    /// <paramref name="errorIfNonFinite"/> true it throws instead and nothing is modified.
    /// </para>
    /// <para>torch equivalent: <c>torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)</c>;
    /// Optax: <c>clip_by_global_norm</c> (2-norm, no 10⁻⁶); Keras: the optimizers' <c>global_clipnorm</c>.</para>
    /// </remarks>
    /// <typeparam name="T">The element type of the gradients: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="parameters">The parameters whose gradients are clipped together; none null or repeated (may be empty).</param>
    /// <param name="maxNorm">The largest global norm allowed: finite and ≥ 0.</param>
    /// <param name="normType">p: 2 (the default), 1, +∞ (<see cref="double.PositiveInfinity"/>) or any finite p &gt; 0.</param>
    /// <param name="errorIfNonFinite">Throw instead of scaling when the norm is NaN or ±∞ (default false).</param>
    /// <returns>‖g‖ₚ before clipping (0 for no parameters).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> holds null or the same parameter twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> or <paramref name="normType"/> is out of range.</exception>
    /// <exception cref="NonFiniteGradientException"><paramref name="errorIfNonFinite"/> is true and a gradient holds NaN or ±∞.</exception>
    /// <exception cref="OverflowException"><paramref name="errorIfNonFinite"/> is true and the norm exceeds double.MaxValue.</exception>
    public static double ClipByGlobalNorm<T>(IEnumerable<Parameter<T>> parameters, double maxNorm, double normType = 2,
                                          bool errorIfNonFinite = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var list = Validated(parameters);
        Check.NonNegativeFinite(maxNorm);
        CheckNormType(normType);

        double total = Norm(list, normType, errorIfNonFinite);
        double coefficient = maxNorm / (total + 1e-6);
        if (!(coefficient >= 1))   // c < 1, or NaN (torch's clamp keeps NaN)
        {
            for (int i = 0; i < list.Count; i++)
            {
                ClippingKernel.Scale(list[i].GradientArray, coefficient);
            }
        }

        return total;
    }

    /// <summary>
    /// The global norm ‖g‖ₚ of all gradients, computed as in <see cref="ClipByGlobalNorm"/> but without changing
    /// them (torch's <c>torch.nn.utils.get_total_norm</c>).
    /// </summary>
    /// <typeparam name="T">The element type of the gradients: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="parameters">The parameters whose gradients are measured; none null or repeated (may be empty).</param>
    /// <param name="normType">p: 2 (the default), 1, +∞ or any finite p &gt; 0.</param>
    /// <returns>‖g‖ₚ; NaN if an element is NaN, +∞ if one is ±∞.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> holds null or the same parameter twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="normType"/> is out of range.</exception>
    public static double GlobalNorm<T>(IEnumerable<Parameter<T>> parameters, double normType = 2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var list = Validated(parameters);
        CheckNormType(normType);
        return Norm(list, normType, errorIfNonFinite: false);
    }

    /// <summary>Clamps every gradient element into [−clipValue, clipValue].</summary>
    /// <remarks>
    /// <code>gᵢ ← min(max(gᵢ, −clipValue), clipValue)</code>
    /// <para>
    /// ±∞ becomes ±clipValue; NaN stays NaN, as in torch. Clipping by value changes the gradient's direction,
    /// unlike <see cref="ClipByGlobalNorm"/>. torch equivalent: <c>torch.nn.utils.clip_grad_value_(parameters,
    /// clip_value)</c>; Optax: <c>clip</c>; Keras: the optimizers' <c>clipvalue</c>.
    /// </para>
    /// </remarks>
    /// <typeparam name="T">The element type of the gradients: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="parameters">The parameters whose gradients are clamped; none null or repeated (may be empty).</param>
    /// <param name="clipValue">The bound: finite and ≥ 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> holds null or the same parameter twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or not finite.</exception>
    public static void ClipByValue<T>(IEnumerable<Parameter<T>> parameters, double clipValue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var list = Validated(parameters);
        Check.NonNegativeFinite(clipValue);
        for (int i = 0; i < list.Count; i++)
        {
            ClippingKernel.Clamp(list[i].GradientArray, clipValue);
        }
    }

    private static double Norm<T>(IReadOnlyList<Parameter<T>> list, double p, bool errorIfNonFinite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = 0;
        bool finite = true;
        for (int i = 0; i < list.Count; i++)
        {
            finite &= ClippingKernel.MaxAbs(list[i].GradientSpan, ref max);
        }

        if (!finite)
        {
            return NonFiniteNorm(list, errorIfNonFinite);
        }

        if (max == 0 || double.IsPositiveInfinity(p))
        {
            return max;
        }

        // 2^k ≈ max; k is clamped so that 2^−k itself neither overflows nor underflows.
        int k = Math.Clamp(Math.ILogB(max), -1022, 1023);
        double down = Math.ScaleB(1.0, -k);
        double sum = 0;
        for (int i = 0; i < list.Count; i++)
        {
            var g = list[i].GradientSpan;
            sum += p == 2 ? ClippingKernel.SumOfSquares(g, down)
                 : p == 1 ? ClippingKernel.SumOfAbs(g, down)
                 : ClippingKernel.SumOfPowers(g, down, p);
        }

        double root = p == 2 ? Math.Sqrt(sum) : p == 1 ? sum : Math.Pow(sum, 1 / p);
        double total = Math.ScaleB(root, k);
        if (errorIfNonFinite && double.IsPositiveInfinity(total))
        {
            throw new OverflowException(
                $"The global gradient norm of order {p} exceeds double.MaxValue, so it cannot be clipped. No gradient was modified.");
        }

        return total;
    }

    private static double NonFiniteNorm<T>(IReadOnlyList<Parameter<T>> list, bool errorIfNonFinite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool anyNaN = false;
        for (int i = 0; i < list.Count; i++)
        {
            var g = list[i].GradientSpan;
            int bad = Elementwise.IndexOfNonFinite(g);
            if (bad < 0)
            {
                continue;
            }

            if (errorIfNonFinite)
            {
                throw new NonFiniteGradientException(list[i].Name, bad, double.CreateTruncating(g[bad]));
            }

            for (int j = bad; j < g.Length && !anyNaN; j++)
            {
                anyNaN = T.IsNaN(g[j]);
            }
        }

        return anyNaN ? double.NaN : double.PositiveInfinity;
    }

    private static void CheckNormType(double normType)
    {
        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(normType), normType, $"normType must be a p > 0 (2, 1, any finite p) or +∞; got {normType}.");
        }
    }

    private static IReadOnlyList<Parameter<T>> Validated<T>(IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters as IReadOnlyList<Parameter<T>> ?? parameters.ToArray();
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"The parameter at index {i} is null.", nameof(parameters));
            }
        }

        if (list.Count <= PairwiseDuplicateCheckLimit)
        {
            for (int i = 1; i < list.Count; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    if (ReferenceEquals(list[i], list[j]))
                    {
                        throw Duplicate(list[i], i);
                    }
                }
            }
        }
        else
        {
            var seen = new HashSet<Parameter<T>>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < list.Count; i++)
            {
                if (!seen.Add(list[i]))
                {
                    throw Duplicate(list[i], i);
                }
            }
        }

        return list;
    }

    private static ArgumentException Duplicate<T>(Parameter<T> parameter, int index)
        where T : unmanaged, IFloatingPointIeee754<T> => new(
        $"Parameter '{parameter.Name}' appears more than once (again at index {index}); its gradient would be counted and scaled twice.",
        "parameters");
}
