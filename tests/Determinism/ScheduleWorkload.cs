using Optimizers.Schedules;

namespace Optimizers.Determinism;

/// <summary>
/// Items (c): learning-rate schedules stepped through their course; the hash covers every learning rate they set
/// (after construction and after each step).
/// </summary>
internal static class ScheduleWorkload
{
    private const int Steps = 300;

    public static IEnumerable<(string Name, string Hash)> Run()
    {
        yield return ("schedule/OneCycleLR(cos)", Trace(o => new OneCycleLR(o, 0.1, totalSteps: Steps, cycleMomentum: false), Steps - 1));
        yield return ("schedule/OneCycleLR(linear,threePhase)", Trace(
            o => new OneCycleLR(o, 0.3, totalSteps: Steps, pctStart: 0.25, annealStrategy: AnnealStrategy.Linear,
                                divFactor: 10, finalDivFactor: 100, threePhase: true, cycleMomentum: false), Steps - 1));
        yield return ("schedule/CosineAnnealingWarmRestarts(t0,tMult,etaMin)", Trace(
            o => new CosineAnnealingWarmRestarts(o, t0: 10, tMult: 2, etaMin: 1e-4), Steps));
        yield return ("schedule/CosineAnnealingLR(tMax,etaMin)", Trace(o => new CosineAnnealingLR(o, tMax: 70, etaMin: 1e-3), Steps));
        yield return ("schedule/ExponentialLR(gamma)", Trace(o => new ExponentialLR(o, gamma: 0.97), Steps));
        yield return ("schedule/PolynomialLR(totalIters,power)", Trace(o => new PolynomialLR(o, totalIters: 250, power: 2.5), Steps));
        yield return ("schedule/ReduceLROnPlateau(factor,patience,cooldown)", Plateau());
    }

    private static string Trace(Func<IOptimizer, LearningRateSchedule> create, int steps)
    {
        var optimizer = new GradientDescent([new Parameter("w", [1.0])], 0.1);
        var schedule = create(optimizer);
        using var hash = new BitHash();
        hash.Add(optimizer.LearningRate);
        for (int i = 0; i < steps; i++)
        {
            schedule.Step();
            hash.Add(optimizer.LearningRate);
        }

        return hash.Finish();
    }

    /// <summary>A noisy, slowly improving seeded metric drives the plateau schedule.</summary>
    private static string Plateau()
    {
        var optimizer = new GradientDescent([new Parameter("w", [1.0])], 0.1);
        var schedule = new ReduceLROnPlateau(optimizer, factor: 0.7, patience: 3, cooldown: 2, minLearningRate: 1e-5);
        var random = new Random(17);
        using var hash = new BitHash();
        for (int i = 0; i < Steps; i++)
        {
            double metric = 1 / (1 + i / 20.0) + 0.05 * random.NextDouble();
            schedule.Step(metric);
            hash.Add(optimizer.LearningRate);
        }

        return hash.Finish();
    }
}
