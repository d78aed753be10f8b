using System.Numerics;
using System.Runtime.CompilerServices;

namespace Optimizers;

/// <summary>Argument checks shared by the constructors; each names the argument and the problem.</summary>
internal static class Check
{
    /// <summary>
    /// The parameters as an array: at least one, none null, none given twice, no two over the same memory (see
    /// <see cref="StorageOwners{T}"/>).
    /// </summary>
    public static Parameter<T>[] Parameters<T>(IEnumerable<Parameter<T>> parameters, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters, name);
        var list = parameters.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one parameter is required; the list is empty.", name);
        }

        var seen = new HashSet<Parameter<T>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"The parameter at index {i} is null.", name);
            }

            if (!seen.Add(list[i]))
            {
                throw new ArgumentException(
                    $"Parameter '{list[i].Name}' appears more than once (again at index {i}); each parameter may be given once.",
                    name);
            }
        }

        var storage = new StorageOwners<T>(name);
        for (int i = 0; i < list.Length; i++)
        {
            storage.Claim(list[i], i);
        }

        return list;
    }

    public static double NonNegativeFinite(double value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0; got {value}.");
        }

        return value;
    }

    public static double PositiveFinite(double value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0; got {value}.");
        }

        return value;
    }

    /// <summary>0 ≤ value &lt; 1, the range of momentum factors and decay rates such as β₁, β₂, ρ.</summary>
    public static double UnitInterval(double value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1); got {value}.");
        }

        return value;
    }

    /// <summary>0 ≤ value ≤ 1, the range of dampening.</summary>
    public static double ClosedUnitInterval(double value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1]; got {value}.");
        }

        return value;
    }

    /// <summary>An integer count or period that must be ≥ 1 (step sizes, numbers of epochs or steps).</summary>
    public static int PositiveInt(int value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be an integer ≥ 1; got {value}.");
        }

        return value;
    }

    /// <summary>An integer count that must be ≥ 0 (patience, cooldown).</summary>
    public static int NonNegativeInt(int value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be an integer ≥ 0; got {value}.");
        }

        return value;
    }

    /// <summary>A value of <typeparamref name="TEnum"/> that is one of its named members.</summary>
    public static TEnum Defined<TEnum>(TEnum value, [CallerArgumentExpression(nameof(value))] string name = "")
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(
                name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got {value}.");
        }

        return value;
    }
}
