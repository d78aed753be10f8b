using Optimizers.Schedules;

namespace Optimizers.Tests.Schedules;

/// <summary>Every invalid argument throws an exception naming it, and leaves the optimizer's learning rate alone.</summary>
public class ScheduleValidationTests
{
    private readonly GradientDescent _optimizer = ScheduleTraces.Optimizer(0.1);

    private void Rejects<TException>(Action construct, string parameterName)
        where TException : ArgumentException
    {
        construct.Should().Throw<TException>().WithParameterName(parameterName);
        _optimizer.LearningRate.Should().Be(0.1);
    }

    [Fact]
    public void A_null_optimizer_is_rejected_everywhere()
    {
        Rejects<ArgumentNullException>(() => _ = new StepLR(null!, 1), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new MultiStepLR(null!, [1]), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new ExponentialLR(null!, 0.9), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new CosineAnnealingLR(null!, 10), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new CosineAnnealingWarmRestarts(null!, 10), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new LinearLR(null!), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new PolynomialLR(null!), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new OneCycleLR(null!, 1, 10), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new ReduceLROnPlateau(null!), "optimizer");
        Rejects<ArgumentNullException>(() => _ = new SequentialLR(null!, [], []), "optimizer");
    }

    [Theory]
    [InlineData(0, 0.1, "stepSize")]
    [InlineData(-3, 0.1, "stepSize")]
    [InlineData(5, 0, "gamma")]
    [InlineData(5, -0.5, "gamma")]
    [InlineData(5, double.NaN, "gamma")]
    [InlineData(5, double.PositiveInfinity, "gamma")]
    public void StepLR(int stepSize, double gamma, string name)
        => Rejects<ArgumentOutOfRangeException>(() => _ = new StepLR(_optimizer, stepSize, gamma), name);

    [Fact]
    public void MultiStepLR()
    {
        Rejects<ArgumentNullException>(() => _ = new MultiStepLR(_optimizer, null!), "milestones");
        Rejects<ArgumentException>(() => _ = new MultiStepLR(_optimizer, []), "milestones");
        Rejects<ArgumentException>(() => _ = new MultiStepLR(_optimizer, [0, 5]), "milestones");
        Rejects<ArgumentException>(() => _ = new MultiStepLR(_optimizer, [10, 5]), "milestones");
        Rejects<ArgumentOutOfRangeException>(() => _ = new MultiStepLR(_optimizer, [5], 0), "gamma");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void ExponentialLR(double gamma)
        => Rejects<ArgumentOutOfRangeException>(() => _ = new ExponentialLR(_optimizer, gamma), "gamma");

    [Fact]
    public void Cosine_schedules()
    {
        Rejects<ArgumentOutOfRangeException>(() => _ = new CosineAnnealingLR(_optimizer, 0), "tMax");
        Rejects<ArgumentOutOfRangeException>(() => _ = new CosineAnnealingLR(_optimizer, 10, -0.1), "etaMin");
        Rejects<ArgumentOutOfRangeException>(() => _ = new CosineAnnealingLR(_optimizer, 10, double.NaN), "etaMin");
        Rejects<ArgumentOutOfRangeException>(() => _ = new CosineAnnealingWarmRestarts(_optimizer, 0), "t0");
        Rejects<ArgumentOutOfRangeException>(() => _ = new CosineAnnealingWarmRestarts(_optimizer, 5, 0), "tMult");
        Rejects<ArgumentOutOfRangeException>(() => _ = new CosineAnnealingWarmRestarts(_optimizer, 5, 1, -1), "etaMin");
    }

    [Theory]
    [InlineData(0, 1, 5, "startFactor")]
    [InlineData(1.5, 1, 5, "startFactor")]
    [InlineData(double.NaN, 1, 5, "startFactor")]
    [InlineData(0.5, -0.1, 5, "endFactor")]
    [InlineData(0.5, 1.1, 5, "endFactor")]
    [InlineData(0.5, 1, 0, "totalIters")]
    public void LinearLR(double startFactor, double endFactor, int totalIters, string name)
        => Rejects<ArgumentOutOfRangeException>(() => _ = new LinearLR(_optimizer, startFactor, endFactor, totalIters), name);

    [Theory]
    [InlineData(0, 1, "totalIters")]
    [InlineData(5, 0, "power")]
    [InlineData(5, -2, "power")]
    [InlineData(5, double.PositiveInfinity, "power")]
    public void PolynomialLR(int totalIters, double power, string name)
        => Rejects<ArgumentOutOfRangeException>(() => _ = new PolynomialLR(_optimizer, totalIters, power), name);

    [Fact]
    public void OneCycleLR()
    {
        Rejects<ArgumentOutOfRangeException>(() => _ = new OneCycleLR(_optimizer, 0, 100, cycleMomentum: false), "maxLearningRate");
        Rejects<ArgumentOutOfRangeException>(() => _ = new OneCycleLR(_optimizer, double.NaN, 100, cycleMomentum: false), "maxLearningRate");
        Rejects<ArgumentOutOfRangeException>(() => _ = new OneCycleLR(_optimizer, 1, 0, cycleMomentum: false), "totalSteps");
        Rejects<ArgumentOutOfRangeException>(() => _ = new OneCycleLR(_optimizer, 1, 100, pctStart: 1.2, cycleMomentum: false), "pctStart");
        Rejects<ArgumentOutOfRangeException>(() => _ = new OneCycleLR(_optimizer, 1, 100, annealStrategy: (AnnealStrategy)7, cycleMomentum: false), "annealStrategy");
        Rejects<ArgumentOutOfRangeException>(() => _ = new OneCycleLR(_optimizer, 1, 100, divFactor: 0, cycleMomentum: false), "divFactor");
        Rejects<ArgumentOutOfRangeException>(() => _ = new OneCycleLR(_optimizer, 1, 100, finalDivFactor: -1, cycleMomentum: false), "finalDivFactor");
        // pctStart·totalSteps = 1: the warm-up phase would end where it starts (torch divides by zero there)
        Rejects<ArgumentException>(() => _ = new OneCycleLR(_optimizer, 1, 10, pctStart: 0.1, cycleMomentum: false), "pctStart");
        // pctStart = 1 leaves no annealing phase
        Rejects<ArgumentException>(() => _ = new OneCycleLR(_optimizer, 1, 10, pctStart: 1.0, cycleMomentum: false), "pctStart");
        // three phases: 0.6·10 − 1 = 5 and 2·0.6·10 − 2 = 10 > 9, so the last phase would run backwards
        Rejects<ArgumentException>(() => _ = new OneCycleLR(_optimizer, 1, 10, pctStart: 0.6, threePhase: true, cycleMomentum: false), "pctStart");
    }

    [Fact]
    public void ReduceLROnPlateau()
    {
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, (PlateauMode)2), "mode");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, factor: 1), "factor");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, factor: -0.1), "factor");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, patience: -1), "patience");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, threshold: -1e-4), "threshold");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, thresholdMode: (ThresholdMode)5), "thresholdMode");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, cooldown: -2), "cooldown");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, minLearningRate: double.NaN), "minLearningRate");
        Rejects<ArgumentOutOfRangeException>(() => _ = new ReduceLROnPlateau(_optimizer, eps: -1), "eps");
    }

    [Fact]
    public void SequentialLR()
    {
        var other = ScheduleTraces.Optimizer(0.1);
        var a = new StepLR(_optimizer, 5);
        var b = new ExponentialLR(_optimizer, 0.9);
        Rejects<ArgumentNullException>(() => _ = new SequentialLR(_optimizer, null!, []), "schedules");
        Rejects<ArgumentNullException>(() => _ = new SequentialLR(_optimizer, [a], null!), "milestones");
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [], []), "schedules");
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [a, null!], [3]), "schedules");
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [a, a], [3]), "schedules");
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [a, new StepLR(other, 2)], [3]), "schedules");
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [a, b], []), "milestones");
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [a, b], [0]), "milestones");
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [a, b, new StepLR(_optimizer, 2)], [5, 5]), "milestones");
        var oneCycle = new OneCycleLR(_optimizer, 1, 100, cycleMomentum: false);
        _optimizer.LearningRate = 0.1;
        Rejects<ArgumentException>(() => _ = new SequentialLR(_optimizer, [a, oneCycle], [3]), "schedules");
    }
}
