using System.Numerics;

namespace Optimizers.Determinism;

/// <summary>
/// Items (a) and (d): every rule (the first ten, Rprop, ASGD, Lion, Lamb, Adopt and the two schedule-free rules), built with non-default options (the rich configurations of
/// tests/Optimizers.Tests/TestSupport/AllOptimizers.cs, copied), over parameters of <typeparamref name="T"/>, steps two
/// parameters through 200 steps of seeded pseudo-random gradients (drawn as doubles, rounded to
/// <typeparamref name="T"/>) with three learning-rate changes; the hash covers every final value and every state
/// vector and scalar. With <see cref="Optimizer.MaxDegreeOfParallelism"/> 2 the same run is cut into two parts on
/// worker threads.
/// </summary>
internal static class OptimizerWorkload<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Parameter lengths: together 66,012 elements, above the 65,536 (two parts of 32,768) below which the library
    /// never splits a step, so that degree 2 really runs two parts (the cut falls inside the first parameter); both
    /// lengths leave a SIMD remainder (40,009 ≡ 1 and 26,003 ≡ 3 mod 4 and mod 8).
    /// </summary>
    private static readonly int[] Lengths = [40_009, 26_003];

    private const int Steps = 200;
    private const int Seed = 20_240_501;

    /// <summary>Extra room in the gradient pool, from which each step reads a window at a random offset.</summary>
    private const int PoolSlack = 4_096;

    public static IReadOnlyList<(string Name, Func<IReadOnlyList<Parameter<T>>, double, Optimizer<T>> Create, double LearningRate)> Configurations { get; } =
    [
        ("GradientDescent(weightDecay,maximize)", (p, lr) => new GradientDescent<T>(p, lr, weightDecay: 0.1, maximize: true), 0.05),
        ("GradientDescent(weightDecay)", (p, lr) => new GradientDescent<T>(p, lr, weightDecay: 0.01), 0.1),
        ("Momentum(nesterov)", (p, lr) => new Momentum<T>(p, lr, momentum: 0.9, nesterov: true), 0.01),
        ("Momentum(nesterov,weightDecay)", (p, lr) => new Momentum<T>(p, lr, momentum: 0.8, nesterov: true, weightDecay: 0.01), 0.05),
        ("Momentum(dampening,weightDecay,maximize)", (p, lr) => new Momentum<T>(p, lr, momentum: 0.8, dampening: 0.3, weightDecay: 0.05, maximize: true), 0.01),
        ("Momentum(dampening,weightDecay)", (p, lr) => new Momentum<T>(p, lr, momentum: 0.9, dampening: 0.5, weightDecay: 0.01), 0.1),
        ("AdaGrad(lrDecay,initialAccumulatorValue)", (p, lr) => new AdaGrad<T>(p, lr, lrDecay: 0.01, initialAccumulatorValue: 0.1), 0.5),
        ("AdaGrad(weightDecay,epsilon,maximize)", (p, lr) => new AdaGrad<T>(p, lr, weightDecay: 0.01, epsilon: 1e-6, maximize: true), 0.1),
        ("RMSProp(centered,momentum)", (p, lr) => new RMSProp<T>(p, lr, momentum: 0.9, centered: true), 0.01),
        ("RMSProp(centered,weightDecay)", (p, lr) => new RMSProp<T>(p, lr, weightDecay: 0.01, centered: true), 0.01),
        ("RMSProp(alpha,epsilon,momentum,weightDecay,maximize)", (p, lr) => new RMSProp<T>(p, lr, alpha: 0.9, epsilon: 1e-6, momentum: 0.5, weightDecay: 0.01, maximize: true), 0.01),
        ("AdaDelta(rho,epsilon,weightDecay,maximize)", (p, lr) => new AdaDelta<T>(p, lr, rho: 0.8, epsilon: 1e-5, weightDecay: 0.01, maximize: true), 1.0),
        ("AdaDelta(weightDecay)", (p, lr) => new AdaDelta<T>(p, lr, weightDecay: 0.1), 0.5),
        ("Adam(amsgrad)", (p, lr) => new Adam<T>(p, lr, amsgrad: true), 0.05),
        ("Adam(amsgrad,weightDecay)", (p, lr) => new Adam<T>(p, lr, amsgrad: true, weightDecay: 0.01), 0.01),
        ("Adam(betas,epsilon,maximize)", (p, lr) => new Adam<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, maximize: true), 0.01),
        ("AdamW(weightDecay)", (p, lr) => new AdamW<T>(p, lr, weightDecay: 0.1), 0.01),
        ("AdamW(betas,epsilon,amsgrad,maximize)", (p, lr) => new AdamW<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, maximize: true), 0.01),
        ("Adamax(betas,weightDecay,maximize)", (p, lr) => new Adamax<T>(p, lr, beta1: 0.8, beta2: 0.99, weightDecay: 0.01, maximize: true), 0.01),
        ("Adamax(epsilon,weightDecay)", (p, lr) => new Adamax<T>(p, lr, epsilon: 1e-4, weightDecay: 0.1), 0.01),
        ("NAdam(momentumDecay,weightDecay)", (p, lr) => new NAdam<T>(p, lr, momentumDecay: 0.01, weightDecay: 0.01), 0.01),
        ("NAdam(betas,epsilon,maximize)", (p, lr) => new NAdam<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, maximize: true), 0.01),
        ("RAdam(betas,weightDecay)", (p, lr) => new RAdam<T>(p, lr, beta1: 0.8, beta2: 0.99, weightDecay: 0.01), 0.01),
        ("RAdam(epsilon,maximize)", (p, lr) => new RAdam<T>(p, lr, epsilon: 1e-6, maximize: true), 0.01),
        ("Rprop(etas,stepSizes)", (p, lr) => new Rprop<T>(p, lr, etaMinus: 0.3, etaPlus: 1.5, minStepSize: 1e-3, maxStepSize: 0.2), 0.05),
        ("Rprop(maximize)", (p, lr) => new Rprop<T>(p, lr, maximize: true), 0.01),
        ("ASGD(lambda,alpha,t0)", (p, lr) => new ASGD<T>(p, lr, lambda: 0.01, alpha: 0.5, t0: 3), 0.05),
        ("ASGD(weightDecay,maximize)", (p, lr) => new ASGD<T>(p, lr, weightDecay: 0.05, maximize: true), 0.01),
        ("Lion(weightDecay)", (p, lr) => new Lion<T>(p, lr, weightDecay: 0.1), 0.001),
        ("Lion(betas,weightDecay)", (p, lr) => new Lion<T>(p, lr, beta1: 0.8, beta2: 0.95, weightDecay: 0.5), 0.003),
        ("Lamb(weightDecay)", (p, lr) => new Lamb<T>(p, lr, weightDecay: 0.01), 0.01),
        ("Lamb(betas,epsilon,epsilonRoot,weightDecay)", (p, lr) => new Lamb<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-4, epsilonRoot: 1e-6, weightDecay: 0.1), 0.01),
        ("Adopt(weightDecay,maximize)", (p, lr) => new Adopt<T>(p, lr, weightDecay: 0.01, maximize: true), 0.01),
        ("Adopt(betas,epsilon,decoupled)", (p, lr) => new Adopt<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-4, weightDecay: 0.1, decoupled: true), 0.01),
        ("ScheduleFreeSgd(momentum,weightDecay,warmupSteps,r,weightLrPower)", (p, lr) => new ScheduleFreeSgd<T>(p, lr, momentum: 0.8, weightDecay: 0.01, warmupSteps: 3, r: 1, weightLrPower: 1), 0.05),
        ("ScheduleFreeSgd(warmupSteps)", (p, lr) => new ScheduleFreeSgd<T>(p, lr, warmupSteps: 10), 0.02),
        ("ScheduleFreeAdamW(betas,epsilon,weightDecay,warmupSteps,r)", (p, lr) => new ScheduleFreeAdamW<T>(p, lr, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1, warmupSteps: 2, r: 0.5), 0.01),
        ("ScheduleFreeAdamW(warmupSteps,r,weightLrPower)", (p, lr) => new ScheduleFreeAdamW<T>(p, lr, warmupSteps: 5, r: 1, weightLrPower: 1), 0.05),
    ];

    /// <summary>Runs one configuration on <paramref name="degree"/> threads and returns the hash of its final bits.</summary>
    public static string Run(Func<IReadOnlyList<Parameter<T>>, double, Optimizer<T>> create, double learningRate, int degree)
    {
        var random = new Random(Seed);
        var parameters = new Parameter<T>[Lengths.Length];
        var pools = new double[Lengths.Length][];
        for (int i = 0; i < Lengths.Length; i++)
        {
            var values = new T[Lengths[i]];
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = T.CreateTruncating(2 * random.NextDouble() - 1);
            }

            parameters[i] = new Parameter<T>($"p{i}", values);
            pools[i] = new double[Lengths[i] + PoolSlack];
            for (int j = 0; j < pools[i].Length; j++)
            {
                pools[i][j] = 2 * random.NextDouble() - 1;
            }
        }

        var optimizer = create(parameters, learningRate);
        optimizer.MaxDegreeOfParallelism = degree;
        for (int step = 0; step < Steps; step++)
        {
            // Learning-rate changes, as a schedule or a user would make them between steps.
            switch (step)
            {
                case 50: optimizer.LearningRate *= 0.5; break;
                case 100: optimizer.LearningRate *= 3; break;
                case 150: optimizer.LearningRate /= 7; break;
            }

            optimizer.ZeroGrad();
            for (int i = 0; i < parameters.Length; i++)
            {
                // A window of the pool at a random offset, scaled by ±10^k, k ∈ {−3, …, 2}, and once in a while all zero.
                int offset = random.Next(PoolSlack);
                double scale = (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, random.Next(-3, 3));
                bool zero = random.Next(16) == 0;
                var gradient = Storage.Of(parameters[i].Gradient);
                var pool = pools[i];
                for (int j = 0; j < gradient.Length; j++)
                {
                    gradient[j] = zero ? T.Zero : T.CreateTruncating(pool[offset + j] * scale);
                }
            }

            optimizer.Step();
        }

        using var hash = new BitHash();
        foreach (var parameter in parameters)
        {
            hash.Add(Storage.Of(parameter.Value));
        }

        foreach (string name in optimizer.StateNames.Order(StringComparer.Ordinal))
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                hash.Add(StateOf(optimizer, name, i));
            }
        }

        hash.Add(optimizer.LearningRate);
        hash.Add((double)optimizer.StepCount);
        Finite.Require(optimizer.GetType().Name, parameters.SelectMany(p => p.Value));
        return hash.Finish();
    }

    /// <summary>A state entry: a vector's elements, or the one scalar (such as the step count).</summary>
    private static T[] StateOf(Optimizer<T> optimizer, string name, int index)
    {
        try
        {
            return optimizer.GetState(name, index).ToArray();
        }
        catch (KeyNotFoundException)
        {
            return [optimizer.GetScalarState(name, index)];
        }
    }
}
