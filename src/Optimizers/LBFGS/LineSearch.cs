namespace Optimizers;

/// <summary>How <see cref="LBFGS{T}"/> chooses the step length along each direction (torch's <c>line_search_fn</c>).</summary>
public enum LineSearch
{
    /// <summary>
    /// No line search (torch's <c>line_search_fn=None</c>, the default): a fixed step t = α along each direction
    /// (min(1, 1/‖g‖₁)·α at the very first iteration), one closure evaluation per iteration.
    /// </summary>
    None = 0,

    /// <summary>
    /// A line search that ends at a step satisfying the strong Wolfe conditions (torch's <c>'strong_wolfe'</c>;
    /// Nocedal &amp; Wright, Algorithms 3.5 and 3.6): sufficient decrease with c₁ = 1e-4, curvature |φ′(t)| ≤ c₂·|φ′(0)|
    /// with c₂ = 0.9, cubic interpolation, at most 25 evaluations per search.
    /// </summary>
    StrongWolfe = 1,
}
