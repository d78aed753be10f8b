namespace Optimizers.Tests;

/// <summary>
/// A deep copy of everything an optimizer and its parameters hold: values, gradients, every registered state,
/// the step count and the learning rate. Used to prove that a rejected call changed nothing.
/// </summary>
internal sealed class Snapshot
{
    private readonly double[][] _values;
    private readonly double[][] _gradients;
    private readonly Dictionary<string, double[][]> _vectorStates;
    private readonly Dictionary<string, double[]> _scalarStates;
    private readonly long _stepCount;
    private readonly double _learningRate;

    private Snapshot(Optimizer<double> optimizer)
    {
        _values = optimizer.Parameters.Select(p => p.Value.ToArray()).ToArray();
        _gradients = optimizer.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        _vectorStates = optimizer.VectorStates.ToDictionary(kv => kv.Key, kv => kv.Value.Select(a => a.ToArray()).ToArray());
        _scalarStates = optimizer.ScalarStates.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        _stepCount = optimizer.StepCount;
        _learningRate = optimizer.LearningRate;
        Optimizer = optimizer;
    }

    public Optimizer<double> Optimizer { get; }

    public static Snapshot Of(Optimizer<double> optimizer) => new(optimizer);

    /// <summary>Asserts that nothing has changed since the snapshot (exact, NaN-aware comparison).</summary>
    public void ShouldBeUnchanged()
    {
        var now = new Snapshot(Optimizer);
        now._stepCount.Should().Be(_stepCount, "the step count must not change");
        now._learningRate.Should().Be(_learningRate, "the learning rate must not change");
        for (int i = 0; i < _values.Length; i++)
        {
            now._values[i].Should().Equal(_values[i], $"the value of parameter {i} must not change");
            now._gradients[i].Should().Equal(_gradients[i], $"the gradient of parameter {i} must not change");
        }

        now._vectorStates.Keys.Should().BeEquivalentTo(_vectorStates.Keys);
        foreach (var (name, states) in _vectorStates)
        {
            for (int i = 0; i < states.Length; i++)
            {
                now._vectorStates[name][i].Should().Equal(states[i], $"state '{name}' of parameter {i} must not change");
            }
        }

        foreach (var (name, states) in _scalarStates)
        {
            now._scalarStates[name].Should().Equal(states, $"scalar state '{name}' must not change");
        }
    }
}
