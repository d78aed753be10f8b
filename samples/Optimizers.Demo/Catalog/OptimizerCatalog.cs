using System.Numerics;
using static Optimizers.Demo.Catalog.Hyperparameter;

namespace Optimizers.Demo.Catalog;

/// <summary>
/// Every optimizer the demo knows, in the order of its tables and legends, built over parameters of element type
/// <typeparamref name="T"/>. This is the one place to add an optimizer to the demo: one line with its demo learning
/// rate, its hyperparameter options (with the library's defaults) and its constructor call, written once for both
/// element types. The <c>train</c> command's options are made from these declarations (see <see cref="OptimizerCatalog"/>).
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public static class OptimizerCatalog<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The optimizers, in display order.</summary>
    public static IReadOnlyList<OptimizerEntry<T>> All { get; } =
    [
        new("GradientDescent", 0.3, [WeightDecay()],
            (p, lr, h) => new GradientDescent<T>(p, lr, h["weight-decay"])),
        new("Momentum", 0.1, [Number("momentum", 0.9, "μ, momentum factor"), Number("dampening", 0, "τ, dampening of the gradient added to the buffer"), Flag("nesterov", "use Nesterov momentum"), WeightDecay()],
            (p, lr, h) => new Momentum<T>(p, lr, h["momentum"], h["dampening"], h.Flag("nesterov"), h["weight-decay"])),
        new("AdaGrad", 0.1, [Number("lr-decay", 0, "learning-rate decay per step"), WeightDecay(), Number("initial-accumulator", 0, "initial value of the squared-gradient sum"), Epsilon(1e-10)],
            (p, lr, h) => new AdaGrad<T>(p, lr, lrDecay: h["lr-decay"], weightDecay: h["weight-decay"], initialAccumulatorValue: h["initial-accumulator"], epsilon: h["eps"])),
        new("RMSProp", 0.01, [Number("alpha", 0.99, "α, decay of the squared gradient's running mean"), Epsilon(1e-8), WeightDecay(), Number("momentum", 0, "μ, momentum factor"), Flag("centered", "divide by the centred variance")],
            (p, lr, h) => new RMSProp<T>(p, lr, alpha: h["alpha"], epsilon: h["eps"], weightDecay: h["weight-decay"], momentum: h["momentum"], centered: h.Flag("centered"))),
        new("AdaDelta", 1.0, [Number("rho", 0.9, "ρ, decay of the running averages"), Epsilon(1e-6), WeightDecay()],
            (p, lr, h) => new AdaDelta<T>(p, lr, rho: h["rho"], epsilon: h["eps"], weightDecay: h["weight-decay"])),
        new("Adam", 0.01, [Beta1(), Beta2(), Epsilon(1e-8), WeightDecay(), Amsgrad()],
            (p, lr, h) => new Adam<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"], h.Flag("amsgrad"))),
        new("AdamW", 0.01, [Beta1(), Beta2(), Epsilon(1e-8), WeightDecay(0.01), Amsgrad()],
            (p, lr, h) => new AdamW<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"], h.Flag("amsgrad"))),
        new("Adamax", 0.02, [Beta1(), Beta2(), Epsilon(1e-8), WeightDecay()],
            (p, lr, h) => new Adamax<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"])),
        new("NAdam", 0.01, [Beta1(), Beta2(), Epsilon(1e-8), WeightDecay(), Number("momentum-decay", 0.004, "ψ, momentum decay")],
            (p, lr, h) => new NAdam<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"], momentumDecay: h["momentum-decay"])),
        new("RAdam", 0.01, [Beta1(), Beta2(), Epsilon(1e-8), WeightDecay()],
            (p, lr, h) => new RAdam<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"])),
        new("Rprop", 0.01, [Number("eta-minus", 0.5, "η₋, step-size factor after a sign flip"), Number("eta-plus", 1.2, "η₊, step-size factor while the sign holds"), Number("min-step", 1e-6, "smallest step size"), Number("max-step", 50, "largest step size")],
            (p, lr, h) => new Rprop<T>(p, lr, h["eta-minus"], h["eta-plus"], h["min-step"], h["max-step"])),
        new("ASGD", 0.3, [Number("lambda", 1e-4, "λ, decay term of the step size"), Number("alpha", 0.75, "power of the step-size decay"), Number("t0", 1e6, "step after which averaging starts"), WeightDecay()],
            (p, lr, h) => new ASGD<T>(p, lr, h["lambda"], h["alpha"], h["t0"], h["weight-decay"])),
        new("Lion", 0.003, [Beta1(), Beta2(0.99), WeightDecay()],
            (p, lr, h) => new Lion<T>(p, lr, h["beta1"], h["beta2"], h["weight-decay"])),
        new("Lamb", 0.01, [Beta1(), Beta2(), Epsilon(1e-6), Number("eps-root", 0, "ε_root, added inside the square root"), WeightDecay()],
            (p, lr, h) => new Lamb<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["eps-root"], h["weight-decay"])),
        new("Adopt", 0.01, [Beta1(), Beta2(0.9999), Epsilon(1e-6), WeightDecay(), Flag("decoupled", "apply the weight decay decoupled (AdamW style)")],
            (p, lr, h) => new Adopt<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"], h.Flag("decoupled"))),
        new("ScheduleFreeSgd", 1.0, [Number("momentum", 0.9, "β, interpolation between z and the average x where the gradient is taken"), WeightDecay(), Number("warmup-steps", 0, "steps of linear learning-rate warmup"), Number("r", 0, "power of t in the average's weights"), Number("weight-lr-power", 2, "power of the largest learning rate in the average's weights")],
            (p, lr, h) => new ScheduleFreeSgd<T>(p, lr, h["momentum"], h["weight-decay"], (int)h["warmup-steps"], h["r"], h["weight-lr-power"])),
        new("ScheduleFreeAdamW", 0.01, [Number("beta1", 0.9, "β₁, interpolation between z and the average x where the gradient is taken"), Beta2(), Epsilon(1e-8), WeightDecay(), Number("warmup-steps", 0, "steps of linear learning-rate warmup"), Number("r", 0, "power of t in the average's weights"), Number("weight-lr-power", 2, "power of the largest learning rate in the average's weights")],
            (p, lr, h) => new ScheduleFreeAdamW<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"], (int)h["warmup-steps"], h["r"], h["weight-lr-power"])),
        new("Adafactor", 0.05, [Number("beta2-decay", -0.8, "τ, exponent of the decay rate β̂₂ₜ = 1 − t^τ"), Number("eps2", 1e-3, "ε₂, floor of RMS(θ) in the relative step"), Number("d", 1, "d, clipping threshold of the update's RMS"), WeightDecay()],
            (p, lr, h) => new Adafactor<T>(p, lr, h["beta2-decay"], epsilon2: h["eps2"], d: h["d"], weightDecay: h["weight-decay"])),
        new("Lookahead(Adam)", 0.01, [Beta1(), Beta2(), Epsilon(1e-8), WeightDecay(), Number("lookahead-k", 5, "k, fast steps between Lookahead syncs"), Number("lookahead-alpha", 0.5, "α, Lookahead's slow step size")],
            (p, lr, h) => new Lookahead<T>(new Adam<T>(p, lr, h["beta1"], h["beta2"], h["eps"], h["weight-decay"]), (int)h["lookahead-k"], h["lookahead-alpha"])),
        new("Muon+AdamW", 0.02, [Number("momentum", 0.95, "μ, momentum factor"), WeightDecay(0.1), Number("adamw-lr", 0.01, "learning rate of the AdamW group that takes the biases (Muon takes the 2-D weights)")],
            (p, lr, h) => MuonRecipe(p, lr, h)) { TakesMatrices = true },
    ];

    /// <summary>The entry named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static OptimizerEntry<T>? Find(string name)
        => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Muon's recipe: Muon for the 2-D weights, AdamW (default β, ε and λ = 0.01) for the biases, stepped together as
    /// one <see cref="ParameterGroups{T}"/>; Muon alone when every parameter is a matrix.
    /// </summary>
    private static IOptimizer MuonRecipe(IEnumerable<Parameter<T>> parameters, double learningRate, HyperparameterValues h)
    {
        var all = parameters.ToList();
        var muon = new Muon<T>(all.Where(p => p.Rank == 2), learningRate, h["weight-decay"], h["momentum"]);
        var rest = all.Where(p => p.Rank != 2).ToList();
        return rest.Count == 0 ? muon : new ParameterGroups<T>(muon, new AdamW<T>(rest, h["adamw-lr"]));
    }
}

/// <summary>
/// The optimizers of <see cref="OptimizerCatalog{T}"/> as names, demo learning rates and options, which are the same
/// for every element type (read from the double catalog): what the command line and the tables need.
/// </summary>
public static class OptimizerCatalog
{
    /// <summary>The optimizers, in display order.</summary>
    public static IReadOnlyList<OptimizerEntry> All => OptimizerCatalog<double>.All;

    /// <summary>The entry named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static OptimizerEntry? Find(string name) => OptimizerCatalog<double>.Find(name);

    /// <summary>The names of all entries, comma-separated, for messages.</summary>
    public static string Names => string.Join(", ", All.Select(e => e.Name));

    /// <summary>
    /// Every hyperparameter name declared by any entry, once, with the entries that take it; used to build the
    /// <c>train</c> command's options.
    /// </summary>
    public static IReadOnlyList<(Hyperparameter First, IReadOnlyList<OptimizerEntry> UsedBy)> AllHyperparameters()
        => All.SelectMany(e => e.Hyperparameters.Select(h => (Hyperparameter: h, Entry: e)))
              .GroupBy(x => x.Hyperparameter.Name, StringComparer.Ordinal)
              .Select(g => (g.First().Hyperparameter, (IReadOnlyList<OptimizerEntry>)g.Select(x => x.Entry).ToArray()))
              .ToArray();
}
