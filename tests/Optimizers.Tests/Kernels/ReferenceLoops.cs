using System.Numerics;

namespace Optimizers.Tests.Kernels;

/// <summary>
/// Each span kernel written again as a plain scalar loop, one element at a time, with the kernel's signature: the
/// reference that the kernel tests and <see cref="Robustness.KernelReferenceProperties{T}"/> compare against bit for bit.
/// </summary>
/// <remarks>
/// Generic in the element type, as the kernels are: every scalar is formed in double and rounded to
/// <typeparamref name="T"/> once (α, λ, β, 1 − β, ε, …, as torch's float32 path casts its Python scalars), and all
/// per-element arithmetic is in <typeparamref name="T"/>, in the order of the equation in each kernel's summary.
/// </remarks>
internal static class ReferenceLoops
{
    /// <summary>g = ±grad[i] + λ·θ[i];  θ[i] = θ[i] − g·α.</summary>
    public static void GradientDescent<T>(Span<T> theta, ReadOnlySpan<T> grad, double lr, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = R<T>(lr);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            theta[i] = theta[i] - g * alpha;
        }
    }

    /// <summary>g = ±grad[i] + λ·θ[i];  b[i] = first ? g : b[i]·μ + g·(1 − τ);  d = nesterov ? g + b[i]·μ : b[i];  θ[i] = θ[i] − d·α.</summary>
    public static void Momentum<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> buffer, double lr, double mu, double dampening,
                                   bool nesterov, double weightDecay, bool maximize, bool firstStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = R<T>(lr), m = R<T>(mu), share = R<T>(1 - dampening);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            buffer[i] = firstStep ? g : buffer[i] * m + g * share;
            T d = nesterov ? g + buffer[i] * m : buffer[i];
            theta[i] = theta[i] - d * alpha;
        }
    }

    /// <summary>g = ±grad[i] + λ·θ[i];  s[i] = s[i] + g·g;  θ[i] = θ[i] − g·α / (√s[i] + ε).</summary>
    public static void AdaGrad<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> sum, double decayedLr, double eps,
                                  double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = R<T>(decayedLr), epsilon = R<T>(eps);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            sum[i] = sum[i] + g * g;
            theta[i] = theta[i] - g * alpha / (T.Sqrt(sum[i]) + epsilon);
        }
    }

    /// <summary>
    /// g = ±grad[i] + λ·θ[i];  v[i] = v[i]·α + g·(1 − α)·g;  centred: ḡ[i] = lerp(ḡ[i], g, 1 − α), d = √max(v[i] − ḡ[i]², 0) + ε,
    /// else d = √v[i] + ε;  momentum μ &gt; 0: b[i] = b[i]·μ + g/d, θ[i] = θ[i] − b[i]·γ;  else θ[i] = θ[i] − g·γ/d.
    /// </summary>
    public static void RMSProp<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> gradAvg, Span<T> momentumBuffer,
                                  double lr, double alpha, double eps, double weightDecay, double momentum, bool centered, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T gamma = R<T>(lr), decay = R<T>(alpha), share = R<T>(1 - alpha), epsilon = R<T>(eps), mu = R<T>(momentum);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            squareAvg[i] = squareAvg[i] * decay + g * share * g;
            T d;
            if (centered)
            {
                gradAvg[i] = Lerp(gradAvg[i], g, share);
                T variance = squareAvg[i] - gradAvg[i] * gradAvg[i];
                d = T.Sqrt(variance < T.Zero ? T.Zero : variance) + epsilon;
            }
            else
            {
                d = T.Sqrt(squareAvg[i]) + epsilon;
            }

            if (momentum > 0)
            {
                momentumBuffer[i] = momentumBuffer[i] * mu + g / d;
                theta[i] = theta[i] - momentumBuffer[i] * gamma;
            }
            else
            {
                theta[i] = theta[i] - g * gamma / d;
            }
        }
    }

    /// <summary>
    /// g = ±grad[i] + λ·θ[i];  v[i] = v[i]·ρ + g·(1 − ρ)·g;  Δ = √((u[i] + ε) / (v[i] + ε))·g;  u[i] = u[i]·ρ + Δ·(1 − ρ)·Δ;
    /// θ[i] = θ[i] − Δ·γ.
    /// </summary>
    public static void AdaDelta<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> accDelta,
                                   double lr, double rho, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T gamma = R<T>(lr), decay = R<T>(rho), share = R<T>(1 - rho), epsilon = R<T>(eps);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            squareAvg[i] = squareAvg[i] * decay + g * share * g;
            T delta = T.Sqrt((accDelta[i] + epsilon) / (squareAvg[i] + epsilon)) * g;
            accDelta[i] = accDelta[i] * decay + delta * share * delta;
            theta[i] = theta[i] - delta * gamma;
        }
    }

    /// <summary>
    /// Schedule-free (SGD and AdamW forms), in the authors' order but one division: adaptive: v[i] = v[i]·β₂ + (1 − β₂)·g·g,
    /// u = k·g / (√v[i] + k·ε) with k = √b₂, else u = g;  u = u + λ·y[i];  y' = lerp(y[i], z[i], c);  y[i] = y' + a·u;  z[i] = z[i] − γ·u.
    /// </summary>
    public static void ScheduleFree<T>(Span<T> y, ReadOnlySpan<T> grad, Span<T> z, Span<T> expAvgSq, bool adaptive,
                                       double beta2, double epsilon, double biasCorrection2, double weightDecay,
                                       double averageWeight, double yStep, double learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b2 = R<T>(beta2), share2 = R<T>(1 - beta2), k = R<T>(Math.Sqrt(biasCorrection2)), ek = R<T>(epsilon * Math.Sqrt(biasCorrection2));
        T decay = R<T>(weightDecay), c = R<T>(averageWeight), a = R<T>(yStep), gamma = R<T>(learningRate);
        for (int i = 0; i < y.Length; i++)
        {
            T u = grad[i];
            if (adaptive)
            {
                expAvgSq[i] = expAvgSq[i] * b2 + share2 * u * u;
                u = k * u / (T.Sqrt(expAvgSq[i]) + ek);
            }

            if (weightDecay != 0)
            {
                u = u + decay * y[i];
            }

            T lerped = Lerp(y[i], z[i], c);
            y[i] = lerped + a * u;
            z[i] = z[i] - gamma * u;
        }
    }

    /// <summary>
    /// θ' = θ[i]·shrink;  g = ±grad[i] + λ·θ';  m[i] = m[i]·β₁ + (1 − β₁)·g;  v[i] = v[i]·β₂ + (1 − β₂)·g·g;
    /// v̂ = amsgrad ? (vmax[i] = max(vmax[i], v[i])) : v[i];  θ[i] = θ' − (s·c₂)·m[i] / (√v̂ + ε·c₂).
    /// Adam passes shrink = 1; AdamW λ = 0 and shrink = 1 − αλ.
    /// </summary>
    public static void Adam<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, Span<T> maxExpAvgSq,
                               double beta1, double beta2, double epsilon, double weightDecay, double shrink, bool maximize,
                               bool amsgrad, double stepSize, double biasCorrection2Sqrt)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b1 = R<T>(beta1), share1 = R<T>(1 - beta1), b2 = R<T>(beta2), share2 = R<T>(1 - beta2);
        T eps = R<T>(epsilon * biasCorrection2Sqrt), factor = R<T>(shrink), s = R<T>(stepSize * biasCorrection2Sqrt);
        for (int i = 0; i < theta.Length; i++)
        {
            T th = theta[i] * factor;
            T g = Adjusted(grad[i], th, weightDecay, maximize);
            expAvg[i] = expAvg[i] * b1 + share1 * g;
            expAvgSq[i] = expAvgSq[i] * b2 + share2 * g * g;
            T vHat = expAvgSq[i];
            if (amsgrad)
            {
                maxExpAvgSq[i] = vHat = T.Max(maxExpAvgSq[i], expAvgSq[i]);
            }

            theta[i] = th - s * expAvg[i] / (T.Sqrt(vHat) + eps);
        }
    }

    /// <summary>g = ±grad[i] + λ·θ[i];  m[i] = lerp(m[i], g, 1 − β₁);  u[i] = max(u[i]·β₂, |g| + ε);  θ[i] = θ[i] − m[i]·γ̂ / u[i].</summary>
    public static void Adamax<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf,
                                 double correctedLr, double beta1, double beta2, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T gamma = R<T>(correctedLr), share = R<T>(1 - beta1), b2 = R<T>(beta2), epsilon = R<T>(eps);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            expAvg[i] = Lerp(expAvg[i], g, share);
            T decayed = expInf[i] * b2, current = T.Abs(g) + epsilon;
            expInf[i] = decayed > current ? decayed : current;
            theta[i] = theta[i] - expAvg[i] * gamma / expInf[i];
        }
    }

    /// <summary>
    /// θ' = θ[i]·shrink (skipped when shrink = 1);  g = ±grad[i] + λ·θ';  m[i] = m[i]·β₁ + (1 − β₁)·g;
    /// v[i] = v[i]·β₂ + (1 − β₂)·g·g;  d = √v[i] + ε·√c₂;  θ[i] = θ' − ((a·√c₂)·g + (b·√c₂)·m[i]) / d.
    /// NAdam passes shrink = 1; NAdamW (decoupled) λ = 0 and shrink = 1 − αλ.
    /// </summary>
    public static void NAdam<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                double beta1, double beta2, double epsilon, double weightDecay, double shrink, bool maximize,
                                double biasCorrection2, double gradientStep, double momentumStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double root = Math.Sqrt(biasCorrection2);
        T b1 = R<T>(beta1), share1 = R<T>(1 - beta1), b2 = R<T>(beta2), share2 = R<T>(1 - beta2), eps = R<T>(epsilon * root);
        T a = R<T>(gradientStep * root), b = R<T>(momentumStep * root), factor = R<T>(shrink);
        for (int i = 0; i < theta.Length; i++)
        {
            T th = shrink != 1 ? theta[i] * factor : theta[i];
            T g = Adjusted(grad[i], th, weightDecay, maximize);
            expAvg[i] = expAvg[i] * b1 + share1 * g;
            expAvgSq[i] = expAvgSq[i] * b2 + share2 * g * g;
            T d = T.Sqrt(expAvgSq[i]) + eps;
            theta[i] = th - (a * g + b * expAvg[i]) / d;
        }
    }

    /// <summary>
    /// θ' = θ[i]·shrink (skipped when shrink = 1);  g = ±grad[i] + λ·θ';  m[i] = m[i]·β₁ + (1 − β₁)·g;
    /// v[i] = v[i]·β₂ + (1 − β₂)·g·g;  θ[i] = θ' − (rectified ? s·m[i] / (√v[i] + ε) : s·m[i]).
    /// RAdam passes shrink = 1; RAdamW (decoupled) λ = 0 and shrink = 1 − αλ.
    /// </summary>
    public static void RAdam<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq,
                                double beta1, double beta2, double epsilon, double weightDecay, double shrink, bool maximize,
                                double stepSize, bool rectified)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b1 = R<T>(beta1), share1 = R<T>(1 - beta1), b2 = R<T>(beta2), share2 = R<T>(1 - beta2), eps = R<T>(epsilon);
        T s = R<T>(stepSize), factor = R<T>(shrink);
        for (int i = 0; i < theta.Length; i++)
        {
            T th = shrink != 1 ? theta[i] * factor : theta[i];
            T g = Adjusted(grad[i], th, weightDecay, maximize);
            expAvg[i] = expAvg[i] * b1 + share1 * g;
            expAvgSq[i] = expAvgSq[i] * b2 + share2 * g * g;
            theta[i] = th - (rectified ? s * expAvg[i] / (T.Sqrt(expAvgSq[i]) + eps) : s * expAvg[i]);
        }
    }

    /// <summary>
    /// θ[i] = θ[i]·shrink (skipped when shrink = 1);  c = m[i]·β₁ + g[i]·(1 − β₁);  θ[i] = θ[i] − α·sign(c)
    /// (sign: 1, −1, +0 for ±0, NaN for NaN);  m[i] = m[i]·β₂ + (1 − β₂)·g[i].
    /// </summary>
    public static void Lion<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, double learningRate, double beta1,
                               double beta2, double shrink)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = R<T>(learningRate), b1 = R<T>(beta1), share1 = R<T>(1 - beta1), b2 = R<T>(beta2), share2 = R<T>(1 - beta2);
        T factor = R<T>(shrink);
        for (int i = 0; i < theta.Length; i++)
        {
            T th = shrink != 1 ? theta[i] * factor : theta[i];
            T c = expAvg[i] * b1 + grad[i] * share1;
            T sign = T.IsNaN(c) ? c : c > T.Zero ? T.One : c < T.Zero ? -T.One : T.Zero;
            theta[i] = th - alpha * sign;
            expAvg[i] = expAvg[i] * b2 + share2 * grad[i];
        }
    }

    /// <summary>ADOPT's first step: g = ±grad[i] + λ·θ[i];  v[i] = g·g.</summary>
    public static void AdoptFirst<T>(ReadOnlySpan<T> theta, ReadOnlySpan<T> grad, Span<T> expAvgSq, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            expAvgSq[i] = g * g;
        }
    }

    /// <summary>
    /// g = ±grad[i] + λ·θ[i];  θ[i] = θ[i] + d·θ[i] (when d ≠ 0);  n = min(max(g / max(√v[i], ε), −c), c);
    /// m[i] = lerp(m[i], n, 1 − β₁);  θ[i] = θ[i] − α·m[i];  v[i] = v[i]·β₂ + (1 − β₂)·g·g.
    /// </summary>
    public static void Adopt<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expAvgSq, double learningRate,
                                double beta1, double beta2, double epsilon, double weightDecay, double decoupledDecay,
                                bool maximize, double clip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = R<T>(learningRate), weight = R<T>(1 - beta1), b2 = R<T>(beta2), share2 = R<T>(1 - beta2);
        T eps = R<T>(epsilon), d = R<T>(decoupledDecay), bound = R<T>(clip);
        for (int i = 0; i < theta.Length; i++)
        {
            T th = theta[i];
            T g = Adjusted(grad[i], th, weightDecay, maximize);
            if (decoupledDecay != 0)
            {
                th = th + d * th;
            }

            T n = T.Min(T.Max(g / T.Max(T.Sqrt(expAvgSq[i]), eps), -bound), bound);
            expAvg[i] = Lerp(expAvg[i], n, weight);
            theta[i] = th - alpha * expAvg[i];
            expAvgSq[i] = expAvgSq[i] * b2 + share2 * g * g;
        }
    }

    /// <summary>
    /// g = ±grad[i];  p = g·prev[i];  η = p &gt; 0 ? η₊ : p &lt; 0 ? η₋ : p·0 + 1 (1, or NaN when p is NaN);
    /// s[i] = clamp(s[i]·η, sₘᵢₙ, sₘₐₓ) (NaN stays NaN);  g = p &lt; 0 ? 0 : g;  prev[i] = g;
    /// θ[i] = θ[i] − (g &gt; 0 ? s[i] : g &lt; 0 ? −s[i] : g).
    /// </summary>
    public static void Rprop<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> prev, Span<T> stepSize, double etaMinus,
                                double etaPlus, double minStepSize, double maxStepSize, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T minus = R<T>(etaMinus), plus = R<T>(etaPlus), min = R<T>(minStepSize), max = R<T>(maxStepSize);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = maximize ? -grad[i] : grad[i];
            T p = g * prev[i];
            T eta;
            if (p > T.Zero)
            {
                eta = plus;
            }
            else if (p < T.Zero)
            {
                eta = minus;
                g = T.Zero;
            }
            else
            {
                eta = T.IsNaN(p) ? p : T.One;
            }

            T s = stepSize[i] * eta;
            if (s < min)
            {
                s = min;
            }
            else if (s > max)
            {
                s = max;
            }

            stepSize[i] = s;
            prev[i] = g;
            if (g > T.Zero)
            {
                theta[i] = theta[i] - s;
            }
            else if (g < T.Zero)
            {
                theta[i] = theta[i] - (-s);
            }
            else
            {
                theta[i] = theta[i] - g;
            }
        }
    }

    /// <summary>
    /// g = ±grad[i] + λ_wd·θ[i];  θ[i] = θ[i]·shrink (when shrink ≠ 1);  θ[i] = θ[i] − η·g;
    /// ax[i] = μ ≠ 1 ? ax[i] + (θ[i] − ax[i])·μ : θ[i].
    /// </summary>
    public static void ASGD<T>(Span<T> theta, ReadOnlySpan<T> grad, Span<T> average, double weightDecay, bool maximize,
                               double shrink, double eta, double mu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T factor = R<T>(shrink), step = R<T>(eta), weight = R<T>(mu);
        for (int i = 0; i < theta.Length; i++)
        {
            T g = Adjusted(grad[i], theta[i], weightDecay, maximize);
            T th = factor == T.One ? theta[i] : theta[i] * factor;
            th = th - step * g;
            theta[i] = th;
            average[i] = weight == T.One ? th : average[i] + (th - average[i]) * weight;
        }
    }

    /// <summary>A scalar formed in double, rounded to <typeparamref name="T"/> once.</summary>
    private static T R<T>(double x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.CreateTruncating(x);

    /// <summary>
    /// The gradient as every kernel forms it: ±g + λ·θ when maximising or decaying (λ ≠ 0 in double, even where it
    /// rounds to 0 in <typeparamref name="T"/>), else g untouched (so a −0 gradient stays −0, as in torch, instead of
    /// becoming −0 + 0·θ = +0).
    /// </summary>
    private static T Adjusted<T>(T grad, T theta, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
        => maximize || weightDecay != 0 ? grad * (maximize ? -T.One : T.One) + theta * R<T>(weightDecay) : grad;

    /// <summary>torch's lerp(s, e, w): s + (e − s)·w when |w| &lt; 0.5, else e − (e − s)·(1 − w), in <typeparamref name="T"/>.</summary>
    private static T Lerp<T>(T start, T end, T weight)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.Abs(weight) < T.CreateTruncating(0.5) ? start + (end - start) * weight : end - (end - start) * (T.One - weight);
}
