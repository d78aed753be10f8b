using Optimizers.Tests.TestSupport;
using System.Numerics;
using FluentAssertions;
using Optimizers.Checkpoints;
using Optimizers.Schedules;
using Xunit;

namespace Optimizers.Tests.Lbfgs;

/// <summary>
/// L-BFGS worked by hand on a 2-D quadratic, its counters and defaults, the non-finite guard (θ and the history as at
/// entry), re-entrancy, 0 B per step, checkpoints (resume bit for bit) and schedules. The cross-rule properties of the
/// <c>IOptimizer</c> catalog that apply to a closure optimizer are covered here, for both element types.
/// </summary>
public sealed class LbfgsTests
{
    /// <summary>
    /// f(x, y) = ½(x² + 2y²), g = (x, 2y), from θ₀ = (2, 1), α = 1, maxIterations 2 (so maxEvaluations = ⌊2·5/4⌋ = 2).
    /// </summary>
    /// <remarks>
    /// <code>
    /// Step 1 (the very first iteration):
    ///   f₀ = ½(2² + 2·1²) = ½(4 + 2) = 3;  g₀ = (2, 2·1) = (2, 2);  ‖g₀‖∞ = 2 &gt; 1e-7
    ///   d = −g₀ = (−2, −2);  t = min(1, 1/‖g₀‖₁)·α = min(1, 1/4)·1 = 0.25
    ///   gᵀd = 2·(−2) + 2·(−2) = −8 &lt; −1e-9: go on
    ///   θ₁ = θ₀ + t·d = (2 − 0.5, 1 − 0.5) = (1.5, 0.5)
    ///   f₁ = ½(2.25 + 2·0.25) = ½·2.75 = 1.375;  g₁ = (1.5, 1)      (second evaluation)
    ///   evaluations in this step = 2 ≥ maxEvaluations 2: stop.  Step returns f₀ = 3.
    /// Step 2:
    ///   evaluate at θ₁: f = 1.375, g₁ = (1.5, 1)                     (third evaluation)
    ///   y = g₁ − g₀ = (1.5 − 2, 1 − 2) = (−0.5, −1);  s = t·d = 0.25·(−2, −2) = (−0.5, −0.5)
    ///   yᵀs = 0.25 + 0.5 = 0.75 &gt; 1e-10: keep;  ρ = 1/0.75 = 4/3;  γ = yᵀs / yᵀy = 0.75 / (0.25 + 1) = 0.6
    ///   q = −g₁ = (−1.5, −1)
    ///   a = ρ·sᵀq = (4/3)·(0.75 + 0.5) = (4/3)·1.25 = 5/3
    ///   q = q − a·y = (−1.5 + (5/3)·0.5, −1 + (5/3)·1) = (−2/3, 2/3)
    ///   d = γ·q = 0.6·(−2/3, 2/3) = (−0.4, 0.4)
    ///   b = ρ·yᵀd = (4/3)·((−0.5)(−0.4) + (−1)(0.4)) = (4/3)·(−0.2) = −4/15
    ///   d = d + (a − b)·s = (−0.4, 0.4) + (5/3 + 4/15)·(−0.5, −0.5) = (−0.4 − 29/30, 0.4 − 29/30) = (−41/30, −17/30)
    ///   t = α = 1;  θ₂ = θ₁ + d = (45/30 − 41/30, 15/30 − 17/30) = (2/15, −1/15)
    ///   f₂ = ½((2/15)² + 2·(1/15)²) = ½·6/225 = 1/75                  (fourth evaluation; 2 in this step: stop)
    ///   Step returns 1.375;  FunctionEvaluations = 4, Iterations = 2.
    /// </code>
    /// torch 1.13 gives the same (θ₂ = (0.1333333333333333, −0.06666666666666665), counters 4 and 2).
    /// </remarks>
    [Fact]
    public void TwoDimensionalQuadraticByHand()
    {
        var theta = new Parameter("θ", [2.0, 1.0]);
        var lbfgs = new LBFGS([theta], maxIterations: 2);
        Func<double> closure = () =>
        {
            lbfgs.ZeroGrad();
            double x = theta.Value[0], y = theta.Value[1];
            theta.Gradient[0] = x;
            theta.Gradient[1] = 2 * y;
            return 0.5 * (x * x + 2 * y * y);
        };

        lbfgs.MaxEvaluations.Should().Be(2);
        lbfgs.Step(closure).Should().Be(3);
        theta.Value.ToArray().Should().Equal(1.5, 0.5);
        (lbfgs.FunctionEvaluations, lbfgs.Iterations).Should().Be((2, 1));

        lbfgs.Step(closure).Should().Be(1.375);
        theta.Value[0].Should().BeApproximately(2.0 / 15, 4e-17);
        theta.Value[1].Should().BeApproximately(-1.0 / 15, 4e-17);
        (lbfgs.FunctionEvaluations, lbfgs.Iterations).Should().Be((4, 2));
        closure().Should().BeApproximately(1.0 / 75, 1e-17);
    }

    [Theory]
    [InlineData(20, null, 25)]
    [InlineData(7, null, 8)]
    [InlineData(1, null, 1)]
    [InlineData(3, 11, 11)]
    public void MaxEvaluationsDefaultsToFiveQuartersOfMaxIterations(int maxIterations, int? maxEvaluations, int expected)
        => new LBFGS([new Parameter("p", [1.0])], maxIterations: maxIterations, maxEvaluations: maxEvaluations)
            .MaxEvaluations.Should().Be(expected);

    [Fact]
    public void DefaultsAreTorchs()
    {
        var lbfgs = new LBFGS<float>([new Parameter<float>("p", [1f])]);
        (lbfgs.LearningRate, lbfgs.MaxIterations, lbfgs.MaxEvaluations, lbfgs.ToleranceGrad, lbfgs.ToleranceChange, lbfgs.HistorySize, lbfgs.LineSearch)
            .Should().Be((1.0, 20, 25, 1e-7, 1e-9, 100, LineSearch.None));
        lbfgs.NonFiniteGradients.Should().Be(NonFiniteGradientPolicy.Throw);
    }

    public static TheoryData<string, Func<LBFGS>> BadArguments => new()
    {
        { "parameters", () => new LBFGS(null!) },
        { "parameters", () => new LBFGS([]) },
        { "learningRate", () => new LBFGS([new Parameter("p", [1.0])], learningRate: -1) },
        { "learningRate", () => new LBFGS([new Parameter("p", [1.0])], learningRate: double.NaN) },
        { "maxIterations", () => new LBFGS([new Parameter("p", [1.0])], maxIterations: 0) },
        { "maxEvaluations", () => new LBFGS([new Parameter("p", [1.0])], maxEvaluations: 0) },
        { "toleranceGrad", () => new LBFGS([new Parameter("p", [1.0])], toleranceGrad: -1e-7) },
        { "toleranceGrad", () => new LBFGS([new Parameter("p", [1.0])], toleranceGrad: double.PositiveInfinity) },
        { "toleranceChange", () => new LBFGS([new Parameter("p", [1.0])], toleranceChange: double.NaN) },
        { "historySize", () => new LBFGS([new Parameter("p", [1.0])], historySize: 0) },
        { "lineSearch", () => new LBFGS([new Parameter("p", [1.0])], lineSearch: (LineSearch)7) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgumentsNameTheArgument(string name, Func<LBFGS> create)
        => create.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(name);

    [Fact]
    public void BadLearningRateAndPolicyChangeNothing()
    {
        var lbfgs = new LBFGS([new Parameter("p", [1.0])], learningRate: 0.5);
        FluentActions.Invoking(() => lbfgs.LearningRate = -1).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("LearningRate");
        FluentActions.Invoking(() => lbfgs.NonFiniteGradients = (NonFiniteGradientPolicy)9).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => lbfgs.Step(null!)).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("closure");
        (lbfgs.LearningRate, lbfgs.NonFiniteGradients, lbfgs.FunctionEvaluations).Should().Be((0.5, NonFiniteGradientPolicy.Throw, 0L));
    }

    [Theory]
    [InlineData(LineSearch.None, NonFiniteGradientPolicy.Throw)]
    [InlineData(LineSearch.None, NonFiniteGradientPolicy.Skip)]
    [InlineData(LineSearch.StrongWolfe, NonFiniteGradientPolicy.Throw)]
    [InlineData(LineSearch.StrongWolfe, NonFiniteGradientPolicy.Skip)]
    public void NonFiniteGradientRestoresThetaAndHistoryDouble(LineSearch lineSearch, NonFiniteGradientPolicy policy)
        => NonFiniteGradientRestoresThetaAndHistory<double>(lineSearch, policy);

    [Theory]
    [InlineData(LineSearch.None, NonFiniteGradientPolicy.Skip)]
    [InlineData(LineSearch.StrongWolfe, NonFiniteGradientPolicy.Throw)]
    public void NonFiniteGradientRestoresThetaAndHistoryFloat(LineSearch lineSearch, NonFiniteGradientPolicy policy)
        => NonFiniteGradientRestoresThetaAndHistory<float>(lineSearch, policy);

    /// <summary>
    /// Two identical runs; one meets a NaN gradient in the middle of a step (after pairs were pushed and old ones
    /// evicted: historySize 2) and the bad step must leave θ and every piece of state as at its entry, so that both runs
    /// go on bit for bit alike. Every evaluation index of the step is tried, the first (at entry) included.
    /// </summary>
    private static void NonFiniteGradientRestoresThetaAndHistory<T>(LineSearch lineSearch, NonFiniteGradientPolicy policy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int badEvaluation = 1; badEvaluation <= 5; badEvaluation++)
        {
            var (reference, referenceClosure, referenceParameters) = Rosenbrock<T>(lineSearch, historySize: 2, maxIterations: 6);
            var (lbfgs, closure, parameters) = Rosenbrock<T>(lineSearch, historySize: 2, maxIterations: 6);
            lbfgs.NonFiniteGradients = policy;
            for (int step = 0; step < 2; step++)
            {
                reference.Step(referenceClosure);
                lbfgs.Step(closure);
            }

            var before = Snapshot(lbfgs);
            double firstLoss = closure();
            int calls = 0;
            Func<double> poisoned = () =>
            {
                double loss = closure();
                if (++calls == badEvaluation)
                {
                    parameters[1].Gradient[0] = T.NaN;
                }

                return loss;
            };

            if (policy == NonFiniteGradientPolicy.Throw)
            {
                FluentActions.Invoking(() => lbfgs.Step(poisoned)).Should().Throw<NonFiniteGradientException>()
                    .Which.ParameterName.Should().Be("b");
            }
            else
            {
                lbfgs.Step(poisoned).Should().Be(firstLoss);
                lbfgs.SkippedStepCount.Should().Be(1);
            }

            calls.Should().Be(badEvaluation, "the step stops at the bad gradient");
            Snapshot(lbfgs).Should().BeEquivalentTo(before with { Skipped = policy == NonFiniteGradientPolicy.Skip ? 1 : 0 },
                                                   $"a NaN at evaluation {badEvaluation} changes nothing but the skipped-step count");
            for (int step = 0; step < 3; step++)
            {
                lbfgs.Step(closure).Should().Be(reference.Step(referenceClosure));
                Values(parameters).Should().Equal(Values(referenceParameters));
            }

            (lbfgs.FunctionEvaluations, lbfgs.Iterations).Should().Be((reference.FunctionEvaluations, reference.Iterations));
        }
    }

    [Fact]
    public void PropagateLetsNaNThroughAsTorch()
    {
        var (lbfgs, closure, parameters) = Rosenbrock<double>(LineSearch.None, historySize: 2, maxIterations: 3);
        lbfgs.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
        lbfgs.Step(closure);
        Func<double> poisoned = () =>
        {
            double loss = closure();
            parameters[0].Gradient[0] = double.NaN;
            return loss;
        };

        lbfgs.Invoking(l => l.Step(poisoned)).Should().NotThrow();
        Values(parameters).Should().Contain(double.NaN);
    }

    [Fact]
    public void AnExceptionFromTheClosureRestoresTheta()
    {
        var (lbfgs, closure, parameters) = Rosenbrock<double>(LineSearch.StrongWolfe, historySize: 3, maxIterations: 5);
        lbfgs.Step(closure);
        var before = Snapshot(lbfgs);
        int calls = 0;
        Func<double> failing = () => ++calls == 3 ? throw new InvalidDataException("model failed") : closure();
        lbfgs.Invoking(l => l.Step(failing)).Should().Throw<InvalidDataException>();
        Snapshot(lbfgs).Should().BeEquivalentTo(before);
    }

    [Fact]
    public void StepFromInsideTheClosureThrowsAndChangesNothing()
    {
        var (lbfgs, closure, _) = Rosenbrock<double>(LineSearch.None, historySize: 3, maxIterations: 4);
        lbfgs.Step(closure);
        var before = Snapshot(lbfgs);
        Func<double> reentrant = () =>
        {
            closure();
            return lbfgs.Step(closure);
        };

        lbfgs.Invoking(l => l.Step(reentrant)).Should().Throw<InvalidOperationException>().WithMessage("*another step*");
        Snapshot(lbfgs).Should().BeEquivalentTo(before);
        lbfgs.Invoking(l => l.Step(closure)).Should().NotThrow("the guard is released");
    }

    [Theory]
    [InlineData(LineSearch.None)]
    [InlineData(LineSearch.StrongWolfe)]
    public void StepAllocatesNothing(LineSearch lineSearch)
    {
        AllocatesNothing<double>(lineSearch);
        AllocatesNothing<float>(lineSearch);
    }

    private static void AllocatesNothing<T>(LineSearch lineSearch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lbfgs, closure, _) = Rosenbrock<T>(lineSearch, historySize: 3, maxIterations: 8, start: -3);
        lbfgs.Step(closure);
        long allocated = SteadyAllocation.Smallest(() => lbfgs.Step(closure), calls: 5);
        allocated.Should().Be(0, $"{typeof(T).Name}, {lineSearch}: {lbfgs.Iterations} iterations, {lbfgs.FunctionEvaluations} evaluations");
        lbfgs.Iterations.Should().BeGreaterThan(10, "the steps did work, evictions included");
    }

    [Theory]
    [InlineData(LineSearch.None)]
    [InlineData(LineSearch.StrongWolfe)]
    public void CheckpointResumesBitForBit(LineSearch lineSearch)
    {
        Resumes<double>(lineSearch);
        Resumes<float>(lineSearch);
    }

    private static void Resumes<T>(LineSearch lineSearch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (original, closure, parameters) = Rosenbrock<T>(lineSearch, historySize: 3, maxIterations: 4);
        var schedule = new StepLR(original, stepSize: 2, gamma: 0.5);
        for (int step = 0; step < 3; step++)
        {
            original.Step(closure);
            schedule.Step();
        }

        using var saved = new MemoryStream();
        Checkpoint.Save(saved, original, parameters, schedule);

        var (resumed, resumedClosure, resumedParameters) = Rosenbrock<T>(lineSearch, historySize: 3, maxIterations: 4, start: 5);
        var resumedSchedule = new StepLR(resumed, stepSize: 2, gamma: 0.5);
        saved.Position = 0;
        Checkpoint.Load(saved, resumed, resumedParameters, resumedSchedule);
        Snapshot(resumed).Should().BeEquivalentTo(Snapshot(original));

        for (int step = 0; step < 4; step++)
        {
            resumed.Step(resumedClosure).Should().Be(original.Step(closure));
            resumedSchedule.Step();
            schedule.Step();
            Values(resumedParameters).Should().Equal(Values(parameters));
            resumed.LearningRate.Should().Be(original.LearningRate);
        }

        (resumed.FunctionEvaluations, resumed.Iterations).Should().Be((original.FunctionEvaluations, original.Iterations));
    }

    [Fact]
    public void CheckpointOfAnotherKindDoesNotLoad()
    {
        var (lbfgs, closure, parameters) = Rosenbrock<double>(LineSearch.None, historySize: 3, maxIterations: 4);
        lbfgs.Step(closure);
        var adam = new Adam(parameters);
        using var adamCheckpoint = new MemoryStream();
        Checkpoint.Save(adamCheckpoint, adam);
        using var lbfgsCheckpoint = new MemoryStream();
        Checkpoint.Save(lbfgsCheckpoint, lbfgs);
        var before = Snapshot(lbfgs);

        adamCheckpoint.Position = 0;
        FluentActions.Invoking(() => Checkpoint.Load(adamCheckpoint, lbfgs)).Should().Throw<CheckpointException>()
            .Which.Error.Should().Be(CheckpointError.Mismatch);
        lbfgsCheckpoint.Position = 0;
        FluentActions.Invoking(() => Checkpoint.Load(lbfgsCheckpoint, adam)).Should().Throw<CheckpointException>()
            .Which.Error.Should().Be(CheckpointError.Mismatch);
        lbfgsCheckpoint.Position = 0;
        var other = new LBFGS(parameters, historySize: 4, maxIterations: 4);
        FluentActions.Invoking(() => Checkpoint.Load(lbfgsCheckpoint, other)).Should().Throw<CheckpointException>()
            .WithMessage("*history_size*");
        Snapshot(lbfgs).Should().BeEquivalentTo(before);
        other.FunctionEvaluations.Should().Be(0);
    }

    [Fact]
    public void SchedulesDriveTheLearningRate()
    {
        var (lbfgs, closure, _) = Rosenbrock<double>(LineSearch.None, historySize: 3, maxIterations: 2);
        var schedule = new StepLR(lbfgs, stepSize: 1, gamma: 0.5);
        schedule.Optimizer.Should().BeSameAs(lbfgs);
        lbfgs.Step(closure);
        schedule.Step();
        lbfgs.LearningRate.Should().Be(0.01);

        var plateau = new ReduceLROnPlateau(lbfgs, factor: 0.5, patience: 0);
        plateau.Step(10);
        plateau.Step(11);
        lbfgs.LearningRate.Should().Be(0.005);
    }

    private sealed record State(long Evaluations, long Iterations, long Skipped, double LearningRate, double[] Theta,
                                double[] Direction, double[] PreviousGradient, double StepLength, double HDiag, double PreviousLoss,
                                bool HasDirection, double[][] Y, double[][] S, double[] Rho);

    private static State Snapshot<T>(LBFGS<T> lbfgs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        static double[] D(T[] values) => values.Select(double.CreateTruncating).ToArray();
        var slots = lbfgs.Order.Take(lbfgs.Count).ToArray();
        return new State(lbfgs.FunctionEvaluations, lbfgs.Iterations, lbfgs.SkippedStepCount, lbfgs.LearningRate,
                         Values(lbfgs.Parameters), D(lbfgs.Direction), D(lbfgs.PreviousGradient), lbfgs.StepLength, lbfgs.HDiag,
                         lbfgs.PreviousLoss, lbfgs.HasDirection, slots.Select(s => D(lbfgs.Y[s])).ToArray(),
                         slots.Select(s => D(lbfgs.S[s])).ToArray(), slots.Select(s => lbfgs.Rho[s]).ToArray());
    }

    private static double[] Values<T>(IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
        => parameters.SelectMany(p => p.Value.Select(double.CreateTruncating)).ToArray();

    /// <summary>A 4-D Rosenbrock problem over parameters "a" (1) and "b" (3), with a cached closure that allocates nothing.</summary>
    private static (LBFGS<T> Lbfgs, Func<double> Closure, Parameter<T>[] Parameters) Rosenbrock<T>(
        LineSearch lineSearch, int historySize, int maxIterations, double start = -1.2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parameter<T>[] parameters =
        [
            ParameterOf<T>("a", [start]),
            ParameterOf<T>("b", [1.0, 0.8, 0.6]),
        ];
        var lbfgs = new LBFGS<T>(parameters, learningRate: lineSearch == LineSearch.None ? 0.02 : 1, maxIterations: maxIterations,
                                 historySize: historySize, lineSearch: lineSearch);
        var xs = new T[4];
        var grad = new T[4];
        Func<double> closure = () =>
        {
            xs[0] = parameters[0].Value[0];
            for (int i = 0; i < 3; i++)
            {
                xs[i + 1] = parameters[1].Value[i];
            }

            T loss = LbfgsProblems<T>.Rosenbrock(xs, grad);
            parameters[0].Gradient[0] = grad[0];
            for (int i = 0; i < 3; i++)
            {
                parameters[1].Gradient[i] = grad[i + 1];
            }

            return double.CreateTruncating(loss);
        };

        return (lbfgs, closure, parameters);
    }

    private static Parameter<T> ParameterOf<T>(string name, double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(name, values.Select(T.CreateTruncating).ToArray());
}
