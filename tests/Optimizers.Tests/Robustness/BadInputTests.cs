using System.Globalization;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra.Double;
using Optimizers.Checkpoints;
using Optimizers.Clipping;
using Optimizers.Networks;
using Optimizers.Schedules;
using Optimizers.Tests.Readme;
using Xunit.Abstractions;

namespace Optimizers.Tests.Robustness;

// Inside the namespace, so that Vector<T> below is MathNet's (these usings are searched before System.Numerics).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// Every public entry point with every kind of invalid argument: each call throws an <see cref="ArgumentException"/>
/// (or a subclass) whose <see cref="ArgumentException.ParamName"/> is the argument's name, and leaves every value,
/// gradient, state, step count, learning rate, setting, stream and random generator of a fresh
/// <see cref="BadInputWorld"/> exactly as it was. The cases are counted, the counts written to the test output and
/// compared with the ones docs/robustness.md quotes.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    /// <summary>One bad call: <c>Arrange</c> runs before the snapshot and returns the call to make.</summary>
    private sealed record BadCase(string Area, string Description, string ParamName, Func<BadInputWorld, Action> Arrange);

    private static readonly double[] NotNonNegativeFinite = [-1, -double.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
    private static readonly double[] NotInUnitInterval = [-0.1, 1, 1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
    private static readonly double[] NotInClosedUnitInterval = [-0.1, 1.0000000000000002, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
    private static readonly double[] NotPositiveFinite = [0, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
    private static readonly double[] NotInOpenUnitInterval = [0, -0.1, 1, 1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
    private static readonly double[] NotAboveOne = [1, 0.5, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    /// <summary>Rprop's largest step size: finite and ≥ the smallest (1e-6 by default), so 1e-7 is too small.</summary>
    private static readonly double[] NotAMaxStepSize = [1e-7, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    private enum Kind
    {
        NonNegative,
        Unit,
        ClosedUnit,
        Positive,
        OpenUnit,
        AboveOne,
        MaxStepSize,
    }

    private static double[] Invalid(Kind kind) => kind switch
    {
        Kind.NonNegative => NotNonNegativeFinite,
        Kind.Unit => NotInUnitInterval,
        Kind.ClosedUnit => NotInClosedUnitInterval,
        Kind.OpenUnit => NotInOpenUnitInterval,
        Kind.AboveOne => NotAboveOne,
        Kind.MaxStepSize => NotAMaxStepSize,
        _ => NotPositiveFinite,
    };

    /// <summary>A rule's constructor with named overrides, and the kind of each numeric hyperparameter.</summary>
    private sealed record RuleConstructor(string Rule, Func<IEnumerable<Parameter<double>>, IReadOnlyDictionary<string, double>, Optimizer<double>> Create,
                                          (string Name, Kind Kind)[] Hyperparameters);

    private static double H(IReadOnlyDictionary<string, double> h, string name, double fallback) => h.TryGetValue(name, out var v) ? v : fallback;

    private static readonly (string, Kind) Lr = ("learningRate", Kind.NonNegative);
    private static readonly (string, Kind) Wd = ("weightDecay", Kind.NonNegative);
    private static readonly (string, Kind) Eps = ("epsilon", Kind.NonNegative);
    private static readonly (string, Kind) Beta1 = ("beta1", Kind.Unit);
    private static readonly (string, Kind) Beta2 = ("beta2", Kind.Unit);

    private static readonly RuleConstructor[] Constructors =
    [
        new("GradientDescent", (p, h) => new GradientDescent(p, H(h, "learningRate", 0.1), H(h, "weightDecay", 0)), [Lr, Wd]),
        new("Momentum", (p, h) => new Momentum(p, H(h, "learningRate", 0.1), H(h, "momentum", 0.9), H(h, "dampening", 0), weightDecay: H(h, "weightDecay", 0)),
            [Lr, ("momentum", Kind.Unit), ("dampening", Kind.ClosedUnit), Wd]),
        new("AdaGrad", (p, h) => new AdaGrad(p, H(h, "learningRate", 0.01), H(h, "lrDecay", 0), H(h, "weightDecay", 0), H(h, "initialAccumulatorValue", 0), H(h, "epsilon", 1e-10)),
            [Lr, ("lrDecay", Kind.NonNegative), Wd, ("initialAccumulatorValue", Kind.NonNegative), Eps]),
        new("RMSProp", (p, h) => new RMSProp(p, H(h, "learningRate", 0.01), H(h, "alpha", 0.99), H(h, "epsilon", 1e-8), H(h, "weightDecay", 0), H(h, "momentum", 0)),
            [Lr, ("alpha", Kind.Unit), Eps, Wd, ("momentum", Kind.Unit)]),
        new("AdaDelta", (p, h) => new AdaDelta(p, H(h, "learningRate", 1), H(h, "rho", 0.9), H(h, "epsilon", 1e-6), H(h, "weightDecay", 0)),
            [Lr, ("rho", Kind.Unit), ("epsilon", Kind.Positive), Wd]),
        new("Adam", (p, h) => new Adam(p, H(h, "learningRate", 0.001), H(h, "beta1", 0.9), H(h, "beta2", 0.999), H(h, "epsilon", 1e-8), H(h, "weightDecay", 0)),
            [Lr, Beta1, Beta2, Eps, Wd]),
        new("AdamW", (p, h) => new AdamW(p, H(h, "learningRate", 0.001), H(h, "beta1", 0.9), H(h, "beta2", 0.999), H(h, "epsilon", 1e-8), H(h, "weightDecay", 0.01)),
            [Lr, Beta1, Beta2, Eps, Wd]),
        new("Adamax", (p, h) => new Adamax(p, H(h, "learningRate", 0.002), H(h, "beta1", 0.9), H(h, "beta2", 0.999), H(h, "epsilon", 1e-8), H(h, "weightDecay", 0)),
            [Lr, Beta1, Beta2, Eps, Wd]),
        new("NAdam", (p, h) => new NAdam(p, H(h, "learningRate", 0.002), H(h, "beta1", 0.9), H(h, "beta2", 0.999), H(h, "epsilon", 1e-8), H(h, "weightDecay", 0), H(h, "momentumDecay", 0.004)),
            [Lr, Beta1, Beta2, Eps, Wd, ("momentumDecay", Kind.NonNegative)]),
        new("RAdam", (p, h) => new RAdam(p, H(h, "learningRate", 0.001), H(h, "beta1", 0.9), H(h, "beta2", 0.999), H(h, "epsilon", 1e-8), H(h, "weightDecay", 0)),
            [Lr, Beta1, Beta2, Eps, Wd]),
        new("Rprop", (p, h) => new Rprop(p, H(h, "learningRate", 0.01), H(h, "etaMinus", 0.5), H(h, "etaPlus", 1.2), H(h, "minStepSize", 1e-6), H(h, "maxStepSize", 50)),
            [Lr, ("etaMinus", Kind.OpenUnit), ("etaPlus", Kind.AboveOne), ("minStepSize", Kind.NonNegative), ("maxStepSize", Kind.MaxStepSize)]),
        new("ASGD", (p, h) => new ASGD(p, H(h, "learningRate", 0.01), H(h, "lambda", 1e-4), H(h, "alpha", 0.75), H(h, "t0", 1e6), H(h, "weightDecay", 0)),
            [Lr, ("lambda", Kind.NonNegative), ("alpha", Kind.NonNegative), ("t0", Kind.NonNegative), Wd]),
        new("Adafactor", (p, h) => new Adafactor(p, H(h, "learningRate", 0.01), epsilon1: H(h, "epsilon1", 1e-30), epsilon2: H(h, "epsilon2", 1e-3), weightDecay: H(h, "weightDecay", 0.1)),
            [Lr, ("epsilon1", Kind.NonNegative), ("epsilon2", Kind.NonNegative), Wd]),
    ];

    private static readonly Dictionary<string, double> NoOverrides = [];

    private static IEnumerable<BadCase> OptimizerCases()
    {
        foreach (var ctor in Constructors)
        {
            string area = $"optimizers: {ctor.Rule}";
            foreach (var (name, kind) in ctor.Hyperparameters)
            {
                foreach (double bad in Invalid(kind))
                {
                    yield return new(area, $"{name} = {bad}", name, w => () => ctor.Create(w.P, new Dictionary<string, double> { [name] = bad }));
                }
            }

            yield return new(area, "parameters null", "parameters", _ => () => ctor.Create(null!, NoOverrides));
            yield return new(area, "parameters empty", "parameters", _ => () => ctor.Create([], NoOverrides));
            yield return new(area, "parameters hold null", "parameters", w => () => ctor.Create([w.P[0], null!], NoOverrides));
            yield return new(area, "parameters repeated", "parameters", w => () => ctor.Create([w.P[0], w.P[1], w.P[0]], NoOverrides));
            foreach (var alias in SharedStorageCases(area, w => w.P, p => ctor.Create(p, NoOverrides)))
            {
                yield return alias;
            }

            // Setters of a stepped instance of this rule that the snapshot records, every setting away from its default.
            Func<BadInputWorld, Optimizer<double>> stepped = w => w.Stepped<double>(p => ctor.Create(p, NoOverrides));
            foreach (double bad in NotNonNegativeFinite)
            {
                yield return new(area, $"LearningRate = {bad}", "LearningRate", w => { var o = stepped(w); return () => o.LearningRate = bad; });
            }

            yield return new(area, "NonFiniteGradients undefined", "NonFiniteGradients",
                w => { var o = stepped(w); return () => o.NonFiniteGradients = (NonFiniteGradientPolicy)99; });
            foreach (int bad in new[] { 0, -1, int.MinValue })
            {
                yield return new(area, $"MaxDegreeOfParallelism = {bad}", "MaxDegreeOfParallelism",
                    w => { var o = stepped(w); return () => o.MaxDegreeOfParallelism = bad; });
            }
        }

        foreach (var rule in EitherType.Rules)
        {
            foreach (var alias in SharedStorageCases($"optimizers (float32)", w => w.P32, p => EitherType.Create<float>(rule, p), $"{rule}: "))
            {
                yield return alias;
            }
        }

        foreach (var muon in MuonCases())
        {
            yield return muon;
        }

        // Adafactor's τ is ≤ 0 and its clipping threshold d ≥ 1 (torch's checks), both finite.
        foreach (double bad in new[] { 0.1, double.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            yield return new("optimizers: Adafactor", $"beta2Decay = {bad}", "beta2Decay", w => () => new Adafactor(w.P, beta2Decay: bad));
        }

        foreach (double bad in new[] { 0.999, 0, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            yield return new("optimizers: Adafactor", $"d = {bad}", "d", w => () => new Adafactor(w.P, d: bad));
        }

        foreach (var lbfgs in LbfgsCases())
        {
            yield return lbfgs;
        }

        yield return new("optimizers: Momentum", "nesterov with momentum 0", "nesterov", w => () => new Momentum(w.P, 0.1, momentum: 0, nesterov: true));
        yield return new("optimizers: Momentum", "nesterov with dampening 0.1", "nesterov", w => () => new Momentum(w.P, 0.1, dampening: 0.1, nesterov: true));
        foreach (double bad in NotNonNegativeFinite)
        {
            yield return new("optimizers: setters of the stepped Adam", $"LearningRate = {bad}", "LearningRate", w => () => w.Existing.LearningRate = bad);
        }
    }

    /// <summary>Muon over the world's network weights (rank 2; a rule of matrices only), with one bad argument each.</summary>
    private static IEnumerable<BadCase> MuonCases()
    {
        const string area = "optimizers: Muon";
        static Parameter<double>[] Weights(BadInputWorld w) => w.Net.Parameters.Where(p => p.Rank == 2).ToArray();
        static Muon With(BadInputWorld w, string name, double bad) => new(Weights(w),
            learningRate: name == "learningRate" ? bad : 1e-3, weightDecay: name == "weightDecay" ? bad : 0.1,
            momentum: name == "momentum" ? bad : 0.95, epsilon: name == "epsilon" ? bad : 1e-7);

        foreach (var (name, kind) in new[] { Lr, Wd, ("momentum", Kind.Unit), ("epsilon", Kind.Positive) })
        {
            foreach (double bad in Invalid(kind))
            {
                yield return new(area, $"{name} = {bad}", name, w => () => With(w, name, bad));
            }
        }

        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            yield return new(area, $"nsCoefficients with {bad}", "nsCoefficients", w => () => new Muon(Weights(w), nsCoefficients: (3, bad, 2)));
        }

        foreach (int bad in new[] { -1, 100, int.MinValue })
        {
            yield return new(area, $"nsSteps = {bad}", "nsSteps", w => () => new Muon(Weights(w), nsSteps: bad));
        }

        yield return new(area, "adjustLearningRate undefined", "adjustLearningRate", w => () => new Muon(Weights(w), adjustLearningRate: (MuonLearningRate)2));
        yield return new(area, "a rank-1 parameter (a bias)", "parameters", w => () => new Muon([.. Weights(w), w.P[0]]));
        yield return new(area, "parameters null", "parameters", _ => () => new Muon(null!));
        yield return new(area, "parameters empty", "parameters", _ => () => new Muon([]));
        yield return new(area, "MomentumFactor = 1", "MomentumFactor", w => { var o = new Muon(Weights(w)); return () => o.MomentumFactor = 1; });
    }

    /// <summary>
    /// Parameter lists with two parameters over one array, built over the world's parameters <paramref name="p"/>:
    /// over another's vector, over a second vector that wraps another's array, over another's array, and over
    /// another's gradient.
    /// </summary>
    private static IEnumerable<BadCase> SharedStorageCases<T>(string area, Func<BadInputWorld, Parameter<T>[]> p,
                                                              Func<IEnumerable<Parameter<T>>, object> create, string prefix = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        yield return new(area, $"{prefix}a parameter over another's vector", "parameters",
            w => { var q = p(w); var alias = new Parameter<T>("alias", q[0].Value); return () => create([q[0], q[1], alias]); });
        yield return new(area, $"{prefix}a parameter over a second vector that wraps another's array", "parameters",
            w => { var q = p(w); var alias = new Parameter<T>("alias", Vector<T>.Build.Dense(q[1].Value.AsArray())); return () => create([q[0], alias, q[1]]); });
        yield return new(area, $"{prefix}a parameter over another's array", "parameters",
            w => { var q = p(w); var alias = new Parameter<T>("alias", q[1].Value.AsArray()); return () => create([alias, q[0], q[1]]); });
        yield return new(area, $"{prefix}a parameter over another's gradient", "parameters",
            w => { var q = p(w); var alias = new Parameter<T>("alias", q[0].Gradient); return () => create([q[0], alias]); });
    }

    /// <summary>
    /// <see cref="Optimizer{T}.GetState"/> and <see cref="Optimizer{T}.GetScalarState"/> with an index that is not a
    /// parameter's position, on a stepped optimizer of every rule that keeps such state, in both element types.
    /// </summary>
    /// <summary>L-BFGS, which is not an <see cref="Optimizer{T}"/>: its constructor's arguments and its setters.</summary>
    private static IEnumerable<BadCase> LbfgsCases()
    {
        const string area = "optimizers: LBFGS";
        foreach (string name in new[] { "learningRate", "toleranceGrad", "toleranceChange" })
        {
            foreach (double bad in NotNonNegativeFinite)
            {
                yield return new(area, $"{name} = {bad}", name, w => () => new LBFGS(w.P,
                    learningRate: name == "learningRate" ? bad : 1, toleranceGrad: name == "toleranceGrad" ? bad : 1e-7,
                    toleranceChange: name == "toleranceChange" ? bad : 1e-9));
            }
        }

        foreach (int bad in new[] { 0, -1, int.MinValue })
        {
            yield return new(area, $"maxIterations = {bad}", "maxIterations", w => () => new LBFGS(w.P, maxIterations: bad));
            yield return new(area, $"maxEvaluations = {bad}", "maxEvaluations", w => () => new LBFGS(w.P, maxEvaluations: bad));
            yield return new(area, $"historySize = {bad}", "historySize", w => () => new LBFGS(w.P, historySize: bad));
        }

        yield return new(area, "lineSearch undefined", "lineSearch", w => () => new LBFGS(w.P, lineSearch: (LineSearch)2));
        yield return new(area, "parameters null", "parameters", _ => () => new LBFGS(null!));
        yield return new(area, "parameters empty", "parameters", _ => () => new LBFGS([]));
        yield return new(area, "parameters hold null", "parameters", w => () => new LBFGS([w.P[0], null!]));
        yield return new(area, "parameters repeated", "parameters", w => () => new LBFGS([w.P[0], w.P[1], w.P[0]]));
        foreach (var alias in SharedStorageCases(area, w => w.P, p => new LBFGS(p)))
        {
            yield return alias;
        }

        foreach (double bad in NotNonNegativeFinite)
        {
            yield return new(area, $"LearningRate = {bad}", "LearningRate", w => { var o = new LBFGS(w.P); return () => o.LearningRate = bad; });
        }

        yield return new(area, "NonFiniteGradients undefined", "NonFiniteGradients",
            w => { var o = new LBFGS(w.P); return () => o.NonFiniteGradients = (NonFiniteGradientPolicy)99; });
        yield return new(area, "Step(null)", "closure", w => { var o = new LBFGS(w.P); return () => o.Step(null!); });
    }

    private static IEnumerable<BadCase> StateIndexCases()
    {
        const string area = "GetState, GetScalarState";
        foreach (var rule in EitherType.Rules)
        {
            foreach (var c in Of<double>("float64").Concat(Of<float>("float32")))
            {
                yield return c;
            }

            IEnumerable<BadCase> Of<T>(string type)
                where T : unmanaged, IFloatingPointIeee754<T>
            {
                var probe = EitherType.Create<T>(rule, [new Parameter<T>("probe", new T[1])]);
                foreach (int bad in new[] { -1, 2, int.MinValue })   // a stepped optimizer has two parameters
                {
                    foreach (var name in probe.VectorStates.Keys)
                    {
                        yield return new(area, $"{rule} ({type}): GetState(\"{name}\", {bad})", "index",
                            w => { var o = w.Stepped<T>(p => EitherType.Create<T>(rule, p)); return () => o.GetState(name, bad); });
                    }

                    foreach (var name in probe.ScalarStates.Keys)
                    {
                        yield return new(area, $"{rule} ({type}): GetScalarState(\"{name}\", {bad})", "index",
                            w => { var o = w.Stepped<T>(p => EitherType.Create<T>(rule, p)); return () => o.GetScalarState(name, bad); });
                    }
                }
            }
        }
    }

    private static IEnumerable<BadCase> ParameterCases()
    {
        const string area = "Parameter";
        yield return new(area, "name null", "name", _ => () => new Parameter(null!, Vector<double>.Build.Dense(2)));
        yield return new(area, "name empty", "name", _ => () => new Parameter("", Vector<double>.Build.Dense(2)));
        yield return new(area, "name white space", "name", _ => () => new Parameter(" \t", Vector<double>.Build.Dense(2)));
        yield return new(area, "value null", "value", _ => () => new Parameter("x", (Vector<double>)null!));
        yield return new(area, "value sparse", "value", _ => () => new Parameter("x", Vector<double>.Build.Sparse(3)));
        yield return new(area, "values null", "values", _ => () => new Parameter("x", (double[])null!));
    }

    private static IEnumerable<BadCase> ParameterGroupsCases()
    {
        const string area = "ParameterGroups";
        yield return new(area, "groups null (array)", "groups", _ => () => new ParameterGroups((Optimizer<double>[])null!));
        yield return new(area, "groups null (sequence)", "groups", _ => () => new ParameterGroups((IEnumerable<Optimizer<double>>)null!));
        yield return new(area, "groups empty", "groups", _ => () => new ParameterGroups());
        yield return new(area, "a null group", "groups", w => () => new ParameterGroups(w.Loose1, null!));
        yield return new(area, "the same group twice", "groups", w => () => new ParameterGroups(w.Loose1, w.Loose2, w.Loose1));
        yield return new(area, "a group of another ParameterGroups", "groups", w => () => new ParameterGroups(w.Loose1, w.Grouped.Groups[0]));
        yield return new(area, "a stepped group", "groups", w => () => new ParameterGroups(w.Loose1, w.Steppable));
        yield return new(area, "a parameter in two groups", "groups",
            w => { var twin = new Momentum(w.Loose1.Parameters, 0.1); return () => new ParameterGroups(w.Loose2, w.Loose1, twin); });
        yield return new(area, "parameters of two groups over one array", "groups",
            w => { var alias = new Momentum([new Parameter("alias", w.Loose1.Parameters[0].Value.AsArray())], 0.1); return () => new ParameterGroups(w.Loose2, w.Loose1, alias); });
        yield return new(area, "a parameter over another group's gradient", "groups",
            w => { var alias = new Momentum([new Parameter("alias", w.Loose2.Parameters[0].Gradient)], 0.1); return () => new ParameterGroups(alias, w.Loose2); });
        yield return new(area, "float32: parameters of two groups over one vector", "groups",
            w => { var alias = new Momentum<float>([new Parameter<float>("alias", w.Loose32.Parameters[0].Value)], 0.1); return () => new ParameterGroups<float>(w.Loose32, alias); });
        foreach (double bad in NotNonNegativeFinite)
        {
            yield return new(area, $"LearningRate = {bad}", "LearningRate", w => () => w.Grouped.LearningRate = bad);
        }

        yield return new(area, "NonFiniteGradients undefined", "NonFiniteGradients", w => () => w.Grouped.NonFiniteGradients = (NonFiniteGradientPolicy)(-1));
    }

    private static IEnumerable<BadCase> NetworkCases()
    {
        const string mlp = "Network.Mlp";
        yield return new(mlp, "layerSizes null", "layerSizes", _ => () => Network.Mlp(null!));
        foreach (var sizes in new[] { new int[0], [3], [3, 0, 2], [3, -1, 2], [0, 2], [3, 1], [3, 4, 1] })
        {
            yield return new(mlp, $"layerSizes [{string.Join(", ", sizes)}]", "layerSizes", _ => () => Network.Mlp(sizes));
        }

        yield return new(mlp, "hidden undefined", "hidden", _ => () => Network.Mlp([3, 2], (Activation)42));

        // Inputs that every batch method rejects, and labels that the labelled ones reject.
        var badInputs = new (string Description, Func<BadInputWorld, Matrix<double>> Make)[]
        {
            ("inputs null", _ => null!),
            ("inputs with 3 columns", w => Matrix<double>.Build.Dense(6, 3)),
            ("inputs with 5 columns", w => Matrix<double>.Build.Dense(6, 5)),
        };
        var badLabels = new (string Description, Func<BadInputWorld, (Matrix<double>, int[])> Make)[]
        {
            ("labels null", w => (w.X, null!)),
            ("5 labels for 6 rows", w => (w.X, w.Y[..5])),
            ("7 labels for 6 rows", w => (w.X, [.. w.Y, 0])),
            ("label −1", w => (w.X, [-1, 1, 2, 0, 1, 2])),
            ("label 3 of 3 classes", w => (w.X, [0, 1, 2, 0, 1, 3])),
            ("empty batch", w => (Matrix<double>.Build.Dense(0, 4), [])),
        };

        var methods = new (string Name, bool Labelled, Action<Network, Matrix<double>, int[]> Call)[]
        {
            ("Network.Predict", false, (n, x, _) => n.Predict(x)),
            ("Network.Classify", false, (n, x, _) => n.Classify(x)),
            ("Network.Accuracy", true, (n, x, y) => n.Accuracy(x, y)),
            ("Network.Loss", true, (n, x, y) => n.Loss(x, y)),
            ("Network.Backward", true, (n, x, y) => n.Backward(x, y)),
        };
        foreach (var (name, labelled, call) in methods)
        {
            foreach (var (description, make) in badInputs)
            {
                yield return new(name, description, "inputs", w => { var x = make(w); return () => call(w.Net, x, w.Y); });
            }

            if (labelled)
            {
                foreach (var (description, make) in badLabels)
                {
                    yield return new(name, description, "labels", w => { var (x, y) = make(w); return () => call(w.Net, x, y); });
                }
            }
        }

        const string train = "MiniBatchTraining.TrainEpoch";
        yield return new(train, "network null", "network", w => () => MiniBatchTraining.TrainEpoch(null!, w.NetOptimizer, w.X, w.Y, 2, w.Rng));
        yield return new(train, "optimizer null", "optimizer", w => () => w.Net.TrainEpoch(null!, w.X, w.Y, 2, w.Rng));
        yield return new(train, "random null", "random", w => () => w.Net.TrainEpoch(w.NetOptimizer, w.X, w.Y, 2, null!));
        foreach (int bad in new[] { 0, -1, int.MinValue })
        {
            yield return new(train, $"batchSize {bad}", "batchSize", w => () => w.Net.TrainEpoch(w.NetOptimizer, w.X, w.Y, bad, w.Rng));
        }

        foreach (var (description, make) in badInputs)
        {
            yield return new(train, description, "inputs", w => { var x = make(w); return () => w.Net.TrainEpoch(w.NetOptimizer, x, w.Y, 2, w.Rng); });
        }

        foreach (var (description, make) in badLabels)
        {
            yield return new(train, description, "labels", w => { var (x, y) = make(w); return () => w.Net.TrainEpoch(w.NetOptimizer, x, y, 2, w.Rng); });
        }
    }

    private static IEnumerable<BadCase> ClippingCases()
    {
        var lists = new (string Description, Func<BadInputWorld, IEnumerable<Parameter>> Make)[]
        {
            ("parameters null", _ => null!),
            ("parameters hold null", w => [w.P[0], null!]),
            ("parameters repeated", w => [w.P[0], w.P[1], w.P[0]]),
            ("parameters repeated (lazy sequence)", w => w.P.Concat(w.P.Take(1)).Select(p => p)),
        };
        foreach (var (description, make) in lists)
        {
            yield return new("GradientClipping.ClipByGlobalNorm", description, "parameters", w => { var p = make(w); return () => GradientClipping.ClipByGlobalNorm(p, 1); });
            yield return new("GradientClipping.GlobalNorm", description, "parameters", w => { var p = make(w); return () => GradientClipping.GlobalNorm(p); });
            yield return new("GradientClipping.ClipByValue", description, "parameters", w => { var p = make(w); return () => GradientClipping.ClipByValue(p, 0.1); });
        }

        foreach (double bad in NotNonNegativeFinite)
        {
            yield return new("GradientClipping.ClipByGlobalNorm", $"maxNorm = {bad}", "maxNorm", w => () => GradientClipping.ClipByGlobalNorm(w.P, bad));
            yield return new("GradientClipping.ClipByValue", $"clipValue = {bad}", "clipValue", w => () => GradientClipping.ClipByValue(w.P, bad));
        }

        foreach (double bad in new[] { 0, -1, -double.Epsilon, double.NaN, double.NegativeInfinity })
        {
            yield return new("GradientClipping.ClipByGlobalNorm", $"normType = {bad}", "normType", w => () => GradientClipping.ClipByGlobalNorm(w.P, 1, bad));
            yield return new("GradientClipping.GlobalNorm", $"normType = {bad}", "normType", w => () => GradientClipping.GlobalNorm(w.P, bad));
        }
    }

    private static IEnumerable<BadCase> ScheduleCases()
    {
        const string area = "schedules";
        IEnumerable<BadCase> Numbers(string schedule, string name, IEnumerable<double> values, Action<IOptimizer, double> make) =>
            values.Select(v => new BadCase(area, $"{schedule}: {name} = {v}", name, w => () => make(w.Existing, v)));
        IEnumerable<BadCase> Ints(string schedule, string name, IEnumerable<int> values, Action<IOptimizer, int> make) =>
            values.Select(v => new BadCase(area, $"{schedule}: {name} = {v}", name, w => () => make(w.Existing, v)));
        int[] notPositive = [0, -1, int.MinValue];
        int[] negative = [-1, int.MinValue];

        var cases = new List<BadCase>
        {
            new(area, "StepLR: optimizer null", "optimizer", _ => () => new StepLR(null!, 2)),
            new(area, "MultiStepLR: optimizer null", "optimizer", _ => () => new MultiStepLR(null!, [2])),
            new(area, "ExponentialLR: optimizer null", "optimizer", _ => () => new ExponentialLR(null!, 0.9)),
            new(area, "CosineAnnealingLR: optimizer null", "optimizer", _ => () => new CosineAnnealingLR(null!, 5)),
            new(area, "CosineAnnealingWarmRestarts: optimizer null", "optimizer", _ => () => new CosineAnnealingWarmRestarts(null!, 5)),
            new(area, "LinearLR: optimizer null", "optimizer", _ => () => new LinearLR(null!)),
            new(area, "OneCycleLR: optimizer null", "optimizer", _ => () => new OneCycleLR(null!, 0.1, 100)),
            new(area, "PolynomialLR: optimizer null", "optimizer", _ => () => new PolynomialLR(null!)),
            new(area, "ReduceLROnPlateau: optimizer null", "optimizer", _ => () => new ReduceLROnPlateau(null!)),
            new(area, "MultiStepLR: milestones null", "milestones", w => () => new MultiStepLR(w.Existing, null!)),
            new(area, "MultiStepLR: milestones empty", "milestones", w => () => new MultiStepLR(w.Existing, [])),
            new(area, "MultiStepLR: milestone 0", "milestones", w => () => new MultiStepLR(w.Existing, [0, 3])),
            new(area, "MultiStepLR: milestones decreasing", "milestones", w => () => new MultiStepLR(w.Existing, [3, 2])),
            new(area, "OneCycleLR: annealStrategy undefined", "annealStrategy", w => () => new OneCycleLR(w.Existing, 0.1, 100, annealStrategy: (AnnealStrategy)7)),
            new(area, "OneCycleLR: totalSteps 1 leaves an empty phase", "pctStart", w => () => new OneCycleLR(w.Existing, 0.1, 1)),
            new(area, "OneCycleLR: three phases of 4 steps at pctStart 0.25", "pctStart", w => () => new OneCycleLR(w.Existing, 0.1, 4, pctStart: 0.25, threePhase: true)),
            new(area, "ReduceLROnPlateau: mode undefined", "mode", w => () => new ReduceLROnPlateau(w.Existing, (PlateauMode)5)),
            new(area, "ReduceLROnPlateau: thresholdMode undefined", "thresholdMode", w => () => new ReduceLROnPlateau(w.Existing, thresholdMode: (ThresholdMode)5)),
        };
        cases.AddRange(Ints("StepLR", "stepSize", notPositive, (o, v) => _ = new StepLR(o, v)));
        cases.AddRange(Numbers("StepLR", "gamma", NotPositiveFinite, (o, v) => _ = new StepLR(o, 2, v)));
        cases.AddRange(Numbers("MultiStepLR", "gamma", NotPositiveFinite, (o, v) => _ = new MultiStepLR(o, [2], v)));
        cases.AddRange(Numbers("ExponentialLR", "gamma", NotPositiveFinite, (o, v) => _ = new ExponentialLR(o, v)));
        cases.AddRange(Ints("CosineAnnealingLR", "tMax", notPositive, (o, v) => _ = new CosineAnnealingLR(o, v)));
        cases.AddRange(Numbers("CosineAnnealingLR", "etaMin", NotNonNegativeFinite, (o, v) => _ = new CosineAnnealingLR(o, 5, v)));
        cases.AddRange(Ints("CosineAnnealingWarmRestarts", "t0", notPositive, (o, v) => _ = new CosineAnnealingWarmRestarts(o, v)));
        cases.AddRange(Ints("CosineAnnealingWarmRestarts", "tMult", notPositive, (o, v) => _ = new CosineAnnealingWarmRestarts(o, 5, v)));
        cases.AddRange(Numbers("CosineAnnealingWarmRestarts", "etaMin", NotNonNegativeFinite, (o, v) => _ = new CosineAnnealingWarmRestarts(o, 5, 1, v)));
        cases.AddRange(Numbers("LinearLR", "startFactor", [0, -0.5, 1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity], (o, v) => _ = new LinearLR(o, v)));
        cases.AddRange(Numbers("LinearLR", "endFactor", NotInClosedUnitInterval, (o, v) => _ = new LinearLR(o, 0.5, v)));
        cases.AddRange(Ints("LinearLR", "totalIters", notPositive, (o, v) => _ = new LinearLR(o, 0.5, 1, v)));
        cases.AddRange(Numbers("OneCycleLR", "maxLearningRate", NotPositiveFinite, (o, v) => _ = new OneCycleLR(o, v, 100)));
        cases.AddRange(Ints("OneCycleLR", "totalSteps", notPositive, (o, v) => _ = new OneCycleLR(o, 0.1, v)));
        cases.AddRange(Numbers("OneCycleLR", "pctStart", NotInClosedUnitInterval, (o, v) => _ = new OneCycleLR(o, 0.1, 100, v)));
        cases.AddRange(Numbers("OneCycleLR", "divFactor", NotPositiveFinite, (o, v) => _ = new OneCycleLR(o, 0.1, 100, divFactor: v)));
        cases.AddRange(Numbers("OneCycleLR", "finalDivFactor", NotPositiveFinite, (o, v) => _ = new OneCycleLR(o, 0.1, 100, finalDivFactor: v)));
        cases.AddRange(Ints("PolynomialLR", "totalIters", notPositive, (o, v) => _ = new PolynomialLR(o, v)));
        cases.AddRange(Numbers("PolynomialLR", "power", NotPositiveFinite, (o, v) => _ = new PolynomialLR(o, 5, v)));
        cases.AddRange(Numbers("ReduceLROnPlateau", "factor", NotInUnitInterval, (o, v) => _ = new ReduceLROnPlateau(o, factor: v)));
        cases.AddRange(Ints("ReduceLROnPlateau", "patience", negative, (o, v) => _ = new ReduceLROnPlateau(o, patience: v)));
        cases.AddRange(Numbers("ReduceLROnPlateau", "threshold", NotNonNegativeFinite, (o, v) => _ = new ReduceLROnPlateau(o, threshold: v)));
        cases.AddRange(Ints("ReduceLROnPlateau", "cooldown", negative, (o, v) => _ = new ReduceLROnPlateau(o, cooldown: v)));
        cases.AddRange(Numbers("ReduceLROnPlateau", "minLearningRate", NotNonNegativeFinite, (o, v) => _ = new ReduceLROnPlateau(o, minLearningRate: v)));
        cases.AddRange(Numbers("ReduceLROnPlateau", "eps", NotNonNegativeFinite, (o, v) => _ = new ReduceLROnPlateau(o, eps: v)));

        // SequentialLR: its parts are built (and have set the learning rate) before the snapshot.
        const string seq = "SequentialLR";
        cases.Add(new(area, $"{seq}: optimizer null", "optimizer", w => { var s = Parts(w); return () => new SequentialLR(null!, s, [3]); }));
        cases.Add(new(area, $"{seq}: schedules null", "schedules", w => () => new SequentialLR(w.Existing, null!, [3])));
        cases.Add(new(area, $"{seq}: milestones null", "milestones", w => { var s = Parts(w); return () => new SequentialLR(w.Existing, s, null!); }));
        cases.Add(new(area, $"{seq}: schedules empty", "schedules", w => () => new SequentialLR(w.Existing, [], [])));
        cases.Add(new(area, $"{seq}: a null schedule", "schedules", w => { var s = Parts(w); return () => new SequentialLR(w.Existing, [s[0], null!], [3]); }));
        cases.Add(new(area, $"{seq}: a OneCycleLR", "schedules",
            w => { var s = Parts(w); var one = new OneCycleLR(w.Existing, 0.1, 100, cycleMomentum: false); return () => new SequentialLR(w.Existing, [s[0], one], [3]); }));
        cases.Add(new(area, $"{seq}: a schedule of another optimizer", "schedules",
            w => { var s = Parts(w); var other = new StepLR(w.NetOptimizer, 2); return () => new SequentialLR(w.Existing, [s[0], other], [3]); }));
        cases.Add(new(area, $"{seq}: the same schedule twice", "schedules", w => { var s = Parts(w); return () => new SequentialLR(w.Existing, [s[0], s[1], s[0]], [2, 4]); }));
        cases.Add(new(area, $"{seq}: too many milestones", "milestones", w => { var s = Parts(w); return () => new SequentialLR(w.Existing, s, [2, 4]); }));
        cases.Add(new(area, $"{seq}: too few milestones", "milestones", w => { var s = Parts(w); return () => new SequentialLR(w.Existing, s, []); }));
        cases.Add(new(area, $"{seq}: milestone 0", "milestones", w => { var s = Parts(w); return () => new SequentialLR(w.Existing, s, [0]); }));
        cases.Add(new(area, $"{seq}: milestones not increasing", "milestones",
            w => { var s = Parts(w); var third = new ExponentialLR(w.Existing, 0.5); return () => new SequentialLR(w.Existing, [s[0], s[1], third], [3, 3]); }));
        return cases;

        static LearningRateSchedule[] Parts(BadInputWorld w) => [new LinearLR(w.Existing, 0.5, 1, 3), new ExponentialLR(w.Existing, 0.9)];
    }

    private static IEnumerable<BadCase> CheckpointCases()
    {
        const string area = "Checkpoint";
        var notAnOptimizer = new ForeignOptimizer();
        return
        [
            new(area, "Save: destination null", "destination", w => () => Checkpoint.Save(null!, w.Existing)),
            new(area, "Save: destination read-only", "destination", w => { var s = new MemoryStream(new byte[16], writable: false); return () => Checkpoint.Save(s, w.Existing); }),
            new(area, "Save: nothing to save", "optimizer", w => () => Checkpoint.Save(w.Sink)),
            new(area, "Save: an IOptimizer that is neither Optimizer<double> nor ParameterGroups", "optimizer", w => () => Checkpoint.Save(w.Sink, notAnOptimizer)),
            new(area, "Save: parameters hold null", "parameters", w => () => Checkpoint.Save(w.Sink, parameters: [w.P[0], null!])),
            new(area, "Save: parameters repeated", "parameters", w => () => Checkpoint.Save(w.Sink, w.Existing, [w.P[0], w.P[0]])),
            new(area, "Save: network null", "network", w => () => Checkpoint.Save(w.Sink, (Network)null!)),
            new(area, "Load: source null", "source", w => () => Checkpoint.Load(null!, w.Existing)),
            new(area, "Load: source null (network)", "source", w => () => Checkpoint.Load(null!, w.Net)),
            new(area, "Load: source write-only", "source", w => { var s = new WriteOnlyStream(); return () => Checkpoint.Load(s, w.Existing); }),
            new(area, "Load: nothing to load", "optimizer", w => () => Checkpoint.Load(w.Stored)),
            new(area, "Load: an IOptimizer that is neither Optimizer<double> nor ParameterGroups", "optimizer", w => () => Checkpoint.Load(w.Stored, notAnOptimizer)),
            new(area, "Load: parameters empty", "parameters", w => () => Checkpoint.Load(w.Stored, w.Existing, [])),
            new(area, "Load: parameters hold null", "parameters", w => () => Checkpoint.Load(w.Stored, w.Existing, [w.P[0], null!])),
            new(area, "Load: parameters repeated", "parameters", w => () => Checkpoint.Load(w.Stored, w.Existing, [w.P[0], w.P[0]])),
            new(area, "Load: network null", "network", w => () => Checkpoint.Load(w.Stored, (Network)null!)),
            new(area, "SaveToFile: path null", "path", w => () => Checkpoint.SaveToFile(null!, w.Existing)),
            new(area, "SaveToFile: path empty", "path", w => () => Checkpoint.SaveToFile("", w.Existing)),
            new(area, "SaveToFile: network null", "network", w => () => Checkpoint.SaveToFile("unused.ckpt", (Network)null!)),
            new(area, "LoadFromFile: path null", "path", w => () => Checkpoint.LoadFromFile(null!, w.Existing)),
            new(area, "LoadFromFile: path empty", "path", w => () => Checkpoint.LoadFromFile("", w.Existing)),
            new(area, "LoadFromFile: network null", "network", w => () => Checkpoint.LoadFromFile("unused.ckpt", (Network)null!)),
        ];
    }

    private static IEnumerable<BadCase> AllCases() =>
        OptimizerCases().Concat(StateIndexCases()).Concat(ParameterCases()).Concat(ParameterGroupsCases()).Concat(NetworkCases())
                        .Concat(ClippingCases()).Concat(ScheduleCases()).Concat(CheckpointCases());

    [Fact]
    public void Every_bad_argument_throws_naming_it_and_changes_nothing()
    {
        var failures = new List<string>();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var bad in AllCases())
        {
            string name = $"{bad.Area}: {bad.Description}";
            counts[bad.Area] = counts.GetValueOrDefault(bad.Area) + 1;
            var world = new BadInputWorld();
            var act = bad.Arrange(world);
            var before = world.Snapshot();
            try
            {
                act();
                failures.Add($"{name}: no exception");
                continue;
            }
            catch (ArgumentException e) when (e.ParamName == bad.ParamName)
            {
                if (string.IsNullOrWhiteSpace(e.Message))
                {
                    failures.Add($"{name}: empty message");
                }
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name} (ParamName {(e as ArgumentException)?.ParamName ?? "-"}) instead of ArgumentException for '{bad.ParamName}': {e.Message}");
                continue;
            }

            var after = world.Snapshot();
            var changed = before.Zip(after).Where(pair => pair.First != pair.Second).Select(pair => pair.Second).FirstOrDefault();
            if (changed is not null || before.Count != after.Count)
            {
                failures.Add($"{name}: changed {changed}");
            }

            if (!world.RandomUntouched())
            {
                failures.Add($"{name}: the Random was advanced");
            }
        }

        foreach (var (area, count) in counts)
        {
            output.WriteLine($"{count,4}  {area}");
        }

        output.WriteLine($"{counts.Values.Sum(),4}  bad calls in total, {counts.Count} areas");
        failures.Should().BeEmpty();

        // docs/robustness.md quotes these counts; they must be the ones made here.
        var rows = counts.GroupBy(c => Row(c.Key)).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));
        DocumentedRows().Should().Equal(rows, "the table in docs/robustness.md counts the bad calls this test makes");
        int total = counts.Values.Sum();
        Documents.Read(Document).Should().Contain($"`BadInputTests` makes **{total} bad calls in {counts.Count} areas**")
                 .And.Contain($"All {total} pass.");
    }

    private const string Document = "docs/robustness.md";

    /// <summary>The row of the table in <see cref="Document"/> that counts an area's calls.</summary>
    private static string Row(string area) => area switch
    {
        _ when area.StartsWith("optimizers: ", StringComparison.Ordinal) => "optimizer constructors and setters, float64",
        "optimizers (float32)" => "optimizer constructors, float32: parameters over shared memory",
        "GetState, GetScalarState" => "GetState, GetScalarState, float64 and float32",
        _ when area.StartsWith("Network.", StringComparison.Ordinal) || area == "MiniBatchTraining.TrainEpoch" => "Network and TrainEpoch",
        _ when area.StartsWith("GradientClipping.", StringComparison.Ordinal) => "GradientClipping",
        _ => area,
    };

    /// <summary>The rows <c>| label | count |</c> of the table under "| area | calls |" in <see cref="Document"/>.</summary>
    private static Dictionary<string, int> DocumentedRows()
    {
        var lines = Documents.Read(Document).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int header = lines.IndexOf("| area | calls |");
        header.Should().BeGreaterThanOrEqualTo(0, $"{Document} has a table headed '| area | calls |'");
        return lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
                    .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
                    .ToDictionary(cells => cells[1], cells => int.Parse(cells[2], NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }

    /// <summary>An IOptimizer that checkpoints cannot hold.</summary>
    private sealed class ForeignOptimizer : IOptimizer
    {
        public IReadOnlyList<Parameter> Parameters { get; } = [];

        public double LearningRate { get; set; }

        public void Step()
        {
        }

        public void ZeroGrad()
        {
        }
    }

    private sealed class WriteOnlyStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
