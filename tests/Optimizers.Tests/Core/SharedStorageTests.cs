using System.Numerics;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace Optimizers.Tests;

// Inside the namespace, so that Vector<T> below is MathNet's (these usings are searched before System.Numerics).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Two parameters over the same memory would each be updated once per step (and from two threads at once with
/// <see cref="Optimizer.MaxDegreeOfParallelism"/> &gt; 1): every rule, in both element types, rejects them with an
/// <see cref="ArgumentException"/> on "parameters" that names both, and changes nothing.
/// </summary>
public sealed class SharedStorageTests
{
    public static TheoryData<string, string> RulesAndTypes() => EitherType.RulesAndTypes();

    [Theory]
    [MemberData(nameof(RulesAndTypes))]
    public void Every_rule_rejects_two_parameters_over_one_array(string rule, string type)
    {
        if (type == "float32")
        {
            RejectsEveryAlias<float>(rule);
        }
        else
        {
            RejectsEveryAlias<double>(rule);
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Separate_arrays_with_equal_values_and_names_and_empty_arrays_are_accepted(string type)
    {
        if (type == "float32")
        {
            AcceptsCopies<float>();
        }
        else
        {
            AcceptsCopies<double>();
        }
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    public void MathNet_vectors_span_whole_arrays_so_sharing_an_array_is_the_only_overlap(string type)
    {
        if (type == "float32")
        {
            VectorsOwnWholeArrays<float>();
        }
        else
        {
            VectorsOwnWholeArrays<double>();
        }
    }

    private static void RejectsEveryAlias<T>(string rule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = EitherType.Param<T>("a", 1, -2, 3);
        var b = EitherType.Param<T>("b", 0.5, 0.25);
        var existing = EitherType.Create(rule, [a, b]);
        existing.Step();
        string before = EitherType.Bits(a) + EitherType.Bits(b);

        var cases = new (string What, Parameter<T>[] List, string Message)[]
        {
            ("over the same array", [a, b, new Parameter<T>("alias", a.Value.AsArray())],
             "Parameter 'alias' (index 2) holds its values in the array that holds the values of parameter 'a' (index 0)*"),
            ("over the same vector", [new Parameter<T>("alias", b.Value), a, b],
             "Parameter 'b' (index 2) holds its values in the array that holds the values of parameter 'alias' (index 0)*"),
            ("over a second vector wrapping the same array", [a, new Parameter<T>("alias", Vector<T>.Build.Dense(a.Value.AsArray()))],
             "Parameter 'alias' (index 1) holds its values in the array that holds the values of parameter 'a' (index 0)*"),
            ("over another's gradient, after it", [a, b, new Parameter<T>("alias", a.Gradient)],
             "Parameter 'alias' (index 2) holds its values in the array that holds the gradient of parameter 'a' (index 0)*"),
            ("over another's gradient, before it", [new Parameter<T>("alias", b.Gradient), b],
             "Parameter 'b' (index 1) holds its gradient in the array that holds the values of parameter 'alias' (index 0)*"),
        };

        foreach (var (what, list, message) in cases)
        {
            FluentActions.Invoking(() => EitherType.Create(rule, list)).Should().ThrowExactly<ArgumentException>(what)
                         .WithParameterName("parameters").WithMessage(message + "MaxDegreeOfParallelism > 1*");
        }

        (EitherType.Bits(a) + EitherType.Bits(b)).Should().Be(before, "a rejected list changes nothing");
        existing.StepCount.Should().Be(1);
    }

    private static void AcceptsCopies<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = EitherType.Param<T>("w", 1, 2);
        var copy = new Parameter<T>("w", a.Value.Clone());
        var sub = new Parameter<T>("w", a.Value.SubVector(0, 1));
        var empty = new Parameter<T>("e", Array.Empty<T>());
        var alsoEmpty = new Parameter<T>("e", Array.Empty<T>());   // no memory, nothing to update twice
        foreach (var rule in EitherType.Rules)
        {
            FluentActions.Invoking(() => EitherType.Create(rule, [a, copy, sub, empty, alsoEmpty])).Should().NotThrow(rule);
        }
    }

    /// <summary>
    /// The premise of the check: a dense vector's storage is its whole array (built over an array it keeps it, and a
    /// sub-vector or a clone is a copy), so no two parameters can overlap in part.
    /// </summary>
    private static void VectorsOwnWholeArrays<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var array = new T[5];
        var whole = Vector<T>.Build.Dense(array);
        var sub = whole.SubVector(1, 3);

        Data(whole).Should().BeSameAs(array);
        Data(sub).Should().NotBeSameAs(array).And.HaveCount(sub.Count);
        Data(whole.Clone()).Should().NotBeSameAs(array);
        Data(Vector<T>.Build.DenseOfArray(array)).Should().NotBeSameAs(array);
        var p = new Parameter<T>("p", sub);
        p.Value.AsArray().Should().HaveCount(p.Length).And.NotBeSameAs(array);

        static T[] Data(Vector<T> v) => ((DenseVectorStorage<T>)v.Storage).Data;
    }
}
