using System.Globalization;

namespace Optimizers.Demo.Catalog;

/// <summary>
/// One hyperparameter an optimizer takes besides the learning rate, as it appears on the command line
/// (<c>--name value</c>, or <c>--name</c> alone for a flag).
/// </summary>
/// <param name="Name">The option name without dashes, for example <c>momentum</c> or <c>beta1</c>.</param>
/// <param name="Description">What it is, with its symbol, for <c>--help</c>.</param>
/// <param name="Default">The value used when the option is not given (0 or 1 for a flag).</param>
/// <param name="IsFlag">True for an on/off switch such as <c>--nesterov</c>.</param>
public sealed record Hyperparameter(string Name, string Description, double Default, bool IsFlag)
{
    /// <summary>A numeric hyperparameter.</summary>
    public static Hyperparameter Number(string name, double defaultValue, string description) => new(name, description, defaultValue, false);

    /// <summary>An on/off switch, off unless given.</summary>
    public static Hyperparameter Flag(string name, string description) => new(name, description, 0, true);

    /// <summary>λ, an L2 penalty added to the gradient (or decoupled, where the optimizer says so).</summary>
    public static Hyperparameter WeightDecay(double defaultValue = 0) => Number("weight-decay", defaultValue, "λ, weight decay");

    /// <summary>β₁, the decay rate of the first-moment (mean) estimate.</summary>
    public static Hyperparameter Beta1(double defaultValue = 0.9) => Number("beta1", defaultValue, "β₁, decay of the gradient's running mean");

    /// <summary>β₂, the decay rate of the second-moment (uncentred variance) estimate.</summary>
    public static Hyperparameter Beta2(double defaultValue = 0.999) => Number("beta2", defaultValue, "β₂, decay of the squared gradient's running mean");

    /// <summary>ε, the term added to a denominator for numerical stability.</summary>
    public static Hyperparameter Epsilon(double defaultValue) => Number("eps", defaultValue, "ε, added to the denominator for stability");

    /// <summary>AMSGrad: divide by the running maximum of the second moment.</summary>
    public static Hyperparameter Amsgrad() => Flag("amsgrad", "use the AMSGrad variant (running maximum of the second moment)");

    /// <summary>The option as it is typed, for messages: <c>--momentum</c>.</summary>
    public string OptionName => "--" + Name;

    /// <inheritdoc />
    public override string ToString() => IsFlag ? OptionName : $"{OptionName} {Default.ToString(CultureInfo.InvariantCulture)}";
}
