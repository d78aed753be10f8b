using System.Numerics;
using Optimizers.Schedules;

namespace Optimizers;

/// <summary>
/// L-BFGS: a quasi-Newton method that builds its direction from the last m pairs of parameter and gradient changes,
/// re-evaluating the loss through a closure as often as it needs within one step. Exactly <c>torch.optim.LBFGS</c>.
/// </summary>
/// <remarks>
/// <para>
/// One <see cref="Step"/> runs up to k_max iterations (g = ∇J(θ) from the closure, the parameters taken as one
/// vector in the order given):
/// </para>
/// <code>
/// f, g ← closure();  if ‖g‖∞ ≤ ε_g: return f
/// repeat (n = 1, 2, …, k_max):
///   if this is the very first iteration:  d = −g;  history empty;  γ = 1
///   else:
///     y = g − g_prev;  s = t·d;  ys = yᵀs
///     if ys &gt; 1e-10:  push (y, s, ρ = 1/ys), dropping the oldest when m pairs are held;  γ = ys / yᵀy
///     q = −g;  for i = newest…oldest:  aᵢ = ρᵢ·sᵢᵀq;  q = q − aᵢ·yᵢ          (two-loop recursion)
///     d = γ·q;  for i = oldest…newest:  bᵢ = ρᵢ·yᵢᵀd;  d = d + (aᵢ − bᵢ)·sᵢ
///   g_prev = g;  f_prev = f
///   t = min(1, 1/‖g‖₁)·α at the very first iteration, else t = α
///   if gᵀd &gt; −ε_c: stop
///   no line search:  θ = θ + t·d;  unless n = k_max:  f, g ← closure()
///   strong Wolfe:     t, f, g ← line search along d from t (c₁ = 1e-4, c₂ = 0.9, ≤ 25 evaluations);  θ = θ + t·d
///   stop if n = k_max, or evaluations in this step ≥ e_max, or ‖g‖∞ ≤ ε_g, or ‖t·d‖∞ ≤ ε_c, or |f − f_prev| &lt; ε_c
/// return the first f
/// </code>
/// <para>
/// Symbols: α = <see cref="LearningRate"/> (default 1), k_max = <see cref="MaxIterations"/> (default 20), e_max =
/// <see cref="MaxEvaluations"/> (default ⌊k_max·5/4⌋), ε_g = <see cref="ToleranceGrad"/> (default 1e-7), ε_c =
/// <see cref="ToleranceChange"/> (default 1e-9), m = <see cref="HistorySize"/> (default 100), the line search =
/// <see cref="LineSearch"/> (default <see cref="Optimizers.LineSearch.None"/>). The state (d, t, the pairs, ρ, γ,
/// g_prev, f_prev and the counters <see cref="FunctionEvaluations"/> and <see cref="Iterations"/>) carries over from
/// one <see cref="Step"/> to the next, as torch's does: "the very first iteration" is the first of the optimizer's
/// life, and a later step goes on building the same history.
/// </para>
/// <para>
/// The closure zeroes the gradients, computes the loss at the parameters' current values, fills the gradients and
/// returns the loss; <see cref="Step"/> returns the loss of its first call:
/// </para>
/// <code>
/// var lbfgs = new LBFGS(parameters, lineSearch: LineSearch.StrongWolfe);
/// Func&lt;double&gt; closure = () =&gt; { lbfgs.ZeroGrad(); return LossAndGradients(); };
/// for (int epoch = 0; epoch &lt; 10; epoch++)
///     lbfgs.Step(closure);
/// </code>
/// <para>
/// The strong Wolfe line search is torch's port of minFunc's: a bracketing phase that extrapolates by cubic
/// interpolation between t + 0.01·(t − t_prev) and 10·t, then a zoom phase that interpolates inside the bracket (moved
/// 10 % of the bracket away from its ends when progress stalls) until |φ′(t)| ≤ c₂·|φ′(0)| with sufficient decrease
/// φ(t) ≤ φ(0) + c₁·t·φ′(0), the bracket narrower than ε_c/‖d‖∞, or 25 evaluations; it returns the lowest point of the
/// bracket. References: J. Nocedal and S. J. Wright, <em>Numerical Optimization</em>, 2nd ed. (2006): Algorithm 7.4
/// (the two-loop recursion), 7.5 (L-BFGS), 3.5 and 3.6 (line search and zoom); D. C. Liu and J. Nocedal, "On the
/// limited memory BFGS method for large scale optimization" (1989).
/// </para>
/// <para>
/// torch.optim: equals <c>torch.optim.LBFGS(params, lr=α, max_iter=k_max, max_eval=e_max, tolerance_grad=ε_g,
/// tolerance_change=ε_c, history_size=m, line_search_fn=None or 'strong_wolfe')</c> with the same operations in the same
/// order: dot products summed in order (as torch's BLAS call does for short vectors), θ + t·d and the two-loop updates
/// as fused multiply-adds (as torch's build computes <c>add_(x, alpha=a)</c>); only ‖g‖₁ of the very first iteration is
/// summed in another order than torch's reduction. Closed-loop traces of torch 1.13 replay with the same iteration and
/// evaluation counts, float64 bit for bit or within 1.2e-15 (see tests/Optimizers.Tests/LBFGS). Like torch, it takes one group of parameters only: it is not
/// an <see cref="Optimizer{T}"/> and <see cref="ParameterGroups{T}"/> does not accept it. The parameters are not
/// copied into one vector: the rule walks them in order. A learning-rate schedule may drive it (it reads
/// <see cref="LearningRate"/> at every <see cref="Step"/>, as torch reads <c>group['lr']</c>).
/// </para>
/// <para>
/// Memory, allocated when built (nothing per <see cref="Step"/>): with n the parameters' total length, 2·(m + min(k_max, m) + 1)
/// vectors of length n for the pairs (torch holds 2·m; the extra pairs keep the pairs of the step's entry until it
/// ends, so that a rejected step can be undone), and 10 vectors of length n of work space.
/// </para>
/// <para>
/// Non-finite gradients: under <see cref="NonFiniteGradientPolicy.Throw"/> (the default) and
/// <see cref="NonFiniteGradientPolicy.Skip"/>, every gradient the closure fills is checked, at entry and during the
/// line search; a NaN or ±∞ restores θ and all of the state to their values at the step's entry (the counters too),
/// then throws <see cref="NonFiniteGradientException"/> or, under Skip, counts the step in
/// <see cref="SkippedStepCount"/> and returns the first loss. <see cref="NonFiniteGradientPolicy.Propagate"/> checks
/// nothing, as torch. An exception thrown by the closure also restores θ and the state, then propagates.
/// </para>
/// <para>
/// Single precision (<c>LBFGS&lt;float&gt;</c>): the vectors and the history are float32, and every dot product, ρ, γ,
/// aᵢ, bᵢ and the first step's 1/‖g‖₁ are rounded to float32 as torch's 0-dimensional float32 tensors are; the line
/// search's scalars are doubles where torch's are Python floats (the losses, t after the first iteration) and float32
/// wherever torch computes with a 0-dimensional tensor (anything formed from gᵀd, ‖d‖∞ or the first t), so that its
/// tests and its cubic interpolation round as torch's do. Dot products are summed in float32, in order.
/// </para>
/// <para>Thread safety: not thread-safe; a <see cref="Step"/> entered while another step of the same instance runs
/// (from the closure, or on another thread) throws <see cref="InvalidOperationException"/> and changes nothing.</para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public partial class LBFGS<T> : IClosureOptimizer<T>, IInitialLearningRate
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The sufficient-decrease constant c₁ of the strong Wolfe conditions (torch's default).</summary>
    private const double C1 = 1e-4;

    /// <summary>The curvature constant c₂ of the strong Wolfe conditions (torch's default).</summary>
    private const double C2 = 0.9;

    /// <summary>The most evaluations of one line search (torch's <c>max_ls</c>).</summary>
    private const int MaxLineSearchEvaluations = 25;

    /// <summary>A pair is kept only when yᵀs exceeds this (torch's curvature test).</summary>
    private const double CurvatureThreshold = 1e-10;

    /// <summary>Gradient buffers: the line search holds at most three at once, plus the one being filled.</summary>
    private const int GradientBufferCount = 4;

    private readonly Parameter<T>[] _parameters;
    private readonly T[][] _gradients;
    private readonly T[] _lineSearchStart;
    private readonly double[] _alpha;
    private readonly T[] _thetaAtEntry;
    private readonly T[] _directionAtEntry;
    private readonly T[] _previousGradientAtEntry;
    private readonly int[] _orderAtEntry;
    private readonly bool[] _reserved;
    private readonly bool[] _live;
    private double _learningRate;
    private NonFiniteGradientPolicy _nonFiniteGradients = NonFiniteGradientPolicy.Throw;
    private int _stepping;
    private int _gradient;
    private string _badParameter = "";
    private int _badIndex;
    private double _badValue;
    private EntryScalars _entry;

    /// <summary>Creates L-BFGS over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated (torch's single parameter group).</param>
    /// <param name="learningRate">α, the step length along each direction (the initial step of the line search), finite and ≥ 0 (default 1).</param>
    /// <param name="maxIterations">k_max, the most iterations per <see cref="Step"/>, ≥ 1 (default 20).</param>
    /// <param name="maxEvaluations">e_max, the most closure evaluations per <see cref="Step"/> (checked after each
    /// iteration), ≥ 1; null (the default) means ⌊<paramref name="maxIterations"/>·5/4⌋.</param>
    /// <param name="toleranceGrad">ε_g: a step stops when the largest |gradient element| is ≤ it; finite and ≥ 0 (default 1e-7).</param>
    /// <param name="toleranceChange">ε_c: a step stops when the directional derivative is above −ε_c, the largest
    /// |t·dᵢ| or the change of the loss is below it; finite and ≥ 0 (default 1e-9).</param>
    /// <param name="historySize">m, the number of (y, s) pairs kept, ≥ 1 (default 100).</param>
    /// <param name="lineSearch">The line search (default <see cref="Optimizers.LineSearch.None"/>, torch's default).</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">The parameter list is empty, repeats a parameter or is longer in total than an array can hold.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public LBFGS(IEnumerable<Parameter<T>> parameters, double learningRate = 1, int maxIterations = 20, int? maxEvaluations = null,
                 double toleranceGrad = 1e-7, double toleranceChange = 1e-9, int historySize = 100,
                 LineSearch lineSearch = LineSearch.None)
    {
        ElementTypes.Require<T>();
        var list = Check.Parameters(parameters, nameof(parameters));
        _learningRate = Check.NonNegativeFinite(learningRate, nameof(learningRate));
        Check.PositiveInt(maxIterations, nameof(maxIterations));
        if (maxEvaluations is { } given)
        {
            Check.PositiveInt(given, nameof(maxEvaluations));
        }

        Check.NonNegativeFinite(toleranceGrad, nameof(toleranceGrad));
        Check.NonNegativeFinite(toleranceChange, nameof(toleranceChange));
        Check.PositiveInt(historySize, nameof(historySize));
        Check.Defined(lineSearch, nameof(lineSearch));

        long total = 0;
        foreach (var parameter in list)
        {
            total += parameter.Length;
        }

        if (total > Array.MaxLength)
        {
            throw new ArgumentException(
                $"The parameters hold {total} elements in total; L-BFGS keeps vectors of that length, at most {Array.MaxLength}.",
                nameof(parameters));
        }

        _parameters = list;
        Parameters = Array.AsReadOnly(list);
        Length = (int)total;
        MaxIterations = maxIterations;
        MaxEvaluations = maxEvaluations ?? (int)((long)maxIterations * 5 / 4);
        ToleranceGrad = toleranceGrad;
        ToleranceChange = toleranceChange;
        HistorySize = historySize;
        LineSearch = lineSearch;

        int slots = checked(historySize + Math.Min(maxIterations, historySize) + 1);
        Y = new T[slots][];
        S = new T[slots][];
        for (int i = 0; i < slots; i++)
        {
            Y[i] = new T[Length];
            S[i] = new T[Length];
        }

        Rho = new double[slots];
        Order = new int[historySize];
        _orderAtEntry = new int[historySize];
        _reserved = new bool[slots];
        _live = new bool[slots];
        _alpha = new double[historySize];
        Direction = new T[Length];
        PreviousGradient = new T[Length];
        _gradients = new T[GradientBufferCount][];
        for (int i = 0; i < GradientBufferCount; i++)
        {
            _gradients[i] = new T[Length];
        }

        _lineSearchStart = new T[Length];
        _thetaAtEntry = new T[Length];
        _directionAtEntry = new T[Length];
        _previousGradientAtEntry = new T[Length];
        HDiag = 1;
        PreviousLoss = double.NaN;
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <inheritdoc />
    /// <remarks>Read at every <see cref="Step"/> (torch's <c>group['lr']</c>), so a schedule changes the next step.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN, infinite or negative.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Check.NonNegativeFinite(value, nameof(LearningRate));
    }

    /// <summary>k_max: the most iterations per <see cref="Step"/> (torch's <c>max_iter</c>).</summary>
    public int MaxIterations { get; }

    /// <summary>e_max: the most closure evaluations per <see cref="Step"/> (torch's <c>max_eval</c>).</summary>
    public int MaxEvaluations { get; }

    /// <summary>ε_g: the first-order optimality tolerance on the largest |gradient element| (torch's <c>tolerance_grad</c>).</summary>
    public double ToleranceGrad { get; }

    /// <summary>ε_c: the tolerance on the directional derivative, the step and the loss change (torch's <c>tolerance_change</c>).</summary>
    public double ToleranceChange { get; }

    /// <summary>m: the number of (y, s) pairs kept (torch's <c>history_size</c>).</summary>
    public int HistorySize { get; }

    /// <summary>The line search (torch's <c>line_search_fn</c>).</summary>
    public LineSearch LineSearch { get; }

    /// <summary>The closure evaluations of every <see cref="Step"/> so far (torch's cumulative <c>state['func_evals']</c>).</summary>
    public long FunctionEvaluations { get; internal set; }

    /// <summary>The iterations of every <see cref="Step"/> so far (torch's cumulative <c>state['n_iter']</c>).</summary>
    public long Iterations { get; internal set; }

    /// <summary>The number of steps skipped under <see cref="NonFiniteGradientPolicy.Skip"/>.</summary>
    public long SkippedStepCount { get; internal set; }

    /// <summary>
    /// What <see cref="Step"/> does with a gradient that holds NaN or ±∞ (see the class remarks): throw (the default),
    /// skip, or propagate as torch does. May be changed between steps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined policy.</exception>
    public NonFiniteGradientPolicy NonFiniteGradients
    {
        get => _nonFiniteGradients;
        set => _nonFiniteGradients = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NonFiniteGradients), value, "Unknown non-finite gradient policy.");
    }

    /// <inheritdoc />
    double? IInitialLearningRate.InitialLearningRate { get; set; }

    /// <summary>The parameters' total length n.</summary>
    internal int Length { get; }

    /// <summary>d, the last direction (torch's <c>state['d']</c>), valid once <see cref="HasDirection"/>.</summary>
    internal T[] Direction { get; }

    /// <summary>Whether an iteration has run (torch's <c>state['d']</c> is set).</summary>
    internal bool HasDirection { get; set; }

    /// <summary>t, the last step length (torch's <c>state['t']</c>).</summary>
    internal double StepLength { get; set; }

    /// <summary>γ, the scale of the initial inverse Hessian (torch's <c>state['H_diag']</c>).</summary>
    internal double HDiag { get; set; }

    /// <summary>g_prev (torch's <c>state['prev_flat_grad']</c>), valid once <see cref="HasDirection"/>.</summary>
    internal T[] PreviousGradient { get; }

    /// <summary>f_prev (torch's <c>state['prev_loss']</c>), NaN before the first iteration.</summary>
    internal double PreviousLoss { get; set; }

    /// <summary>The y vectors by physical slot (torch's <c>old_dirs</c>, in the order <see cref="Order"/> gives).</summary>
    internal T[][] Y { get; }

    /// <summary>The s vectors by physical slot (torch's <c>old_stps</c>).</summary>
    internal T[][] S { get; }

    /// <summary>ρ = 1/yᵀs by physical slot (torch's <c>ro</c>).</summary>
    internal double[] Rho { get; }

    /// <summary>The physical slots of the pairs held, oldest first; the first <see cref="Count"/> are valid.</summary>
    internal int[] Order { get; }

    /// <summary>The number of pairs held.</summary>
    internal int Count { get; private set; }

    /// <summary>Performs one L-BFGS step (up to <see cref="MaxIterations"/> iterations), calling <paramref name="closure"/>
    /// to re-evaluate the loss and the gradients.</summary>
    /// <param name="closure">Zeroes the gradients, computes the loss at the parameters' current values, fills the
    /// gradients and returns the loss. Cache the delegate: a lambda written in the call allocates at each call.</param>
    /// <returns>The loss of the closure's first call, at the parameters' values on entry (torch's <c>orig_loss</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="closure"/> is null.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient holds NaN or ±∞ under <see cref="NonFiniteGradientPolicy.Throw"/>;
    /// the parameters and the state are as they were on entry.</exception>
    /// <exception cref="InvalidOperationException">Another step of this optimizer is running (from the closure, or on
    /// another thread); this call changed nothing.</exception>
    public double Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        Optimizer.EnterStep(ref _stepping, this);
        try
        {
            var policy = _nonFiniteGradients;
            SaveEntry();
            bool finished = false;
            try
            {
                bool finite = Run(closure, policy, out double firstLoss);
                finished = true;
                if (finite)
                {
                    return firstLoss;
                }

                Restore();
                if (policy == NonFiniteGradientPolicy.Throw)
                {
                    throw new NonFiniteGradientException(_badParameter, _badIndex, _badValue);
                }

                SkippedStepCount++;
                return firstLoss;
            }
            finally
            {
                if (!finished)
                {
                    Restore();
                }

                Array.Clear(_reserved);
            }
        }
        finally
        {
            Volatile.Write(ref _stepping, 0);
        }
    }

    /// <inheritdoc />
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>Replaces the pairs held by <paramref name="count"/> pairs in physical slots 0…count − 1 (checkpoints).</summary>
    internal void ResetOrder(int count)
    {
        Array.Clear(_live);
        for (int i = 0; i < count; i++)
        {
            Order[i] = i;
            _live[i] = true;
        }

        Count = count;
    }

    /// <summary>One step; false when a gradient was not finite under a checking policy (nothing restored yet).</summary>
    private bool Run(Func<double> closure, NonFiniteGradientPolicy policy, out double firstLoss)
    {
        double lr = _learningRate;
        double loss = closure();
        firstLoss = loss;
        FunctionEvaluations++;
        _gradient = 0;
        if (!Gather(_gradients[0], policy))
        {
            return false;
        }

        int currentEvaluations = 1;
        if (Scalar.Tensor(MaxAbs(_gradients[_gradient])) <= ToleranceGrad)
        {
            return true;
        }

        var d = Direction;
        int iteration = 0;
        while (iteration < MaxIterations)
        {
            iteration++;
            Iterations++;
            var g = _gradients[_gradient];
            if (Iterations == 1)
            {
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = -g[i];
                }

                ResetOrder(0);
                HDiag = 1;
            }
            else
            {
                UpdateHistory(g);
                TwoLoop(g);
            }

            g.AsSpan().CopyTo(PreviousGradient);
            PreviousLoss = loss;
            HasDirection = true;

            // t is a Python float or, at the very first iteration, a 0-dimensional tensor (see Scalar).
            Scalar t = lr;
            if (Iterations == 1)
            {
                var inverse = 1.0 / Scalar.Tensor(SumAbs(g));
                t = (inverse < 1.0 ? inverse : 1.0) * lr;
            }

            StepLength = t.Value;
            var gtd = Scalar.Tensor(Dot(g, d));
            if (gtd > -ToleranceChange)
            {
                break;
            }

            int evaluations = 0;
            bool optimal = false;
            if (LineSearch == LineSearch.StrongWolfe)
            {
                CopyTheta(_lineSearchStart);
                if (!StrongWolfe(closure, policy, ref t, ref loss, gtd, out evaluations))
                {
                    return false;
                }

                StepLength = t.Value;
                AddStep(t.Value);
                optimal = Scalar.Tensor(MaxAbs(_gradients[_gradient])) <= ToleranceGrad;
            }
            else
            {
                AddStep(t.Value);
                if (iteration != MaxIterations)
                {
                    loss = closure();
                    if (!Gather(g, policy))
                    {
                        return false;
                    }

                    optimal = Scalar.Tensor(MaxAbs(g)) <= ToleranceGrad;
                    evaluations = 1;
                }
            }

            currentEvaluations += evaluations;
            FunctionEvaluations += evaluations;
            if (iteration == MaxIterations || currentEvaluations >= MaxEvaluations || optimal
                || Scalar.Tensor(MaxAbsScaled(d, t.Value)) <= ToleranceChange || Math.Abs(loss - PreviousLoss) < ToleranceChange)
            {
                break;
            }
        }

        return true;
    }

    /// <summary>y = g − g_prev, s = t·d; keeps the pair when yᵀs &gt; 1e-10, evicting the oldest when full.</summary>
    private void UpdateHistory(T[] g)
    {
        int slot = FreeSlot();
        var y = Y[slot];
        var s = S[slot];
        var prev = PreviousGradient;
        var d = Direction;
        T t = T.CreateTruncating(StepLength);
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = g[i] - prev[i];
            s[i] = d[i] * t;
        }

        double ys = Round(Dot(y, s));
        if (!(Scalar.Tensor(ys) > CurvatureThreshold))
        {
            return;
        }

        if (Count == HistorySize)
        {
            _live[Order[0]] = false;
            Array.Copy(Order, 1, Order, 0, Count - 1);
            Count--;
        }

        Order[Count++] = slot;
        _live[slot] = true;
        Rho[slot] = Round(1.0 / ys);
        HDiag = Round(ys / Round(Dot(y, y)));
    }

    /// <summary>The two-loop recursion: d = −H·g with the pairs held and H₀ = γ·I.</summary>
    private void TwoLoop(T[] g)
    {
        var d = Direction;
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = -g[i];
        }

        for (int k = Count - 1; k >= 0; k--)
        {
            int slot = Order[k];
            double a = Round(Round(Dot(S[slot], d)) * Rho[slot]);
            _alpha[k] = a;
            AddScaled(d, Y[slot], -a);
        }

        T gamma = T.CreateTruncating(HDiag);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] *= gamma;
        }

        for (int k = 0; k < Count; k++)
        {
            int slot = Order[k];
            double b = Round(Round(Dot(Y[slot], d)) * Rho[slot]);
            AddScaled(d, S[slot], Round(_alpha[k] - b));
        }
    }

    /// <summary>torch's <c>_directional_evaluate</c>: θ = start + t·d, the closure, the gradient into buffer
    /// <paramref name="buffer"/>, θ = start.</summary>
    private bool Evaluate(Func<double> closure, NonFiniteGradientPolicy policy, double t, int buffer, out double loss)
    {
        AddStep(t);
        loss = closure();
        bool finite = Gather(_gradients[buffer], policy);
        SetTheta(_lineSearchStart);
        return finite;
    }

    /// <summary>Copies every gradient into <paramref name="destination"/>; false (and the culprit recorded) when one
    /// is not finite under a checking policy.</summary>
    private bool Gather(T[] destination, NonFiniteGradientPolicy policy)
    {
        int offset = 0;
        foreach (var parameter in _parameters)
        {
            var gradient = parameter.GradientSpan;
            if (policy != NonFiniteGradientPolicy.Propagate)
            {
                int bad = Elementwise.IndexOfNonFinite(gradient);
                if (bad >= 0)
                {
                    _badParameter = parameter.Name;
                    _badIndex = bad;
                    _badValue = double.CreateTruncating(gradient[bad]);
                    return false;
                }
            }

            gradient.CopyTo(destination.AsSpan(offset));
            offset += gradient.Length;
        }

        return true;
    }

    /// <summary>θ = θ + t·d (torch's <c>_add_grad(t, d)</c>).</summary>
    private void AddStep(double t)
    {
        T step = T.CreateTruncating(t);
        var d = Direction;
        int offset = 0;
        foreach (var parameter in _parameters)
        {
            var theta = parameter.ValueSpan;
            for (int i = 0; i < theta.Length; i++)
            {
                theta[i] = T.FusedMultiplyAdd(step, d[offset + i], theta[i]);
            }

            offset += theta.Length;
        }
    }

    private void CopyTheta(T[] destination)
    {
        int offset = 0;
        foreach (var parameter in _parameters)
        {
            parameter.ValueSpan.CopyTo(destination.AsSpan(offset));
            offset += parameter.Length;
        }
    }

    private void SetTheta(T[] source)
    {
        int offset = 0;
        foreach (var parameter in _parameters)
        {
            source.AsSpan(offset, parameter.Length).CopyTo(parameter.ValueSpan);
            offset += parameter.Length;
        }
    }

    /// <summary>A physical slot neither held nor reserved for the step's entry.</summary>
    private int FreeSlot()
    {
        for (int slot = 0; slot < _live.Length; slot++)
        {
            if (!_live[slot] && !_reserved[slot])
            {
                return slot;
            }
        }

        throw new InvalidOperationException("L-BFGS ran out of history slots; this is a bug in the library.");
    }

    /// <summary>A gradient buffer other than the (up to three) given ones.</summary>
    private static int FreeGradient(int a, int b, int c)
    {
        for (int i = 0; ; i++)
        {
            if (i != a && i != b && i != c)
            {
                return i;
            }
        }
    }

    /// <summary>Records θ and the state at a step's entry, and reserves the slots of the pairs held.</summary>
    private void SaveEntry()
    {
        CopyTheta(_thetaAtEntry);
        Direction.AsSpan().CopyTo(_directionAtEntry);
        PreviousGradient.AsSpan().CopyTo(_previousGradientAtEntry);
        Order.AsSpan().CopyTo(_orderAtEntry);
        for (int k = 0; k < Count; k++)
        {
            _reserved[Order[k]] = true;
        }

        _entry = new EntryScalars(Count, HasDirection, StepLength, HDiag, PreviousLoss, FunctionEvaluations, Iterations);
    }

    /// <summary>Puts θ and the state back to their values at the step's entry.</summary>
    private void Restore()
    {
        SetTheta(_thetaAtEntry);
        _directionAtEntry.AsSpan().CopyTo(Direction);
        _previousGradientAtEntry.AsSpan().CopyTo(PreviousGradient);
        _orderAtEntry.AsSpan().CopyTo(Order);
        Count = _entry.Count;
        Array.Clear(_live);
        for (int k = 0; k < Count; k++)
        {
            _live[Order[k]] = true;
        }

        HasDirection = _entry.HasDirection;
        StepLength = _entry.StepLength;
        HDiag = _entry.HDiag;
        PreviousLoss = _entry.PreviousLoss;
        FunctionEvaluations = _entry.FunctionEvaluations;
        Iterations = _entry.Iterations;
    }

    private readonly record struct EntryScalars(int Count, bool HasDirection, double StepLength, double HDiag, double PreviousLoss,
                                                long FunctionEvaluations, long Iterations);
}

/// <summary>
/// <see cref="LBFGS{T}"/> over <see cref="double"/> parameters: <c>new LBFGS(parameters, lineSearch: LineSearch.StrongWolfe)</c>.
/// </summary>
public sealed class LBFGS : LBFGS<double>
{
    /// <summary>Creates L-BFGS over <paramref name="parameters"/> (see <see cref="LBFGS{T}(IEnumerable{Parameter{T}}, double, int, int?, double, double, int, LineSearch)"/>).</summary>
    /// <param name="parameters">The parameters to update: at least one, none repeated (torch's single parameter group).</param>
    /// <param name="learningRate">α, the step length along each direction, finite and ≥ 0 (default 1).</param>
    /// <param name="maxIterations">k_max, the most iterations per step, ≥ 1 (default 20).</param>
    /// <param name="maxEvaluations">e_max, the most closure evaluations per step, ≥ 1; null (the default) means ⌊<paramref name="maxIterations"/>·5/4⌋.</param>
    /// <param name="toleranceGrad">ε_g, finite and ≥ 0 (default 1e-7).</param>
    /// <param name="toleranceChange">ε_c, finite and ≥ 0 (default 1e-9).</param>
    /// <param name="historySize">m, the number of pairs kept, ≥ 1 (default 100).</param>
    /// <param name="lineSearch">The line search (default <see cref="Optimizers.LineSearch.None"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">The parameter list is empty or repeats a parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is NaN, infinite or out of range.</exception>
    public LBFGS(IEnumerable<Parameter<double>> parameters, double learningRate = 1, int maxIterations = 20, int? maxEvaluations = null,
                 double toleranceGrad = 1e-7, double toleranceChange = 1e-9, int historySize = 100,
                 LineSearch lineSearch = LineSearch.None)
        : base(parameters, learningRate, maxIterations, maxEvaluations, toleranceGrad, toleranceChange, historySize, lineSearch)
    {
    }
}
