using System.Numerics;
using System.Runtime.InteropServices;

namespace Optimizers;

/// <summary>A rule's per-parameter state by name, seen without its element type (for checkpoints).</summary>
internal interface IStateRegistry
{
    /// <summary>Every state name, vectors first, each kind in creation order.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>
    /// The names of the state vectors, in creation order: one vector per parameter, as long as the parameter for
    /// elementwise state, of another length for state shaped otherwise (Adafactor's row and column statistics).
    /// </summary>
    IReadOnlyCollection<string> VectorNames { get; }

    /// <summary>The names of the per-parameter scalars, in creation order.</summary>
    IReadOnlyCollection<string> ScalarNames { get; }

    /// <summary>The bytes of state vector <paramref name="name"/> of parameter <paramref name="index"/>, in memory order.</summary>
    Span<byte> VectorBytes(string name, int index);

    /// <summary>The bytes of the scalars <paramref name="name"/>, one element per parameter, in memory order.</summary>
    Span<byte> ScalarBytes(string name);
}

/// <summary>The per-parameter state of a rule over elements of type <typeparamref name="T"/>, registered by name.</summary>
internal sealed class StateRegistry<T> : IStateRegistry
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<string, T[][]> _vectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, T[]> _scalars = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, T[][]> Vectors => _vectors;

    public IReadOnlyDictionary<string, T[]> Scalars => _scalars;

    public IReadOnlyCollection<string> Names => _vectors.Keys.Concat(_scalars.Keys).ToArray();

    public IReadOnlyCollection<string> VectorNames => _vectors.Keys;

    public IReadOnlyCollection<string> ScalarNames => _scalars.Keys;

    /// <summary>Creates one vector per length, each filled with <paramref name="initialValue"/>, under <paramref name="name"/>.</summary>
    public T[][] AddVectors(string name, IEnumerable<int> lengths, T initialValue)
    {
        CheckNew(name);
        var state = lengths.Select(n =>
        {
            var a = new T[n];
            Array.Fill(a, initialValue);
            return a;
        }).ToArray();
        _vectors.Add(name, state);
        return state;
    }

    /// <summary>Creates <paramref name="count"/> scalars filled with <paramref name="initialValue"/> under <paramref name="name"/>.</summary>
    public T[] AddScalars(string name, int count, T initialValue)
    {
        CheckNew(name);
        var state = new T[count];
        Array.Fill(state, initialValue);
        _scalars.Add(name, state);
        return state;
    }

    public T[][] Vector(string name, string ruleName) => _vectors.TryGetValue(name, out var s)
        ? s
        : throw new KeyNotFoundException($"{ruleName} keeps no state vector named '{name}'; it keeps: {string.Join(", ", Names)}.");

    public T[] Scalar(string name, string ruleName) => _scalars.TryGetValue(name, out var s)
        ? s
        : throw new KeyNotFoundException($"{ruleName} keeps no scalar state named '{name}'; it keeps: {string.Join(", ", Names)}.");

    public Span<byte> VectorBytes(string name, int index) => MemoryMarshal.AsBytes(_vectors[name][index].AsSpan());

    public Span<byte> ScalarBytes(string name) => MemoryMarshal.AsBytes(_scalars[name].AsSpan());

    private void CheckNew(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_vectors.ContainsKey(name) || _scalars.ContainsKey(name))
        {
            throw new InvalidOperationException($"State '{name}' is registered twice.");
        }
    }
}
