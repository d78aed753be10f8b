using System.Collections.ObjectModel;
using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// A multilayer perceptron: dense layers with a hidden activation and a linear output layer, either a classifier
/// (softmax cross-entropy against class labels; built by <see cref="Network.Mlp"/>) or a regressor (a
/// <see cref="Networks.RegressionLoss"/> against real-valued targets; built by <see cref="Network.Regressor"/>).
/// <see cref="Backward(Matrix{T}, IReadOnlyList{int})"/> fills every parameter's gradient by backpropagation.
/// </summary>
/// <remarks>
/// <para>Rows of an input matrix are samples, columns are features. For layers l = 1 … L:</para>
/// <code>
/// A⁰ = X ;  Zˡ = Aˡ⁻¹·Wˡᵀ + 1·bˡᵀ ;  Aˡ = f(Zˡ) for l &lt; L ;  Ŷ = Zᴸ (the linear outputs)
/// classifier:  P = softmax(Ŷ) ;  J = −(1/n) Σᵢ log Pᵢ,yᵢ ;  ∂J/∂Ŷ = (P − Y)/n        (Y one-hot)
/// regressor:   J = (1/(n·k)) Σᵢⱼ (Ŷᵢⱼ − Yᵢⱼ)² ;  ∂J/∂Ŷ = 2(Ŷ − Y)/(n·k)           (mean squared error; Huber: see RegressionLoss)
/// ∂J/∂Wˡ = (∂J/∂Zˡ)ᵀ·Aˡ⁻¹ ;  ∂J/∂bˡ = Σᵢ (∂J/∂Zˡ)ᵢ ;  ∂J/∂Aˡ⁻¹ = (∂J/∂Zˡ)·Wˡ ;  ∂J/∂Zˡ = f′(Zˡ) ⊙ ∂J/∂Aˡ
/// </code>
/// <para>
/// A classifier takes class labels (<c>IReadOnlyList&lt;int&gt;</c>, one per row) and a regressor takes targets as a
/// matrix (<c>Matrix&lt;T&gt;</c>, one row per sample, one column per output); calling the overload of the other kind,
/// or <see cref="Classify"/>/<see cref="Accuracy"/> on a regressor, throws <see cref="InvalidOperationException"/>.
/// A NaN anywhere in the inputs shows as NaN in the outputs and the loss (as in PyTorch); <see cref="Classify"/> and
/// <see cref="Accuracy"/> reject non-finite inputs instead of returning a class for them.
/// </para>
/// <para>
/// Thread safety: <see cref="Predict"/>, <see cref="Classify"/>, <see cref="Accuracy"/> and the <c>Loss</c> methods only
/// read the weights; the <c>Backward</c> methods write the gradients. Do not call <c>Backward</c> concurrently, nor
/// while an optimizer steps.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type of weights, inputs, targets and gradients: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Network<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseLayer<T>[] _layers;

    internal Network(DenseLayer<T>[] layers, RegressionLoss? regressionLoss)
    {
        _layers = layers;
        RegressionLoss = regressionLoss;
        Layers = new ReadOnlyCollection<DenseLayer<T>>(layers);
        Parameters = new ReadOnlyCollection<Parameter<T>>(layers.SelectMany(l => new[] { l.Weights, l.Bias }).ToArray());
    }

    /// <summary>The layers, input side first.</summary>
    public IReadOnlyList<DenseLayer<T>> Layers { get; }

    /// <summary>The weights and biases of every layer: layer 1's weight, layer 1's bias, layer 2's weight, ….</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The number of input features.</summary>
    public int InputSize => _layers[0].InputSize;

    /// <summary>The number of outputs: the class count of a classifier, the target width of a regressor.</summary>
    public int OutputSize => _layers[^1].OutputSize;

    /// <summary>The loss of a regressor, or null for a classifier (softmax cross-entropy against class labels).</summary>
    public RegressionLoss? RegressionLoss { get; }

    /// <summary>The number of classes of a classifier.</summary>
    /// <exception cref="InvalidOperationException">The network is a regressor (see <see cref="OutputSize"/>).</exception>
    public int ClassCount => RegressionLoss is null
        ? OutputSize
        : throw new InvalidOperationException($"This network is a regressor and has no classes; it has {OutputSize} real-valued outputs (OutputSize).");

    /// <summary>
    /// For each row of <paramref name="inputs"/>: a classifier's class probabilities (each row sums to 1), or a
    /// regressor's linear outputs.
    /// </summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <returns>A new matrix with one row per sample and <see cref="OutputSize"/> columns.</returns>
    /// <exception cref="ArgumentException">The column count is not <see cref="InputSize"/>.</exception>
    public Matrix<T> Predict(Matrix<T> inputs)
    {
        CheckInputs(inputs);
        var outputs = Outputs(inputs);
        return RegressionLoss is null ? SoftmaxCrossEntropy.Softmax(outputs) : outputs;
    }

    /// <summary>The most probable class of each row of <paramref name="inputs"/> (a classifier only).</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns, every value finite.</param>
    /// <exception cref="InvalidOperationException">
    /// The network is a regressor; or an output is NaN for finite inputs (the weights are not finite, or so large that
    /// the outputs overflow), which names no class.
    /// </exception>
    /// <exception cref="ArgumentException">The column count is not <see cref="InputSize"/>, or an input is NaN or infinite.</exception>
    public int[] Classify(Matrix<T> inputs)
    {
        RequireClassifier(nameof(Classify));
        CheckInputs(inputs);
        CheckFinite(inputs);
        var logits = Outputs(inputs);
        var classes = new int[logits.RowCount];
        for (int r = 0; r < classes.Length; r++)
        {
            for (int c = 0; c < logits.ColumnCount; c++)
            {
                if (T.IsNaN(logits.At(r, c)))
                {
                    throw new InvalidOperationException(
                        $"The network's output {c} for row {r} is NaN although the inputs are finite: its weights are not finite or overflow.");
                }
            }

            classes[r] = logits.Row(r).MaximumIndex();
        }

        return classes;
    }

    /// <summary>The fraction of rows whose most probable class equals the label (a classifier only).</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns, every value finite.</param>
    /// <param name="labels">One class index per row.</param>
    /// <exception cref="InvalidOperationException">As for <see cref="Classify"/>.</exception>
    /// <exception cref="ArgumentException">Shapes disagree, the batch is empty, or an input is NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range.</exception>
    public double Accuracy(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
        RequireClassifier(nameof(Accuracy));
        CheckBatch(inputs, labels);
        var predicted = Classify(inputs);
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (predicted[i] == labels[i])
            {
                correct++;
            }
        }

        return (double)correct / predicted.Length;
    }

    /// <summary>The mean softmax cross-entropy of a classifier on a batch.</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <param name="labels">One class index per row, each in [0, <see cref="ClassCount"/>).</param>
    /// <returns>The loss; NaN if an input or weight is NaN.</returns>
    /// <exception cref="InvalidOperationException">The network is a regressor: it takes a matrix of targets.</exception>
    /// <exception cref="ArgumentException">Shapes disagree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range.</exception>
    public double Loss(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
        RequireClassifier("Loss with class labels");
        CheckBatch(inputs, labels);
        return SoftmaxCrossEntropy.Loss(Outputs(inputs), labels);
    }

    /// <summary>The mean <see cref="RegressionLoss"/> of a regressor on a batch.</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <param name="targets">One row per sample, <see cref="OutputSize"/> columns of real values.</param>
    /// <returns>The loss; NaN if an input, target or weight is NaN.</returns>
    /// <exception cref="InvalidOperationException">The network is a classifier: it takes class labels.</exception>
    /// <exception cref="ArgumentException">Shapes disagree or the batch is empty.</exception>
    public double Loss(Matrix<T> inputs, Matrix<T> targets)
    {
        var loss = RequireRegressor("Loss with a matrix of targets");
        CheckBatch(inputs, targets);
        return RegressionLosses.Loss(loss, Outputs(inputs), targets);
    }

    /// <summary>
    /// Sets every parameter's <see cref="Parameter{T}.Gradient"/> to ∇<see cref="Loss(Matrix{T}, IReadOnlyList{int})"/>
    /// of a classifier on this batch (overwriting, not accumulating) and returns the loss.
    /// </summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <param name="labels">One class index per row, each in [0, <see cref="ClassCount"/>).</param>
    /// <returns>The mean softmax cross-entropy before the update.</returns>
    /// <exception cref="InvalidOperationException">The network is a regressor; no gradient is changed.</exception>
    /// <exception cref="ArgumentException">Shapes disagree or the batch is empty; no gradient is changed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range; no gradient is changed.</exception>
    public double Backward(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
        RequireClassifier("Backward with class labels");
        CheckBatch(inputs, labels);
        var pass = new Pass(_layers.Length);
        var outputs = Forward(inputs, pass);
        double loss = SoftmaxCrossEntropy.Loss(outputs, labels);
        Propagate(pass, SoftmaxCrossEntropy.Gradient(SoftmaxCrossEntropy.Softmax(outputs), labels));
        return loss;
    }

    /// <summary>
    /// Sets every parameter's <see cref="Parameter{T}.Gradient"/> to ∇<see cref="Loss(Matrix{T}, Matrix{T})"/> of a
    /// regressor on this batch (overwriting, not accumulating) and returns the loss.
    /// </summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <param name="targets">One row per sample, <see cref="OutputSize"/> columns of real values.</param>
    /// <returns>The mean <see cref="RegressionLoss"/> before the update.</returns>
    /// <exception cref="InvalidOperationException">The network is a classifier; no gradient is changed.</exception>
    /// <exception cref="ArgumentException">Shapes disagree or the batch is empty; no gradient is changed.</exception>
    public double Backward(Matrix<T> inputs, Matrix<T> targets)
    {
        var kind = RequireRegressor("Backward with a matrix of targets");
        CheckBatch(inputs, targets);
        var pass = new Pass(_layers.Length);
        var outputs = Forward(inputs, pass);
        double loss = RegressionLosses.Loss(kind, outputs, targets);
        Propagate(pass, RegressionLosses.Gradient(kind, outputs, targets));
        return loss;
    }

    /// <summary>Throws unless this network is a classifier; <paramref name="call"/> says what was called ("Classify", "Loss with class labels").</summary>
    internal void RequireClassifier(string call)
    {
        if (RegressionLoss is { } loss)
        {
            throw new InvalidOperationException(
                $"{call} does not apply: this network is a regressor ({Describe(loss)}); its outputs are real values, not class scores. "
                + "Give Loss, Backward and TrainEpoch the targets as a matrix with one row per sample; Predict returns the outputs.");
        }
    }

    /// <summary>Throws unless this network is a regressor, and returns its loss; <paramref name="call"/> says what was called.</summary>
    internal RegressionLoss RequireRegressor(string call)
        => RegressionLoss ?? throw new InvalidOperationException(
            $"{call} does not apply: this network is a classifier (softmax cross-entropy). "
            + "Give it one class label per sample, or build a regressor with Network.Regressor for real-valued targets.");

    private static string Describe(RegressionLoss loss) => loss switch
    {
        Networks.RegressionLoss.MeanSquaredError => "mean squared error",
        Networks.RegressionLoss.Huber => "Huber loss",
        _ => loss.ToString(),
    };

    /// <summary>The output layer's linear values (before any softmax) for each row.</summary>
    private Matrix<T> Outputs(Matrix<T> inputs)
    {
        var a = inputs;
        foreach (var layer in _layers)
        {
            var z = layer.Linear(a);
            a = layer.Activation is { } f ? ActivationFunctions.Apply(f, z) : z;
        }

        return a;
    }

    /// <summary>The forward pass, keeping each layer's input and pre-activation in <paramref name="pass"/>; returns the outputs.</summary>
    private Matrix<T> Forward(Matrix<T> inputs, Pass pass)
    {
        var a = inputs;
        for (int l = 0; l < _layers.Length; l++)
        {
            pass.LayerInputs[l] = a;
            pass.Linear[l] = _layers[l].Linear(a);
            a = _layers[l].Activation is { } f ? ActivationFunctions.Apply(f, pass.Linear[l]) : pass.Linear[l];
        }

        return a;
    }

    /// <summary>Backpropagates ∂J/∂Ŷ through the layers, output layer first, writing every gradient.</summary>
    private void Propagate(Pass pass, Matrix<T> outputGradient)
    {
        var gradient = outputGradient;
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            if (_layers[l].Activation is { } f)
            {
                gradient = ActivationFunctions.Backward(f, pass.Linear[l], pass.LayerInputs[l + 1], gradient);
            }

            gradient = _layers[l].Backward(pass.LayerInputs[l], gradient, needInputGradient: l > 0);
        }
    }

    private void CheckInputs(Matrix<T> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.ColumnCount != InputSize)
        {
            throw new ArgumentException($"inputs has {inputs.ColumnCount} columns; this network takes {InputSize} features.", nameof(inputs));
        }
    }

    private static void CheckFinite(Matrix<T> inputs)
    {
        for (int c = 0; c < inputs.ColumnCount; c++)
        {
            for (int r = 0; r < inputs.RowCount; r++)
            {
                T x = inputs.At(r, c);
                if (!T.IsFinite(x))
                {
                    throw new ArgumentException(
                        $"inputs[{r}, {c}] is {(T.IsNaN(x) ? "NaN" : "infinite")}; a class can only be given for rows of finite values.", nameof(inputs));
                }
            }
        }
    }

    private void CheckBatch(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
        CheckInputs(inputs);
        SoftmaxCrossEntropy.CheckLabels(labels, inputs.RowCount, OutputSize);
    }

    private void CheckBatch(Matrix<T> inputs, Matrix<T> targets)
    {
        CheckInputs(inputs);
        RegressionLosses.CheckTargets(targets, inputs.RowCount, OutputSize);
    }

    /// <summary>What the forward pass keeps for the backward pass: each layer's input Aˡ⁻¹ and its Zˡ.</summary>
    private sealed class Pass(int layers)
    {
        public Matrix<T>[] LayerInputs { get; } = new Matrix<T>[layers];

        public Matrix<T>[] Linear { get; } = new Matrix<T>[layers];
    }
}

/// <summary>
/// A double-precision <see cref="Network{T}"/> under its short name, and where networks are built: classifiers with
/// <see cref="Mlp"/> (double) and <see cref="Mlp{T}"/> (any element type, for example <c>Network.Mlp&lt;float&gt;(…)</c>),
/// regressors with <see cref="Regressor"/> and <see cref="Regressor{T}"/>.
/// </summary>
public sealed class Network : Network<double>
{
    private Network(DenseLayer<double>[] layers, Networks.RegressionLoss? regressionLoss)
        : base(layers, regressionLoss)
    {
        // Build makes every double parameter a Parameter, so the list can be given under the short name too.
        Parameters = new ReadOnlyCollection<Parameter>(base.Parameters.Cast<Parameter>().ToArray());
    }

    /// <summary>The weights and biases of every layer (layer 1's weight, layer 1's bias, layer 2's weight, …), as
    /// <see cref="Parameter"/>s: the same objects as <see cref="Network{T}.Parameters"/>.</summary>
    public new IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Builds a multilayer perceptron classifier (softmax cross-entropy against class labels).</summary>
    /// <param name="layerSizes">
    /// The input width, then each hidden layer's width, then the number of classes; at least two entries,
    /// each ≥ 1, at least two classes, and each layer's weight count (width × next width) at most
    /// <see cref="Array.MaxLength"/>.
    /// </param>
    /// <param name="hidden">The activation of every hidden layer (default <see cref="Activation.Sigmoid"/>).</param>
    /// <param name="seed">Seeds the weight initialisation (Xavier-uniform, He-uniform for ReLU; biases zero).</param>
    /// <returns>A network whose parameters are named <c>layer1.weight</c>, <c>layer1.bias</c>, ….</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layerSizes"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, fewer than two classes, or a layer too large for one array.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hidden"/> is not a defined activation.</exception>
    public static Network Mlp(IReadOnlyList<int> layerSizes, Activation hidden = Activation.Sigmoid, int seed = 0)
        => (Network)Mlp<double>(layerSizes, hidden, seed);   // Mlp<double> builds a Network

    /// <summary>Builds a multilayer perceptron classifier whose weights, inputs and gradients are of element type
    /// <typeparamref name="T"/> (the weights are drawn in double from the seeded generator, then rounded to
    /// <typeparamref name="T"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="layerSizes">
    /// The input width, then each hidden layer's width, then the number of classes; at least two entries,
    /// each ≥ 1, at least two classes, and each layer's weight count (width × next width) at most
    /// <see cref="Array.MaxLength"/>.
    /// </param>
    /// <param name="hidden">The activation of every hidden layer (default <see cref="Activation.Sigmoid"/>).</param>
    /// <param name="seed">Seeds the weight initialisation (Xavier-uniform, He-uniform for ReLU; biases zero).</param>
    /// <returns>A network whose parameters are named <c>layer1.weight</c>, <c>layer1.bias</c>, ….</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layerSizes"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, fewer than two classes, or a layer too large for one array.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hidden"/> is not a defined activation.</exception>
    public static Network<T> Mlp<T>(IReadOnlyList<int> layerSizes, Activation hidden = Activation.Sigmoid, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckSizes(layerSizes, "the class count");
        if (layerSizes[^1] < 2)
        {
            throw new ArgumentException("The last entry of layerSizes is the class count and must be at least 2.", nameof(layerSizes));
        }

        return Build<T>(layerSizes, hidden, regressionLoss: null, seed);
    }

    /// <summary>
    /// Builds a multilayer perceptron regressor: linear outputs trained against real-valued targets with
    /// <paramref name="loss"/> (Keras' <c>loss="mse"</c>, torch's <c>MSELoss</c> or <c>HuberLoss</c>).
    /// </summary>
    /// <remarks>
    /// Its <c>Loss</c>, <c>Backward</c> and <see cref="MiniBatchTraining"/>'s <c>TrainEpoch</c> take the targets as a
    /// matrix with one row per sample and one column per output; <see cref="Network{T}.Predict"/> returns the linear
    /// outputs. <see cref="Network{T}.Classify"/>, <see cref="Network{T}.Accuracy"/> and the overloads with class labels
    /// throw <see cref="InvalidOperationException"/>.
    /// </remarks>
    /// <param name="layerSizes">
    /// The input width, then each hidden layer's width, then the number of outputs; at least two entries, each ≥ 1,
    /// and each layer's weight count (width × next width) at most <see cref="Array.MaxLength"/>.
    /// </param>
    /// <param name="hidden">The activation of every hidden layer (default <see cref="Activation.Sigmoid"/>).</param>
    /// <param name="loss">The loss (default <see cref="RegressionLoss.MeanSquaredError"/>).</param>
    /// <param name="seed">Seeds the weight initialisation (Xavier-uniform, He-uniform for ReLU; biases zero).</param>
    /// <returns>A network whose parameters are named <c>layer1.weight</c>, <c>layer1.bias</c>, ….</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layerSizes"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, or a layer too large for one array.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hidden"/> or <paramref name="loss"/> is not defined.</exception>
    public static Network Regressor(IReadOnlyList<int> layerSizes, Activation hidden = Activation.Sigmoid,
                                    Networks.RegressionLoss loss = Networks.RegressionLoss.MeanSquaredError, int seed = 0)
        => (Network)Regressor<double>(layerSizes, hidden, loss, seed);   // Regressor<double> builds a Network

    /// <summary>
    /// Builds a multilayer perceptron regressor whose weights, inputs, targets and gradients are of element type
    /// <typeparamref name="T"/> (the weights are drawn in double from the seeded generator, then rounded to
    /// <typeparamref name="T"/>). See <see cref="Regressor"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="layerSizes">
    /// The input width, then each hidden layer's width, then the number of outputs; at least two entries, each ≥ 1,
    /// and each layer's weight count (width × next width) at most <see cref="Array.MaxLength"/>.
    /// </param>
    /// <param name="hidden">The activation of every hidden layer (default <see cref="Activation.Sigmoid"/>).</param>
    /// <param name="loss">The loss (default <see cref="RegressionLoss.MeanSquaredError"/>).</param>
    /// <param name="seed">Seeds the weight initialisation (Xavier-uniform, He-uniform for ReLU; biases zero).</param>
    /// <returns>A network whose parameters are named <c>layer1.weight</c>, <c>layer1.bias</c>, ….</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layerSizes"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, or a layer too large for one array.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hidden"/> or <paramref name="loss"/> is not defined.</exception>
    public static Network<T> Regressor<T>(IReadOnlyList<int> layerSizes, Activation hidden = Activation.Sigmoid,
                                          Networks.RegressionLoss loss = Networks.RegressionLoss.MeanSquaredError, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckSizes(layerSizes, "the output count");
        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown regression loss.");
        }

        return Build<T>(layerSizes, hidden, loss, seed);
    }

    /// <summary>Checks the entries of <paramref name="layerSizes"/> and that every layer's weights fit in one array.</summary>
    private static void CheckSizes(IReadOnlyList<int>? layerSizes, string last)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        if (layerSizes.Count < 2)
        {
            throw new ArgumentException($"layerSizes needs at least an input width and {last}.", nameof(layerSizes));
        }

        for (int i = 0; i < layerSizes.Count; i++)
        {
            if (layerSizes[i] < 1)
            {
                throw new ArgumentException($"layerSizes[{i}] is {layerSizes[i]}; every layer needs at least one unit.", nameof(layerSizes));
            }
        }

        // Before anything is allocated: W of layer l holds layerSizes[l−1] × layerSizes[l] elements in one array.
        for (int i = 0; i + 1 < layerSizes.Count; i++)
        {
            long weights = (long)layerSizes[i] * layerSizes[i + 1];
            if (weights > Array.MaxLength)
            {
                throw new ArgumentException(
                    $"layerSizes[{i}] × layerSizes[{i + 1}] = {layerSizes[i]} × {layerSizes[i + 1]} = {weights} weights in layer {i + 1}, "
                    + $"more than one array can hold ({Array.MaxLength}).", nameof(layerSizes));
            }
        }
    }

    private static Network<T> Build<T>(IReadOnlyList<int> layerSizes, Activation hidden, Networks.RegressionLoss? regressionLoss, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Enum.IsDefined(hidden))
        {
            throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "Unknown activation.");
        }

        var random = new Random(seed);
        var layers = new DenseLayer<T>[layerSizes.Count - 1];
        for (int l = 0; l < layers.Length; l++)
        {
            bool isOutput = l == layers.Length - 1;
            layers[l] = new DenseLayer<T>($"layer{l + 1}", layerSizes[l], layerSizes[l + 1], isOutput ? null : hidden, random);
        }

        return typeof(T) == typeof(double)
            ? (Network<T>)(object)new Network((DenseLayer<double>[])(object)layers, regressionLoss)
            : new Network<T>(layers, regressionLoss);
    }
}
