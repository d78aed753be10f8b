using System.Numerics;

namespace Optimizers;

/// <summary>
/// The arrays behind a set of parameters, each with the parameter that uses it, to reject two parameters over the same
/// memory: two <see cref="Parameter{T}"/> objects over one array (or over two vectors wrapping one array), or one
/// built over another's <see cref="Parameter{T}.Gradient"/>. A step would write such memory through each alias, and
/// from two threads at once when <see cref="Optimizer.MaxDegreeOfParallelism"/> &gt; 1.
/// </summary>
/// <remarks>
/// The identity of the arrays is the whole test. A parameter's values are a MathNet dense vector, whose storage always
/// spans its whole array (the storage requires <c>data.Length == Count</c>, and <c>SubVector</c> copies), and a
/// parameter allocates its own gradient array; so two parameters share memory exactly when they share an array, and a
/// partial overlap cannot be built. Empty arrays are not checked: they hold no memory. Both element types are checked
/// alike.
/// </remarks>
/// <param name="argument">The name of the argument that supplied the parameters, for the exception.</param>
internal sealed class StorageOwners<T>(string argument)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<T[], Use> _owners = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Records the arrays of <paramref name="parameter"/>, at <paramref name="index"/> of its list (of group
    /// <paramref name="group"/>, or of the only list when it is −1).
    /// </summary>
    /// <exception cref="ArgumentException">A recorded parameter already uses one of them; names the argument.</exception>
    public void Claim(Parameter<T> parameter, int index, int group = -1)
    {
        Claim(parameter.ValueArray, new Use(parameter, index, group, Gradient: false));
        Claim(parameter.GradientArray, new Use(parameter, index, group, Gradient: true));
    }

    private void Claim(T[] array, Use use)
    {
        // An empty array holds no memory to update twice (and empty parameters often share Array.Empty<T>()).
        if (array.Length != 0 && !_owners.TryAdd(array, use))
        {
            var first = _owners[array];
            throw new ArgumentException(
                $"Parameter '{use.Parameter.Name}' ({use.Where}) holds its {use.Role} in the array that holds the {first.Role} " +
                $"of parameter '{first.Parameter.Name}' ({first.Where}): a step would write that memory through both, and from two " +
                "threads at once when MaxDegreeOfParallelism > 1. Give each parameter its own array.",
                argument);
        }
    }

    /// <summary>One parameter's use of an array, as its values or as its gradient.</summary>
    private readonly record struct Use(Parameter<T> Parameter, int Index, int Group, bool Gradient)
    {
        public string Role => Gradient ? "gradient" : "values";

        public string Where => Group < 0 ? $"index {Index}" : $"group {Group}, index {Index}";
    }
}
