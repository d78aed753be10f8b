namespace Optimizers.Networks;

/// <summary>The element-wise non-linearity of a hidden layer.</summary>
public enum Activation
{
    /// <summary>σ(z) = 1 / (1 + e⁻ᶻ); σ′(z) = σ(z)(1 − σ(z)). Weights start Xavier-uniform.</summary>
    Sigmoid,

    /// <summary>tanh(z); tanh′(z) = 1 − tanh²(z). Weights start Xavier-uniform.</summary>
    Tanh,

    /// <summary>max(0, z), NaN staying NaN (as <c>torch.relu</c>); derivative 1 for z &gt; 0, else 0. Weights start He-uniform.</summary>
    ReLU,
}
