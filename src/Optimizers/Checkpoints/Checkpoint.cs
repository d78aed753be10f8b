using Optimizers.Networks;

namespace Optimizers.Checkpoints;

/// <summary>
/// Saves an optimizer's complete state and/or parameter values (a model's weights) to a stream or file, and loads
/// them back so that training resumes bit for bit as if it had never stopped.
/// </summary>
/// <remarks>
/// <para>Typical use, a model and its optimizer in one file:</para>
/// <code>
/// Checkpoint.SaveToFile("run.ckpt", optimizer, network.Parameters);
/// // later, in a fresh process, after building the same network and optimizer:
/// Checkpoint.LoadFromFile("run.ckpt", optimizer, network.Parameters);
/// </code>
/// <para>
/// The optimizer's state is: its rule type, and for each parameter group the learning rate, <see cref="Optimizer.StepCount"/>,
/// <see cref="Optimizer.SkippedStepCount"/>, the recorded hyperparameters, the parameters' names and lengths, and
/// every registered state buffer, all doubles as their exact IEEE-754 bits. Settings that do not change the
/// trajectory (<see cref="Optimizer.NonFiniteGradients"/>, parallelism) are not saved. Gradients are not saved.
/// </para>
/// <para>
/// Loading verifies before it changes anything: the format (signature, version, SHA-256 checksum, structure), then
/// that the checkpoint fits: the same rule type and layout, the same number of groups, the same parameter names and
/// lengths in the same order, the same hyperparameters (the learning rate excepted: it is restored, since schedules
/// change it) and the same state names. Every failure throws <see cref="CheckpointException"/> (its
/// <see cref="CheckpointException.Error"/> says which kind) and leaves the optimizer and the parameters exactly as
/// they were; only the stream's position has moved. Errors of the stream itself (an <see cref="IOException"/> from
/// the disk, a missing file) propagate unchanged. The format is described in docs/checkpoint-format.md.
/// </para>
/// <para>Thread safety: do not step or change the optimizer or parameters while saving or loading them.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>Writes a checkpoint of <paramref name="optimizer"/> and/or the values of <paramref name="parameters"/>.</summary>
    /// <param name="destination">A writable stream; the checkpoint is written from its current position.</param>
    /// <param name="optimizer">An optimizer derived from <see cref="Optimizer"/>, or a <see cref="ParameterGroups"/>; null to save no optimizer.</param>
    /// <param name="parameters">Parameters whose values to save (for example <c>network.Parameters</c>); null to save none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// Both are null, the stream is not writable, the optimizer type is not supported, or a parameter is null or repeated.
    /// </exception>
    public static void Save(Stream destination, IOptimizer? optimizer = null, IEnumerable<Parameter>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(destination));
        }

        Envelope.Write(destination, BuildPayload(optimizer, parameters));
    }

    /// <summary>Writes a checkpoint of <paramref name="network"/>'s weights (every parameter's values).</summary>
    /// <param name="destination">A writable stream.</param>
    /// <param name="network">The network whose weights to save.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public static void Save(Stream destination, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Save(destination, parameters: network.Parameters);
    }

    /// <summary>
    /// Reads a checkpoint and restores <paramref name="optimizer"/>'s state and/or the values of
    /// <paramref name="parameters"/>: everything asked for, or (on any failure) nothing.
    /// </summary>
    /// <param name="source">A readable stream positioned at the checkpoint; nothing after the checkpoint is read.</param>
    /// <param name="optimizer">The optimizer to restore, built like the one saved; null to restore no optimizer.</param>
    /// <param name="parameters">The parameters whose values to restore, in the saved order; null to restore none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">Both are null, the stream is not readable, or the optimizer type is not supported.</exception>
    /// <exception cref="CheckpointException">
    /// The checkpoint is unreadable, lacks a section asked for, or does not fit; nothing was changed.
    /// </exception>
    public static void Load(Stream source, IOptimizer? optimizer = null, IEnumerable<Parameter>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(source));
        }

        var parameterList = Arguments(optimizer, parameters);
        var sections = Envelope.Read(source);

        // Parse and validate everything into temporaries first ...
        OptimizerSection? optimizerState = null;
        if (optimizer is not null)
        {
            optimizerState = OptimizerSection.Parse(Section(sections, CheckpointFormat.OptimizerSection, "optimizer state"));
            optimizerState.Validate(optimizer);
        }

        ParametersSection? values = null;
        if (parameterList is not null)
        {
            values = ParametersSection.Parse(Section(sections, CheckpointFormat.ParametersSection, "parameter values"));
            values.Validate(parameterList);
        }

        // ... then commit: plain copies into arrays of checked lengths, which cannot fail.
        if (optimizer is not null)
        {
            optimizerState!.Commit(optimizer);
        }

        if (parameterList is not null)
        {
            values!.Commit(parameterList);
        }
    }

    /// <summary>Restores <paramref name="network"/>'s weights from a checkpoint that holds parameter values.</summary>
    /// <param name="source">A readable stream positioned at the checkpoint.</param>
    /// <param name="network">A network of the same shape as the one saved.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    public static void Load(Stream source, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Load(source, parameters: network.Parameters);
    }

    /// <summary>
    /// Writes a checkpoint file atomically: into a temporary file in the same directory, flushed to disk, then
    /// renamed over <paramref name="path"/>. A crash or error mid-write leaves any previous file at
    /// <paramref name="path"/> intact.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="optimizer">As in <see cref="Save(Stream, IOptimizer?, IEnumerable{Parameter}?)"/>.</param>
    /// <param name="parameters">As in <see cref="Save(Stream, IOptimizer?, IEnumerable{Parameter}?)"/>.</param>
    /// <exception cref="ArgumentException">As in <see cref="Save(Stream, IOptimizer?, IEnumerable{Parameter}?)"/>, or the path is empty.</exception>
    /// <exception cref="IOException">The file system refused the write or the rename.</exception>
    public static void SaveToFile(string path, IOptimizer? optimizer = null, IEnumerable<Parameter>? parameters = null)
        => SaveToFile(path, optimizer, parameters, wrap: null);

    /// <summary>Writes <paramref name="network"/>'s weights to a checkpoint file atomically (see <see cref="SaveToFile(string, IOptimizer?, IEnumerable{Parameter}?)"/>).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="network">The network whose weights to save.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="IOException">The file system refused the write or the rename.</exception>
    public static void SaveToFile(string path, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        SaveToFile(path, parameters: network.Parameters);
    }

    /// <summary>Loads a checkpoint file (see <see cref="Load(Stream, IOptimizer?, IEnumerable{Parameter}?)"/>).</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="optimizer">As in <see cref="Load(Stream, IOptimizer?, IEnumerable{Parameter}?)"/>.</param>
    /// <param name="parameters">As in <see cref="Load(Stream, IOptimizer?, IEnumerable{Parameter}?)"/>.</param>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static void LoadFromFile(string path, IOptimizer? optimizer = null, IEnumerable<Parameter>? parameters = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Load(file, optimizer, parameters);
    }

    /// <summary>Restores <paramref name="network"/>'s weights from a checkpoint file.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="network">A network of the same shape as the one saved.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static void LoadFromFile(string path, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        LoadFromFile(path, parameters: network.Parameters);
    }

    /// <summary>As the public overload; <paramref name="wrap"/> lets tests interrupt the write.</summary>
    internal static void SaveToFile(string path, IOptimizer? optimizer, IEnumerable<Parameter>? parameters, Func<Stream, Stream>? wrap)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var payload = BuildPayload(optimizer, parameters);
        AtomicFile.Write(path, stream => Envelope.Write(stream, payload), wrap);
    }

    private static PayloadWriter BuildPayload(IOptimizer? optimizer, IEnumerable<Parameter>? parameters)
    {
        var parameterList = Arguments(optimizer, parameters);
        var writer = new PayloadWriter();
        writer.WriteInt32((optimizer is null ? 0 : 1) + (parameterList is null ? 0 : 1));
        if (optimizer is not null)
        {
            int body = writer.BeginSection(CheckpointFormat.OptimizerSection);
            OptimizerSection.Write(writer, optimizer);
            writer.EndSection(body);
        }

        if (parameterList is not null)
        {
            int body = writer.BeginSection(CheckpointFormat.ParametersSection);
            ParametersSection.Write(writer, parameterList);
            writer.EndSection(body);
        }

        return writer;
    }

    private static Parameter[]? Arguments(IOptimizer? optimizer, IEnumerable<Parameter>? parameters)
    {
        if (optimizer is null && parameters is null)
        {
            throw new ArgumentException("Give an optimizer, parameters, or both; there is nothing to save or load.", nameof(optimizer));
        }

        if (optimizer is not null)
        {
            OptimizerSection.Decompose(optimizer, nameof(optimizer));
        }

        return parameters is null ? null : Check.Parameters(parameters, nameof(parameters));
    }

    private static PayloadReader Section(IReadOnlyDictionary<string, PayloadReader> sections, string name, string what)
        => sections.TryGetValue(name, out var reader)
            ? reader
            : throw new CheckpointException(CheckpointError.MissingSection,
                $"The checkpoint holds no {what} (section '{name}'); it holds: {string.Join(", ", sections.Keys.Select(k => $"'{k}'"))}.");
}
