using System.Numerics;

namespace Optimizers;

/// <summary>
/// How a wrapper steps its inner optimizer, whichever kind it is (a rule, a <see cref="ParameterGroups{T}"/>, another
/// wrapper): the check and the update apart, under the outermost policy, with nothing allocated.
/// </summary>
internal static class InnerStep
{
    /// <summary>Marks <paramref name="inner"/> as belonging to <paramref name="owner"/>, or throws (changing nothing).</summary>
    public static void Claim<T>(IOptimizer<T> inner, object owner, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        object? current = inner switch
        {
            Optimizer o => o.Owner,
            ParameterGroups<T> g => g.Owner,
            OptimizerWrapper<T> w => w.Owner,
            _ => throw new ArgumentException(
                $"{Optimizer.RuleNameOf(owner.GetType())} wraps the optimizers of this library (a rule derived from Optimizer<T>, a " +
                $"ParameterGroups<T> or another wrapper); {inner.GetType().Name} is none of them.", argumentName),
        };

        if (current is not null)
        {
            throw new ArgumentException(
                $"This {NameOf(inner)} already belongs to a {Optimizer.RuleNameOf(current.GetType())}; an optimizer may be " +
                "wrapped once (wrapping it twice would step its parameters twice per step).", argumentName);
        }

        switch (inner)
        {
            case Optimizer o:
                o.Owner = owner;
                break;
            case ParameterGroups<T> g:
                g.Owner = owner;
                break;
            case OptimizerWrapper<T> w:
                w.Owner = owner;
                break;
        }
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> if <paramref name="inner"/>, or any optimizer inside it, cannot
    /// step in its present state (a schedule-free rule or group in evaluation mode); writes nothing. An optimizer this
    /// library does not know is let through: its own step decides.
    /// </summary>
    public static void ThrowIfCannotStep(IOptimizer inner)
    {
        switch (inner)
        {
            case Optimizer o:
                o.ThrowIfCannotStep();
                break;
            case ParameterGroups<double> g:
                g.ThrowIfCannotStep();
                break;
            case ParameterGroups<float> g:
                g.ThrowIfCannotStep();
                break;
            case IOptimizerWrapper w:
                ThrowIfCannotStep(w.Inner);
                break;
        }
    }

    /// <summary>Applies <paramref name="policy"/> to the gradients <paramref name="inner"/> would read; writes nothing.</summary>
    public static bool GradientsPass<T>(IOptimizer<T> inner, NonFiniteGradientPolicy policy)
        where T : unmanaged, IFloatingPointIeee754<T>
        => inner switch
        {
            Optimizer o => o.GradientsPass(policy),
            ParameterGroups<T> g => g.GradientsPass(policy),
            _ => ((OptimizerWrapper<T>)inner).GradientsPass(policy),
        };

    /// <summary>Steps <paramref name="inner"/> without its own check; true when its parameters were updated.</summary>
    public static bool Update<T>(IOptimizer<T> inner, NonFiniteGradientPolicy policy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (inner)
        {
            case Optimizer o:
                o.Update();
                return true;
            case ParameterGroups<T> g:
                g.Update();
                return true;
            default:
                return ((OptimizerWrapper<T>)inner).Update(policy);
        }
    }

    /// <summary>Counts a step of <paramref name="inner"/> skipped by an outer guard.</summary>
    public static void CountSkipped<T>(IOptimizer<T> inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (inner)
        {
            case Optimizer o:
                o.SkippedStepCount++;
                break;
            case ParameterGroups<T> g:
                g.CountSkipped();
                break;
            default:
                ((OptimizerWrapper<T>)inner).CountSkipped();
                break;
        }
    }

    private static string NameOf(IOptimizer optimizer) => optimizer is Optimizer o ? o.RuleName : Optimizer.RuleNameOf(optimizer.GetType());
}
