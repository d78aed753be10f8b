namespace Optimizers.Networks;

/// <summary>
/// The loss of a regressor (<see cref="Network.Regressor"/>): how its linear outputs ŷ are compared with real-valued
/// targets y. Both are means over every element of the n × k output matrix.
/// </summary>
public enum RegressionLoss
{
    /// <summary>
    /// <c>J = (1/(n·k)) Σᵢⱼ (ŷᵢⱼ − yᵢⱼ)²</c>; <c>∂J/∂ŷᵢⱼ = 2(ŷᵢⱼ − yᵢⱼ)/(n·k)</c>. Equals
    /// <c>torch.nn.MSELoss(reduction='mean')</c> and Keras' <c>loss="mse"</c>.
    /// </summary>
    MeanSquaredError,

    /// <summary>
    /// Huber's loss with δ = 1: per element, with d = ŷ − y, <c>½d²</c> where |d| &lt; δ and <c>δ(|d| − ½δ)</c>
    /// elsewhere; J is the mean over the n·k elements, and <c>∂J/∂ŷ = clamp(d, −δ, δ)/(n·k)</c>. Quadratic near the
    /// target and linear far from it, so that outliers pull less than under the squared error. Equals
    /// <c>torch.nn.HuberLoss(delta=1.0)</c> (and <c>SmoothL1Loss(beta=1.0)</c>) with the mean reduction.
    /// </summary>
    Huber,
}
