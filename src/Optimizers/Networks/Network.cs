using System.Collections.ObjectModel;
using System.Numerics;

namespace Optimizers.Networks;

// Inside the namespace, so that MathNet's types are found before System.Numerics' (Vector<T>).
using MathNet.Numerics.LinearAlgebra;

/// <summary>
/// A multilayer perceptron classifier: dense layers with a hidden activation, a linear output layer, and
/// softmax cross-entropy. <see cref="Backward"/> fills every parameter's gradient by backpropagation.
/// </summary>
/// <remarks>
/// <para>Rows of an input matrix are samples, columns are features. For layers l = 1 … L:</para>
/// <code>
/// A⁰ = X ;  Zˡ = Aˡ⁻¹·Wˡᵀ + 1·bˡᵀ ;  Aˡ = f(Zˡ) for l &lt; L ;  P = softmax(Zᴸ)
/// J = −(1/n) Σᵢ log Pᵢ,yᵢ
/// ∂J/∂Zᴸ = (P − Y)/n ;  ∂J/∂Wˡ = (∂J/∂Zˡ)ᵀ·Aˡ⁻¹ ;  ∂J/∂bˡ = Σᵢ (∂J/∂Zˡ)ᵢ ;  ∂J/∂Aˡ⁻¹ = (∂J/∂Zˡ)·Wˡ
/// ∂J/∂Zˡ = f′(Zˡ) ⊙ ∂J/∂Aˡ
/// </code>
/// <para>
/// Thread safety: <see cref="Predict"/> and <see cref="Loss"/> only read the weights; <see cref="Backward"/>
/// writes the gradients. Do not call <see cref="Backward"/> concurrently, nor while an optimizer steps.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type of weights, inputs and gradients: <see cref="float"/> or <see cref="double"/>.</typeparam>
public class Network<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseLayer<T>[] _layers;

    internal Network(DenseLayer<T>[] layers)
    {
        _layers = layers;
        Layers = new ReadOnlyCollection<DenseLayer<T>>(layers);
        Parameters = new ReadOnlyCollection<Parameter<T>>(layers.SelectMany(l => new[] { l.Weights, l.Bias }).ToArray());
    }

    /// <summary>The layers, input side first.</summary>
    public IReadOnlyList<DenseLayer<T>> Layers { get; }

    /// <summary>The weights and biases of every layer: layer 1's weight, layer 1's bias, layer 2's weight, ….</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The number of input features.</summary>
    public int InputSize => _layers[0].InputSize;

    /// <summary>The number of classes.</summary>
    public int ClassCount => _layers[^1].OutputSize;

    /// <summary>Class probabilities for each row of <paramref name="inputs"/>; each row sums to 1.</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <exception cref="ArgumentException">The column count is not <see cref="InputSize"/>.</exception>
    public Matrix<T> Predict(Matrix<T> inputs)
    {
        CheckInputs(inputs);
        return SoftmaxCrossEntropy.Softmax(Logits(inputs));
    }

    /// <summary>The most probable class of each row of <paramref name="inputs"/>.</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    public int[] Classify(Matrix<T> inputs)
    {
        CheckInputs(inputs);
        var logits = Logits(inputs);
        var classes = new int[logits.RowCount];
        for (int r = 0; r < classes.Length; r++)
        {
            classes[r] = logits.Row(r).MaximumIndex();
        }

        return classes;
    }

    /// <summary>The fraction of rows whose most probable class equals the label.</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <param name="labels">One class index per row.</param>
    public double Accuracy(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
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

    /// <summary>The mean softmax cross-entropy of the network on a batch.</summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <param name="labels">One class index per row, each in [0, <see cref="ClassCount"/>).</param>
    /// <exception cref="ArgumentException">Shapes disagree or the batch is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range.</exception>
    public double Loss(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
        CheckBatch(inputs, labels);
        return SoftmaxCrossEntropy.Loss(Logits(inputs), labels);
    }

    /// <summary>
    /// Sets every parameter's <see cref="Parameter{T}.Gradient"/> to ∇<see cref="Loss"/> on this batch (overwriting,
    /// not accumulating) and returns the loss.
    /// </summary>
    /// <param name="inputs">One row per sample, <see cref="InputSize"/> columns.</param>
    /// <param name="labels">One class index per row, each in [0, <see cref="ClassCount"/>).</param>
    /// <returns>The mean softmax cross-entropy before the update.</returns>
    /// <exception cref="ArgumentException">Shapes disagree or the batch is empty; no gradient is changed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range; no gradient is changed.</exception>
    public double Backward(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
        CheckBatch(inputs, labels);

        // Forward, keeping each layer's input and pre-activation.
        var layerInputs = new Matrix<T>[_layers.Length];
        var linear = new Matrix<T>[_layers.Length];
        var a = inputs;
        for (int l = 0; l < _layers.Length; l++)
        {
            layerInputs[l] = a;
            linear[l] = _layers[l].Linear(a);
            a = _layers[l].Activation is { } f ? ActivationFunctions.Apply(f, linear[l]) : linear[l];
        }

        double loss = SoftmaxCrossEntropy.Loss(a, labels);
        var gradient = SoftmaxCrossEntropy.Gradient(SoftmaxCrossEntropy.Softmax(a), labels);

        // Backward, output layer first.
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            if (_layers[l].Activation is { } f)
            {
                gradient = ActivationFunctions.Backward(f, linear[l], layerInputs[l + 1], gradient);
            }

            gradient = _layers[l].Backward(layerInputs[l], gradient, needInputGradient: l > 0);
        }

        return loss;
    }

    /// <summary>The output layer's pre-softmax values for each row.</summary>
    private Matrix<T> Logits(Matrix<T> inputs)
    {
        var a = inputs;
        foreach (var layer in _layers)
        {
            var z = layer.Linear(a);
            a = layer.Activation is { } f ? ActivationFunctions.Apply(f, z) : z;
        }

        return a;
    }

    private void CheckInputs(Matrix<T> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.ColumnCount != InputSize)
        {
            throw new ArgumentException($"inputs has {inputs.ColumnCount} columns; this network takes {InputSize} features.", nameof(inputs));
        }
    }

    private void CheckBatch(Matrix<T> inputs, IReadOnlyList<int> labels)
    {
        CheckInputs(inputs);
        SoftmaxCrossEntropy.CheckLabels(labels, inputs.RowCount, ClassCount);
    }
}

/// <summary>
/// A double-precision <see cref="Network{T}"/> under its short name, and where networks are built: <see cref="Mlp"/>
/// (double) and <see cref="Mlp{T}"/> (any element type, for example <c>Network.Mlp&lt;float&gt;(…)</c>).
/// </summary>
public sealed class Network : Network<double>
{
    private Network(DenseLayer<double>[] layers)
        : base(layers)
    {
        // Mlp builds every double parameter as a Parameter, so the list can be given under the short name too.
        Parameters = new ReadOnlyCollection<Parameter>(base.Parameters.Cast<Parameter>().ToArray());
    }

    /// <summary>The weights and biases of every layer (layer 1's weight, layer 1's bias, layer 2's weight, …), as
    /// <see cref="Parameter"/>s: the same objects as <see cref="Network{T}.Parameters"/>.</summary>
    public new IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Builds a multilayer perceptron.</summary>
    /// <param name="layerSizes">
    /// The input width, then each hidden layer's width, then the number of classes; at least two entries,
    /// each ≥ 1, and at least two classes.
    /// </param>
    /// <param name="hidden">The activation of every hidden layer (default <see cref="Activation.Sigmoid"/>).</param>
    /// <param name="seed">Seeds the weight initialisation (Xavier-uniform, He-uniform for ReLU; biases zero).</param>
    /// <returns>A network whose parameters are named <c>layer1.weight</c>, <c>layer1.bias</c>, ….</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layerSizes"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, or fewer than two classes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hidden"/> is not a defined activation.</exception>
    public static Network Mlp(IReadOnlyList<int> layerSizes, Activation hidden = Activation.Sigmoid, int seed = 0)
        => (Network)Mlp<double>(layerSizes, hidden, seed);   // Mlp<double> builds a Network

    /// <summary>Builds a multilayer perceptron whose weights, inputs and gradients are of element type <typeparamref name="T"/>
    /// (the weights are drawn in double from the seeded generator, then rounded to <typeparamref name="T"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="layerSizes">
    /// The input width, then each hidden layer's width, then the number of classes; at least two entries,
    /// each ≥ 1, and at least two classes.
    /// </param>
    /// <param name="hidden">The activation of every hidden layer (default <see cref="Activation.Sigmoid"/>).</param>
    /// <param name="seed">Seeds the weight initialisation (Xavier-uniform, He-uniform for ReLU; biases zero).</param>
    /// <returns>A network whose parameters are named <c>layer1.weight</c>, <c>layer1.bias</c>, ….</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layerSizes"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, or fewer than two classes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hidden"/> is not a defined activation.</exception>
    public static Network<T> Mlp<T>(IReadOnlyList<int> layerSizes, Activation hidden = Activation.Sigmoid, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        if (layerSizes.Count < 2)
        {
            throw new ArgumentException("layerSizes needs at least an input width and a class count.", nameof(layerSizes));
        }

        for (int i = 0; i < layerSizes.Count; i++)
        {
            if (layerSizes[i] < 1)
            {
                throw new ArgumentException($"layerSizes[{i}] is {layerSizes[i]}; every layer needs at least one unit.", nameof(layerSizes));
            }
        }

        if (layerSizes[^1] < 2)
        {
            throw new ArgumentException("The last entry of layerSizes is the class count and must be at least 2.", nameof(layerSizes));
        }

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
            ? (Network<T>)(object)new Network((DenseLayer<double>[])(object)layers)
            : new Network<T>(layers);
    }
}
