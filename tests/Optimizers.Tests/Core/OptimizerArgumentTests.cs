using Optimizers.Tests.TestSupport;

namespace Optimizers.Tests;

/// <summary>
/// Bad hyperparameters and parameter lists: each throws an exception whose ParamName names the argument, and
/// nothing that already exists (values, gradients, another optimizer's state) is changed.
/// </summary>
public sealed class OptimizerArgumentTests : OptimizerTestBase
{
    public static TheoryData<double> BadLearningRates => [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.1, -double.Epsilon];

    [Theory]
    [MemberData(nameof(BadLearningRates))]
    public void ConstructorsRejectABadLearningRate(double learningRate)
    {
        var (parameters, existing) = Trained("Momentum");
        var snapshot = Snapshot.Of(existing);

        foreach (var configuration in AllOptimizers.Plain.Values)
        {
            ShouldThrowFor<ArgumentOutOfRangeException>(() => configuration.Create(parameters, learningRate), "learningRate");
        }

        snapshot.ShouldBeUnchanged();
    }

    [Theory]
    [MemberData(nameof(BadLearningRates))]
    public void LearningRateSetterRejectsABadValueAndKeepsTheOldOne(double learningRate)
    {
        foreach (var rule in AllOptimizers.Plain.Keys)
        {
            var (_, optimizer) = Trained(rule);
            var (_, twin) = Trained(rule);
            var snapshot = Snapshot.Of(optimizer);

            ShouldThrowFor<ArgumentOutOfRangeException>(() => optimizer.LearningRate = learningRate, nameof(IOptimizer.LearningRate));
            snapshot.ShouldBeUnchanged();

            // The optimizer still steps exactly like one that never saw the bad value.
            optimizer.Step();
            twin.Step();
            optimizer.Parameters[0].Value.ToArray().Should().Equal(twin.Parameters[0].Value.ToArray());
        }
    }

    [Fact]
    public void BoundaryValuesAreAccepted()
    {
        var p = Param("θ", 1, 2);
        FluentActions.Invoking(() => new GradientDescent([p], learningRate: 0, weightDecay: 0)).Should().NotThrow();
        FluentActions.Invoking(() => new Momentum([p], learningRate: 0, momentum: 0, dampening: 1, weightDecay: 0)).Should().NotThrow();
        FluentActions.Invoking(() => new Momentum([p], learningRate: 1e300, momentum: 0.999999, nesterov: true)).Should().NotThrow();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void MomentumOutsideZeroToOneIsRejected(double momentum)
    {
        var (parameters, existing) = Trained("Momentum");
        var snapshot = Snapshot.Of(existing);
        ShouldThrowFor<ArgumentOutOfRangeException>(() => new Momentum(parameters, 0.1, momentum: momentum), "momentum");
        snapshot.ShouldBeUnchanged();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void BadWeightDecayIsRejected(double weightDecay)
    {
        var (parameters, existing) = Trained("Momentum");
        var snapshot = Snapshot.Of(existing);
        ShouldThrowFor<ArgumentOutOfRangeException>(() => new GradientDescent(parameters, 0.1, weightDecay: weightDecay), "weightDecay");
        ShouldThrowFor<ArgumentOutOfRangeException>(() => new Momentum(parameters, 0.1, weightDecay: weightDecay), "weightDecay");
        snapshot.ShouldBeUnchanged();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void DampeningOutsideZeroToOneIsRejected(double dampening)
    {
        var (parameters, existing) = Trained("Momentum");
        var snapshot = Snapshot.Of(existing);
        ShouldThrowFor<ArgumentOutOfRangeException>(() => new Momentum(parameters, 0.1, dampening: dampening), "dampening");
        snapshot.ShouldBeUnchanged();
    }

    [Theory]
    [InlineData(0.9, 0.1)] // Nesterov with dampening
    [InlineData(0.0, 0.0)] // Nesterov without momentum
    public void NesterovNeedsMomentumAndNoDampening(double momentum, double dampening)
    {
        var (parameters, existing) = Trained("Momentum");
        var snapshot = Snapshot.Of(existing);
        ShouldThrowFor<ArgumentException>(() => new Momentum(parameters, 0.1, momentum: momentum, dampening: dampening, nesterov: true), "nesterov");
        snapshot.ShouldBeUnchanged();
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void NullParameterListIsRejected(string rule) =>
        ShouldThrowFor<ArgumentNullException>(() => AllOptimizers.Create(rule, null!), "parameters");

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void EmptyParameterListIsRejected(string rule)
    {
        var e = ShouldThrowFor<ArgumentException>(() => AllOptimizers.Create(rule, []), "parameters");
        e.Message.Should().Contain("empty");
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void NullEntryIsRejected(string rule)
    {
        var e = ShouldThrowFor<ArgumentException>(() => AllOptimizers.Create(rule, [Param("a", 1), null!]), "parameters");
        e.Message.Should().Contain("index 1");
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void RepeatedParameterIsRejected(string rule)
    {
        var (parameters, existing) = Trained(rule);
        var snapshot = Snapshot.Of(existing);
        var repeated = new[] { parameters[0], parameters[1], parameters[0] };
        var e = ShouldThrowFor<ArgumentException>(() => AllOptimizers.Create(rule, repeated), "parameters");
        e.Message.Should().Contain($"'{parameters[0].Name}'");
        snapshot.ShouldBeUnchanged();
    }

    [Fact]
    public void TwoDistinctParametersWithEqualValuesAndNamesAreNotARepeat()
    {
        // Identity, not equality, decides: two objects are two parameters.
        FluentActions.Invoking(() => new Momentum([Param("w", 1), Param("w", 1)], 0.1)).Should().NotThrow();
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void ParametersAreKeptInOrderAndReadOnly(string rule)
    {
        var a = Param("a", 1);
        var b = Param("b", 2, 3);
        var optimizer = AllOptimizers.Create(rule, new List<Parameter> { a, b });
        optimizer.Parameters.Should().Equal(a, b);
        optimizer.Parameters.Should().NotBeAssignableTo<List<Parameter>>().And.NotBeAssignableTo<Parameter[]>();
    }

    [Theory]
    [MemberData(nameof(AllOptimizers.RuleNames), MemberType = typeof(AllOptimizers))]
    public void UnknownStateNameThrowsKeyNotFound(string rule)
    {
        var optimizer = AllOptimizers.Create(rule, [Param("a", 1)]);
        FluentActions.Invoking(() => optimizer.GetState("velocity", 0).ToArray()).Should().Throw<KeyNotFoundException>();
        FluentActions.Invoking(() => optimizer.GetScalarState("step", 0)).Should().Throw<KeyNotFoundException>();
    }

    /// <summary>Every rule that keeps state (all but GradientDescent), with each element type.</summary>
    public static TheoryData<string, string> StatefulRulesAndTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (var (rule, type) in EitherType.RulesAndTypes().Select(row => ((string)row[0], (string)row[1])).Where(r => r.Item1 != "GradientDescent"))
        {
            data.Add(rule, type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StatefulRulesAndTypes))]
    public void A_state_index_that_is_not_a_parameter_position_is_rejected_naming_index(string rule, string type)
    {
        if (type == "float32")
        {
            StateIndexIsChecked<float>(rule);
        }
        else
        {
            StateIndexIsChecked<double>(rule);
        }
    }

    private static void StateIndexIsChecked<T>(string rule)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Parameter<T>[] parameters = [EitherType.Param<T>("a", 1, -2, 3), EitherType.Param<T>("b", 0.5, 0.25)];
        var optimizer = EitherType.Create(rule, parameters);
        optimizer.Step();
        string before = string.Concat(parameters.Select(EitherType.Bits));
        optimizer.StateNames.Should().NotBeEmpty();

        foreach (int bad in new[] { -1, 2, int.MinValue, int.MaxValue })
        {
            foreach (var name in optimizer.VectorStates.Keys)
            {
                Rejected(() => optimizer.GetState(name, bad), bad, $"GetState(\"{name}\", {bad})");
            }

            foreach (var name in optimizer.ScalarStates.Keys)
            {
                Rejected(() => optimizer.GetScalarState(name, bad), bad, $"GetScalarState(\"{name}\", {bad})");
            }
        }

        foreach (var name in optimizer.VectorStates.Keys)
        {
            // Exempt: Adafactor's row and column statistics, which a rank-1 parameter does not use (they are empty).
            int expected = rule == "Adafactor" && name is "row_var" or "col_var" ? 0 : 2;
            optimizer.GetState(name, 1).Length.Should().Be(expected, "index 1 is the second parameter");
        }

        string.Concat(parameters.Select(EitherType.Bits)).Should().Be(before);
        optimizer.StepCount.Should().Be(1);

        void Rejected(Action call, int index, string what)
        {
            var e = FluentActions.Invoking(call).Should().ThrowExactly<ArgumentOutOfRangeException>(what).Which;
            e.ParamName.Should().Be("index");
            e.ActualValue.Should().Be(index);
            e.Message.Should().Contain($"0 to 1 for this {rule}; got {index}");
        }
    }

    /// <summary>Two parameters and an optimizer over them after two steps, so that values, gradients and state are all non-trivial.</summary>
    private static (Parameter[] Parameters, Optimizer<double> Optimizer) Trained(string rule)
    {
        var parameters = new[] { Param("a", 1, -2, 3), Param("b", 0.5, 0.25) };
        var optimizer = AllOptimizers.Create(rule, parameters);
        for (int step = 1; step <= 2; step++)
        {
            SetGradient(parameters[0], 0.1 * step, -0.2, 0.3);
            SetGradient(parameters[1], -1, 2 * step);
            optimizer.Step();
        }

        return (parameters, optimizer);
    }

    private static TException ShouldThrowFor<TException>(Action action, string paramName)
        where TException : ArgumentException
    {
        var e = FluentActions.Invoking(action).Should().ThrowExactly<TException>().Which;
        e.ParamName.Should().Be(paramName);
        e.Message.Should().Contain(paramName);
        return e;
    }
}
