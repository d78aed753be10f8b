namespace Optimizers;

/// <summary>
/// A rule whose momentum a schedule may cycle (torch's <c>cycle_momentum</c> in <c>OneCycleLR</c> and <c>CyclicLR</c>):
/// its <c>momentum</c> hyperparameter if it has one (<see cref="Momentum{T}"/>, <see cref="RMSProp{T}"/>), else its
/// β₁ (the Adam family), by torch's rule.
/// </summary>
internal interface ICyclableMomentum
{
    /// <summary>The cycled hyperparameter's name as in checkpoints: "momentum" or "beta1".</summary>
    string CycledName { get; }

    /// <summary>The live value; the setter validates as the constructor does and changes nothing on bad input.</summary>
    double CycledValue { get; set; }

    /// <summary>Called once by a schedule that starts cycling (RMSProp then keeps a momentum buffer).</summary>
    void BeginCycling();
}
