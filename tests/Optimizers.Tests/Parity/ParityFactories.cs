using System.Numerics;

namespace Optimizers.Tests.Parity;

/// <summary>
/// Builds the optimizer a parity fixture names, from the fixture's options, with the constructor's named
/// arguments, over parameters of element type <typeparamref name="T"/> (the float64 fixtures run the double rules,
/// the float32 fixtures the float rules, through the same map). Every fallback is the constructor's default (a test
/// checks this by reflection), so a fixture that leaves an option out exercises the C# default against torch's.
/// </summary>
/// <remarks>
/// A fixture whose optimizer has no entry here fails <see cref="ParityTests{T}.EveryFixtureHasAFactoryAndEveryFactoryHasFixtures"/>.
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
internal static class ParityFactories<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Optimizer class name → factory.</summary>
    public static IReadOnlyDictionary<string, Func<IReadOnlyList<Parameter<T>>, ParityOptions, Optimizer<T>>> All { get; } =
        new Dictionary<string, Func<IReadOnlyList<Parameter<T>>, ParityOptions, Optimizer<T>>>(StringComparer.Ordinal)
        {
            ["GradientDescent"] = (p, o) => new GradientDescent<T>(p,
                learningRate: o.Required("learningRate"),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false)),

            ["Momentum"] = (p, o) => new Momentum<T>(p,
                learningRate: o.Required("learningRate"),
                momentum: o.Double("momentum", 0.9),
                dampening: o.Double("dampening", 0),
                nesterov: o.Bool("nesterov", false),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false)),

            ["AdaGrad"] = (p, o) => new AdaGrad<T>(p,
                learningRate: o.Double("learningRate", 0.01),
                lrDecay: o.Double("lrDecay", 0),
                weightDecay: o.Double("weightDecay", 0),
                initialAccumulatorValue: o.Double("initialAccumulatorValue", 0),
                epsilon: o.Double("epsilon", 1e-10),
                maximize: o.Bool("maximize", false)),

            ["RMSProp"] = (p, o) => new RMSProp<T>(p,
                learningRate: o.Double("learningRate", 0.01),
                alpha: o.Double("alpha", 0.99),
                epsilon: o.Double("epsilon", 1e-8),
                weightDecay: o.Double("weightDecay", 0),
                momentum: o.Double("momentum", 0),
                centered: o.Bool("centered", false),
                maximize: o.Bool("maximize", false)),

            ["AdaDelta"] = (p, o) => new AdaDelta<T>(p,
                learningRate: o.Double("learningRate", 1.0),
                rho: o.Double("rho", 0.9),
                epsilon: o.Double("epsilon", 1e-6),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false)),

            ["Adam"] = (p, o) => new Adam<T>(p,
                learningRate: o.Double("learningRate", 0.001),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.999),
                epsilon: o.Double("epsilon", 1e-8),
                weightDecay: o.Double("weightDecay", 0),
                amsgrad: o.Bool("amsgrad", false),
                maximize: o.Bool("maximize", false),
                decoupledWeightDecay: o.Bool("decoupledWeightDecay", false)),

            ["AdamW"] = (p, o) => new AdamW<T>(p,
                learningRate: o.Double("learningRate", 0.001),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.999),
                epsilon: o.Double("epsilon", 1e-8),
                weightDecay: o.Double("weightDecay", 0.01),
                amsgrad: o.Bool("amsgrad", false),
                maximize: o.Bool("maximize", false)),

            ["Adamax"] = (p, o) => new Adamax<T>(p,
                learningRate: o.Double("learningRate", 0.002),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.999),
                epsilon: o.Double("epsilon", 1e-8),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false)),

            ["NAdam"] = (p, o) => new NAdam<T>(p,
                learningRate: o.Double("learningRate", 0.002),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.999),
                epsilon: o.Double("epsilon", 1e-8),
                weightDecay: o.Double("weightDecay", 0),
                momentumDecay: o.Double("momentumDecay", 0.004),
                maximize: o.Bool("maximize", false),
                decoupledWeightDecay: o.Bool("decoupledWeightDecay", false)),

            ["RAdam"] = (p, o) => new RAdam<T>(p,
                learningRate: o.Double("learningRate", 0.001),
                beta1: o.Double("beta1", 0.9),
                beta2: o.Double("beta2", 0.999),
                epsilon: o.Double("epsilon", 1e-8),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false),
                decoupledWeightDecay: o.Bool("decoupledWeightDecay", false)),

            ["Rprop"] = (p, o) => new Rprop<T>(p,
                learningRate: o.Double("learningRate", 0.01),
                etaMinus: o.Double("etaMinus", 0.5),
                etaPlus: o.Double("etaPlus", 1.2),
                minStepSize: o.Double("minStepSize", 1e-6),
                maxStepSize: o.Double("maxStepSize", 50),
                maximize: o.Bool("maximize", false)),

            ["ASGD"] = (p, o) => new ASGD<T>(p,
                learningRate: o.Double("learningRate", 0.01),
                lambda: o.Double("lambda", 1e-4),
                alpha: o.Double("alpha", 0.75),
                t0: o.Double("t0", 1e6),
                weightDecay: o.Double("weightDecay", 0),
                maximize: o.Bool("maximize", false)),
        };
}
