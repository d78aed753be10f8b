using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics;
using TorchSharp;

namespace Optimizers.Benchmarks.Infrastructure;

/// <summary>
/// One optimizer step, the same update with the same hyperparameters, by every implementation compared, in float
/// (float32) or double (float64): this library (guard on and off), the limit (the fastest kernel written here that
/// computes the same update within the parity tolerance, in <see cref="Vector{T}"/> and in <see cref="Vector512{T}"/>),
/// the obvious MathNet code (allocating expressions, then in place with temporaries), and TorchSharp's torch.optim.
/// Each optimizer derives one class (see Cases/), measured for both element types.
/// </summary>
/// <remarks>
/// <para>
/// Every implementation owns a separate copy of θ, the gradient and the state, initialised from the same seed and
/// allocated in the same pattern (see <see cref="CreateArrays"/>). The gradient stays fixed between invocations (a
/// step's cost does not depend on its values, and the values stay finite and far from subnormal for any number of
/// steps at these learning rates). Each benchmark method has its own setup, so a run only allocates what the method
/// measured needs.
/// </para>
/// <para>
/// The limit (<see cref="Limit"/>, <see cref="Limit512"/>) is what any implementation of the update could reach here,
/// not a copy of the library's order of operations: every scalar that does not depend on the element is formed once
/// per step (1/√(1 − β₂ᵗ), α/(1 − β₁ᵗ), ε·√(1 − β₂ᵗ), …) so that an element costs as few divisions and square roots as
/// the update allows (one of each for Adam, where torch's text divides twice); loads and stores go through references
/// without bounds checks; θ's vector stores are aligned; from 8 MiB per stream the span is walked as four quarters side
/// by side (more loads in flight). --verify checks that it follows the library within the parity tolerance.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class StepBenchmark<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Seed = 42;

    /// <summary>Spans of at least this many bytes per stream are walked as four quarters side by side (as the library does).</summary>
    private const int QuarterThresholdBytes = 8 << 20;

    private Optimizer<T>? _library;
    private ReferenceSplit? _split;
    private Action<int>? _limitPiece;
    private Action<int>? _limit512Piece;
    private torch.optim.Optimizer? _torch;
    private List<TorchSharp.Modules.Parameter> _torchParameters = [];

    /// <summary>The parameter layout (see <see cref="Layouts"/>).</summary>
    [ParamsSource(nameof(LayoutNames))]
    public string Layout { get; set; } = "1e3";

    /// <summary>Threads allowed: the library's MaxDegreeOfParallelism, the limit's pieces,
    /// MathNet's Control.MaxDegreeOfParallelism and torch.set_num_threads.</summary>
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; } = 1;

    /// <summary>The values of <see cref="Layout"/> (all, or those given with <c>--layouts</c>).</summary>
    public static IEnumerable<string> LayoutNames => Selection.Layouts;

    /// <summary>The values of <see cref="Threads"/> (1 and 2, or those given with <c>--threads</c>).</summary>
    public static IEnumerable<int> ThreadCounts => Selection.Threads;

    /// <summary>θ of each parameter, for the limit and the MathNet code.</summary>
    protected T[][] Theta { get; private set; } = [];

    /// <summary>θ and the gradient of each parameter as the library's parameters (θ is <see cref="Theta"/>[p]).</summary>
    protected Parameter<T>[] Parameters { get; private set; } = [];

    /// <summary>The gradient of each parameter (<see cref="Parameters"/>[p]'s gradient storage).</summary>
    protected T[][] Grad { get; private set; } = [];

    /// <summary>State vectors: <c>State[s][p]</c> is state vector s of parameter p, zeros at the start.</summary>
    protected T[][][] State { get; private set; } = [];

    /// <summary>θ, the gradient, the state and one scratch vector per parameter, as MathNet vectors.</summary>
    protected MathNet.Numerics.LinearAlgebra.Vector<T>[] MTheta { get; private set; } = [];

    /// <inheritdoc cref="MTheta"/>
    protected MathNet.Numerics.LinearAlgebra.Vector<T>[] MGrad { get; private set; } = [];

    /// <inheritdoc cref="MTheta"/>
    protected MathNet.Numerics.LinearAlgebra.Vector<T>[][] MState { get; private set; } = [];

    /// <inheritdoc cref="MTheta"/>
    protected MathNet.Numerics.LinearAlgebra.Vector<T>[] MTemp { get; private set; } = [];

    /// <summary>A second scratch vector per parameter, for in-place forms that need two temporaries (AdaDelta).</summary>
    protected MathNet.Numerics.LinearAlgebra.Vector<T>[] MTemp2 { get; private set; } = [];

    /// <summary>t, the 1-based number of the step being taken by a reference implementation.</summary>
    protected long StepNumber { get; private set; }

    /// <summary>
    /// Called once per step of a reference implementation (limit or MathNet), after <see cref="StepNumber"/> has
    /// become t and before any parameter is updated: the place to form the step's scalars (bias corrections, NAdam's μ
    /// product), in double, rounded to <typeparamref name="T"/> once, as the library and torch's float32 path do.
    /// </summary>
    protected virtual void BeginStep()
    {
    }

    /// <summary>How many state vectors per parameter the update keeps (Momentum: 1, Adam: 2, …).</summary>
    protected abstract int StateCount { get; }

    /// <summary>This library's optimizer with the benchmark's hyperparameters.</summary>
    protected abstract Optimizer<T> CreateLibrary(IReadOnlyList<Parameter<T>> parameters);

    /// <summary>
    /// TorchSharp's torch.optim optimizer with the same hyperparameters, or null (the default) when TorchSharp has no
    /// counterpart (Lion, ADOPT, the schedule-free rules): the case then has no TorchSharp column.
    /// </summary>
    protected virtual torch.optim.Optimizer? CreateTorch(IList<TorchSharp.Modules.Parameter> parameters) => null;

    /// <summary>Whether the case <paramref name="caseType"/> (a closed or open generic case class) overrides
    /// <see cref="CreateTorch"/>, i.e. has a TorchSharp counterpart to measure.</summary>
    public static bool HasTorchCounterpart(Type caseType)
    {
        var closed = caseType.IsGenericTypeDefinition ? caseType.MakeGenericType(typeof(T)) : caseType;
        var method = closed.GetMethod(nameof(CreateTorch), BindingFlags.Instance | BindingFlags.NonPublic);
        return method?.DeclaringType is { } declaring
               && !(declaring.IsGenericType && declaring.GetGenericTypeDefinition() == typeof(StepBenchmark<>));
    }

    /// <summary>The limit in <see cref="Vector{T}"/> over elements [start, start + length) of parameter p.</summary>
    /// <remarks>
    /// Overrides are marked <c>[MethodImpl(MethodImplOptions.NoInlining)]</c>, so that the loop is compiled as the
    /// body of its own method, as the library's kernels are. Inlined into <see cref="RunPieces"/> (which the JIT did
    /// through guarded devirtualisation) the same gradient-descent loop, compiled inside that larger method (not padded
    /// to a 32-byte boundary there), ran 1.3–1.45× slower in cache than the same loop called on the same arrays from
    /// elsewhere: the limit was then not the limit.
    /// </remarks>
    protected abstract void LimitRange(int p, int start, int length);

    /// <summary>The same with <see cref="Vector512{T}"/> (also not inlined; see <see cref="LimitRange"/>).</summary>
    protected abstract void Limit512Range(int p, int start, int length);

    /// <summary>The obvious MathNet code for parameter p (operators; allocates new vectors).</summary>
    protected abstract void MathNetExpressionsStep(int p);

    /// <summary>MathNet in place, with the scratch vector <see cref="MTemp"/>[p] for temporaries.</summary>
    protected abstract void MathNetInPlaceStep(int p);

    /// <summary><paramref name="value"/> rounded to <typeparamref name="T"/>.</summary>
    protected static T C(double value) => T.CreateTruncating(value);

    /// <summary>A reference to element <paramref name="start"/> of <paramref name="array"/>, for the limit's unchecked loads.</summary>
    protected static ref T At(T[] array, int start) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), start);

    /// <summary>
    /// The length in elements of each of the four quarters that the limit walks side by side over a range of
    /// <paramref name="length"/> elements with vectors of <paramref name="count"/> elements (0: one walk).
    /// </summary>
    protected static nuint Quarter(int length, int count)
        => (long)length * Unsafe.SizeOf<T>() >= QuarterThresholdBytes ? (nuint)(length / count / 4 * count) : 0;

    [GlobalSetup(Targets = [nameof(Library), nameof(LibraryNoGuard)])]
    public void SetupLibrary()
    {
        CreateArrays(withState: false);
        _library = CreateLibrary(Parameters);
        _library.MaxDegreeOfParallelism = Threads;
    }

    [GlobalSetup(Targets = [nameof(Limit), nameof(Limit512)])]
    public void SetupLimit()
    {
        CreateArrays(withState: true);
        _split = new ReferenceSplit(Theta.Select(t => t.Length).ToArray(), Threads);
        _limitPiece = piece => RunPieces(piece, vector512: false);
        _limit512Piece = piece => RunPieces(piece, vector512: true);
    }

    [GlobalSetup(Targets = [nameof(MathNetExpressions), nameof(MathNetInPlace)])]
    public void SetupMathNet()
    {
        CreateArrays(withState: true);
        Control.MaxDegreeOfParallelism = Threads;
        var build = MathNet.Numerics.LinearAlgebra.Vector<T>.Build;
        MTheta = Theta.Select(a => build.Dense(a)).ToArray();
        MGrad = Grad.Select(a => build.Dense(a)).ToArray();
        MState = State.Select(s => s.Select(a => build.Dense(a)).ToArray()).ToArray();
        MTemp = Theta.Select(a => build.Dense(a.Length)).ToArray();
        MTemp2 = Theta.Select(a => build.Dense(a.Length)).ToArray();
    }

    [GlobalSetup(Target = nameof(TorchSharp))]
    public void SetupTorch()
    {
        CreateArrays(withState: false);
        torch.set_num_threads(Threads);
        _torchParameters = Theta.Select(values => new TorchSharp.Modules.Parameter(Tensor(values), requires_grad: true)).ToList();
        for (int i = 0; i < _torchParameters.Count; i++)
        {
            _torchParameters[i].grad = Tensor(Grad[i]);
        }

        _torch = CreateTorch(_torchParameters);
    }

    [GlobalCleanup(Target = nameof(TorchSharp))]
    public void CleanupTorch()
    {
        _torch?.Dispose();
        foreach (var p in _torchParameters)
        {
            p.Dispose();
        }
    }

    /// <summary>This library, defaults (non-finite gradient guard on).</summary>
    [Benchmark]
    public void Library() => _library!.Step();

    /// <summary>This library with <c>NonFiniteGradients = NonFiniteGradientPolicy.Propagate</c> (PyTorch's behaviour: NaN propagates).</summary>
    [Benchmark]
    public void LibraryNoGuard()
    {
        _library!.NonFiniteGradients = NonFiniteGradientPolicy.Propagate;
        _library.Step();
    }

    /// <summary>The limit with <see cref="Vector{T}"/> (pieces on Threads threads for large layouts).</summary>
    [Benchmark(Baseline = true)]
    public void Limit() => RunLimit(_limitPiece!);

    /// <summary>The limit with <see cref="Vector512{T}"/> (AVX-512); the limit of a layout is the faster of the two.</summary>
    [Benchmark]
    public void Limit512() => RunLimit(_limit512Piece!);

    /// <summary>The obvious MathNet code: operators that allocate a new vector per operation.</summary>
    [Benchmark]
    public void MathNetExpressions()
    {
        StepNumber++;
        BeginStep();
        for (int p = 0; p < MTheta.Length; p++)
        {
            MathNetExpressionsStep(p);
        }
    }

    /// <summary>MathNet in place (Multiply/Add/… with a result vector), one pass per operation.</summary>
    [Benchmark]
    public void MathNetInPlace()
    {
        StepNumber++;
        BeginStep();
        for (int p = 0; p < MTheta.Length; p++)
        {
            MathNetInPlaceStep(p);
        }
    }

    /// <summary>TorchSharp's torch.optim step (skipped when libtorch does not load; see Program.cs).</summary>
    [Benchmark]
    public void TorchSharp() => _torch!.step();

    /// <summary>
    /// Runs <paramref name="steps"/> steps of every implementation but TorchSharp, each on a fresh instance over the
    /// <c>1e3</c> layout with one thread, and returns, per implementation, the largest difference from the
    /// library's θ relative to the largest distance the library moved θ (see <see cref="Infrastructure.Agreement"/>).
    /// </summary>
    public static IEnumerable<(string Implementation, double Discrepancy)> Agreement(Func<StepBenchmark<T>> create, int steps)
    {
        StepBenchmark<T> Fresh()
        {
            var benchmark = create();
            benchmark.Layout = "1e3";
            benchmark.Threads = 1;
            return benchmark;
        }

        var initial = Fresh();
        initial.CreateArrays(withState: false);
        var start = initial.Theta[0];

        var library = Fresh();
        library.SetupLibrary();
        for (int s = 0; s < steps; s++)
        {
            library.Library();
        }

        var expected = library.Theta[0];
        double moved = start.Zip(expected, (a, b) => Math.Abs(double.CreateTruncating(a - b))).Max();
        var others = new (string Name, Action<StepBenchmark<T>> Setup, Action<StepBenchmark<T>> Step, Func<StepBenchmark<T>, T[]> Theta)[]
        {
            (nameof(Limit), b => b.SetupLimit(), b => b.Limit(), b => b.Theta[0]),
            (nameof(Limit512), b => b.SetupLimit(), b => b.Limit512(), b => b.Theta[0]),
            (nameof(MathNetExpressions), b => b.SetupMathNet(), b => b.MathNetExpressions(), b => b.MTheta[0].ToArray()),
            (nameof(MathNetInPlace), b => b.SetupMathNet(), b => b.MathNetInPlace(), b => b.MTheta[0].ToArray()),
        };
        foreach (var (name, setup, step, theta) in others)
        {
            var benchmark = Fresh();
            setup(benchmark);
            for (int s = 0; s < steps; s++)
            {
                step(benchmark);
            }

            yield return (name, theta(benchmark).Zip(expected, (a, b) => Math.Abs(double.CreateTruncating(a - b))).Max() / moved);
        }
    }

    private static torch.Tensor Tensor(T[] values) => values switch
    {
        double[] d => torch.tensor(d, dtype: torch.ScalarType.Float64),
        float[] f => torch.tensor(f, dtype: torch.ScalarType.Float32),
        _ => throw new NotSupportedException($"No torch dtype for {typeof(T).Name}."),
    };

    private void RunLimit(Action<int> piece)
    {
        StepNumber++;
        BeginStep();
        int pieces = _split!.Pieces.Length;
        if (pieces == 1)
        {
            piece(0);
        }
        else
        {
            Parallel.For(0, pieces, piece);
        }
    }

    private void RunPieces(int piece, bool vector512)
    {
        foreach (var (p, start, length) in _split!.Pieces[piece])
        {
            // Like the library, update the few elements before θ's first vector-aligned address separately, so that
            // the vector loop's stores are aligned (a .NET array is only 8-byte aligned; misaligned θ stores cost up
            // to 1.45× in cache). Without this the ratios would depend on where the allocator happened to put θ.
            int vectorBytes = vector512 ? Vector512<byte>.Count : Vector<byte>.Count;
            int head = UnalignedHead(Theta[p].AsSpan(start, length), vectorBytes);
            if (head > 0)
            {
                Range(p, start, head, vector512);
            }

            Range(p, start + head, length - head, vector512);
        }
    }

    private void Range(int p, int start, int length, bool vector512)
    {
        if (vector512)
        {
            Limit512Range(p, start, length);
        }
        else
        {
            LimitRange(p, start, length);
        }
    }

    private static unsafe int UnalignedHead(Span<T> theta, int vectorBytes)
    {
        if (theta.Length < 4 * vectorBytes / sizeof(T))
        {
            return 0;
        }

        fixed (T* first = theta)
        {
            int misalignment = (int)((nuint)first % (nuint)vectorBytes);
            return misalignment == 0 || misalignment % sizeof(T) != 0 ? 0 : (vectorBytes - misalignment) / sizeof(T);
        }
    }

    private void CreateArrays(bool withState)
    {
        var random = new Random(Seed);
        var lengths = Layouts.Lengths(Layout);
        Theta = lengths.Select(n => Uniform(random, n)).ToArray();
        var gradients = lengths.Select(n => Uniform(random, n)).ToArray();

        // Every implementation gets its θ and gradient arrays laid out as the library's users get them: θ as given,
        // the gradient allocated by Parameter. In cache, where a stream's addresses fall relative to another's (4K
        // aliasing between a store to θ and a later load of g) moves a step by up to ~1.3×; with one allocation
        // pattern, θ and g sit the same way relative to each other in every implementation.
        Parameters = Theta.Select((values, i) => new Parameter<T>($"p{i}", values)).ToArray();
        for (int i = 0; i < Parameters.Length; i++)
        {
            gradients[i].CopyTo(Parameters[i].Gradient.AsArray());
        }

        Grad = Parameters.Select(p => p.Gradient.AsArray()).ToArray();
        State = withState
            ? Enumerable.Range(0, StateCount).Select(_ => lengths.Select(n => new T[n]).ToArray()).ToArray()
            : [];
        StepNumber = 0;
    }

    private static T[] Uniform(Random random, int n)
    {
        var a = new T[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = C(random.NextDouble() * 2 - 1);
        }

        return a;
    }
}
