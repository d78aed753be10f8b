using System.Numerics;
using Optimizers.Averaging;
using Optimizers.Networks;
using Optimizers.Schedules;

namespace Optimizers.Checkpoints;

/// <summary>
/// Saves an optimizer's complete state, parameter values (a model's weights) and a learning-rate schedule's position
/// to a stream or file, and loads them back so that training resumes bit for bit as if it had never stopped.
/// </summary>
/// <remarks>
/// <para>Typical use, a model, its optimizer and its schedule in one file:</para>
/// <code>
/// Checkpoint.SaveToFile("run.ckpt", optimizer, network.Parameters, schedule);
/// // later, in a fresh process, after building the same network, optimizer and schedule:
/// Checkpoint.LoadFromFile("run.ckpt", optimizer, network.Parameters, schedule);
/// </code>
/// <para>
/// The optimizer's state is: its element type (float32 or float64), and for each parameter group the rule by name
/// (<c>"Adam"</c>, the same for <see cref="Adam"/> and <c>Adam&lt;float&gt;</c>, never a .NET type name, so a checkpoint
/// does not depend on the library's or the runtime's version), <see cref="Optimizer.StepCount"/>,
/// <see cref="Optimizer.SkippedStepCount"/>, the recorded hyperparameters, the settings that may change between steps
/// (the learning rate, and the base learning rate that schedules share, torch's <c>initial_lr</c>), the parameters'
/// names and lengths, and every registered state buffer, all as their exact IEEE-754 bits. Settings that do not change
/// the trajectory (<see cref="Optimizer.NonFiniteGradients"/>, parallelism) are not saved. Gradients are not saved.
/// </para>
/// <para>
/// A schedule's position is: its type and constructor arguments, its epoch, its base and last learning rates per
/// parameter group, and its own counters (<see cref="CosineAnnealingWarmRestarts.TCur"/> and
/// <see cref="CosineAnnealingWarmRestarts.TI"/>, <see cref="ReduceLROnPlateau"/>'s best value, bad epochs and
/// cooldown, <see cref="SequentialLR"/>'s chained schedules). The optimizer's learning rates are part of the
/// optimizer's state, so resume both together. A schedule loads only into one of the same type built with the same
/// arguments over as many parameter groups.
/// </para>
/// <para>
/// Loading verifies before it changes anything: the format (signature, version, SHA-256 checksum, structure), then
/// that the checkpoint fits: the same rule and layout, the same element type (see <see cref="ElementConversion"/> for
/// converting), the same number of groups, the same parameter names and lengths in the same order, the same
/// hyperparameters bit for bit (the learning rates excepted: they are restored, since schedules change them) and the
/// same state names, and for a schedule the same type and arguments. Every failure throws
/// <see cref="CheckpointException"/> (its <see cref="CheckpointException.Error"/> says which kind) and leaves the
/// optimizer, the parameters and the schedule exactly as they were; only the stream's position has moved. Errors of
/// the stream itself propagate unchanged; the file methods name the file in theirs. The format is described in
/// docs/checkpoint-format.md; checkpoints of format version 1 (written before the element type became generic) still load.
/// </para>
/// <para>
/// Loading restores what it is given and reads only those sections: a checkpoint of an optimizer, its parameters and a
/// schedule can restore just the weights (for inference), or the optimizer without the schedule (to go on under a new
/// schedule, which then starts from the restored shared base learning rate). To resume a run exactly, pass all three.
/// </para>
/// <para>Thread safety: do not step or change the optimizer, parameters or schedule while saving or loading them.</para>
/// </remarks>
public static partial class Checkpoint
{
    /// <summary>
    /// Writes a checkpoint of <paramref name="optimizer"/>, the values of <paramref name="parameters"/> and/or the
    /// position of <paramref name="schedule"/>.
    /// </summary>
    /// <param name="destination">A writable stream; the checkpoint is written from its current position.</param>
    /// <param name="optimizer">An optimizer derived from <see cref="Optimizer"/>, or a <see cref="ParameterGroups"/>; null to save no optimizer.</param>
    /// <param name="parameters">Parameters whose values to save (for example <c>network.Parameters</c>); null to save none.</param>
    /// <param name="schedule">A schedule of <see cref="Optimizers.Schedules"/> (any of them, <see cref="ReduceLROnPlateau"/>
    /// and <see cref="SequentialLR"/> included); null to save none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// All three are null, the stream is not writable, the optimizer type is not supported, a parameter is null or
    /// repeated, or the schedule is a custom implementation.
    /// </exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void Save(Stream destination, IOptimizerBase? optimizer = null, IEnumerable<Parameter<double>>? parameters = null,
                            ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        => Save<double>(destination, optimizer, parameters, schedule);

    /// <summary>
    /// Writes a checkpoint of <paramref name="optimizer"/>, the values of <paramref name="parameters"/> (of element type
    /// <typeparamref name="T"/>) and/or the position of <paramref name="schedule"/>.
    /// </summary>
    /// <typeparam name="T">The element type of the parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="destination">A writable stream; the checkpoint is written from its current position.</param>
    /// <param name="optimizer">An optimizer derived from <see cref="Optimizer{T}"/>, or a <see cref="ParameterGroups{T}"/>; null to save no optimizer.</param>
    /// <param name="parameters">Parameters whose values to save (for example <c>network.Parameters</c>); null to save none.</param>
    /// <param name="schedule">A schedule of <see cref="Optimizers.Schedules"/>; null to save none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// All three are null, the stream is not writable, the optimizer type is not supported, a parameter is null or
    /// repeated, or the schedule is a custom implementation.
    /// </exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void Save<T>(Stream destination, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters,
                               ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(destination));
        }

        Envelope.Write(destination, BuildPayload(optimizer, parameters, schedule));
    }

    /// <summary>Writes a checkpoint of <paramref name="network"/>'s weights (every parameter's values).</summary>
    /// <param name="destination">A writable stream.</param>
    /// <param name="network">The network whose weights to save.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    /// <typeparam name="T">The network's element type.</typeparam>
    public static void Save<T>(Stream destination, Network<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        Save(destination, null, network.Parameters);
    }

    /// <summary>
    /// Reads a checkpoint and restores <paramref name="optimizer"/>'s state, the values of <paramref name="parameters"/>
    /// and/or <paramref name="schedule"/>'s position: everything asked for, or (on any failure) nothing.
    /// </summary>
    /// <param name="source">A readable stream positioned at the checkpoint; nothing after the checkpoint is read.</param>
    /// <param name="optimizer">The optimizer to restore, built like the one saved (a whole <see cref="ParameterGroups"/>,
    /// never one of its groups); null to restore no optimizer.</param>
    /// <param name="parameters">The parameters whose values to restore, in the saved order; null to restore none.</param>
    /// <param name="schedule">The schedule to restore, of the same type and built with the same arguments as the one
    /// saved (its own learning rates are restored; the optimizer's come from <paramref name="optimizer"/>); null to
    /// restore none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// All three are null, the stream is not readable, the optimizer type is not supported, the optimizer is a group
    /// of a <see cref="ParameterGroups"/>, or the schedule is a custom implementation.
    /// </exception>
    /// <exception cref="CheckpointException">
    /// The checkpoint is unreadable, lacks a section asked for, or does not fit (another rule, another element type,
    /// other parameters); nothing was changed.
    /// </exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void Load(Stream source, IOptimizerBase? optimizer = null, IEnumerable<Parameter<double>>? parameters = null,
                            ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        => DoLoad(source, optimizer, parameters, schedule, ElementConversion.None);

    /// <summary>
    /// Reads a checkpoint and restores <paramref name="optimizer"/>'s state, the values of <paramref name="parameters"/>
    /// (of element type <typeparamref name="T"/>) and/or <paramref name="schedule"/>'s position: everything asked for,
    /// or (on any failure) nothing.
    /// </summary>
    /// <typeparam name="T">The element type of the parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="source">A readable stream positioned at the checkpoint; nothing after the checkpoint is read.</param>
    /// <param name="optimizer">The optimizer to restore, built like the one saved (a whole <see cref="ParameterGroups{T}"/>,
    /// never one of its groups); null to restore no optimizer.</param>
    /// <param name="parameters">The parameters whose values to restore, in the saved order; null to restore none.</param>
    /// <param name="schedule">The schedule to restore, built like the one saved; null to restore none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// All three are null, the stream is not readable, the optimizer type is not supported, the optimizer is a group
    /// of a <see cref="ParameterGroups{T}"/>, or the schedule is a custom implementation.
    /// </exception>
    /// <exception cref="CheckpointException">
    /// The checkpoint is unreadable, lacks a section asked for, or does not fit (another rule, another element type,
    /// other parameters); nothing was changed.
    /// </exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void Load<T>(Stream source, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters,
                               ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        where T : unmanaged, IFloatingPointIeee754<T>
        => DoLoad(source, optimizer, parameters, schedule, ElementConversion.None);

    /// <summary>
    /// Reads a checkpoint as <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/> does,
    /// converting state and values saved in the other element type when <paramref name="conversion"/> says so: for
    /// example a float32 run continued in float64.
    /// </summary>
    /// <remarks>
    /// <code>
    /// Checkpoint.Load(stream, ElementConversion.RoundToNearest, adamOverDoubles, doubleParameters);   // a float32 checkpoint
    /// </code>
    /// A converted run does not continue the saved trajectory bit for bit (the arithmetic is in the other precision from
    /// then on). Everything else is checked as without conversion.
    /// </remarks>
    /// <param name="source">A readable stream positioned at the checkpoint; nothing after the checkpoint is read.</param>
    /// <param name="conversion">Whether and how to convert another element type (see <see cref="ElementConversion"/>).</param>
    /// <param name="optimizer">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="conversion"/> is not a defined value.</exception>
    /// <exception cref="CheckpointException">
    /// The checkpoint is unreadable, lacks a section asked for, or does not fit, or a value cannot be converted; nothing
    /// was changed.
    /// </exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void Load(Stream source, ElementConversion conversion, IOptimizerBase? optimizer = null,
                            IEnumerable<Parameter<double>>? parameters = null, ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        => DoLoad(source, optimizer, parameters, schedule, Defined(conversion));

    /// <summary>
    /// Reads a checkpoint as <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/> does,
    /// converting state and values saved in the other element type when <paramref name="conversion"/> says so (see
    /// <see cref="Load(Stream, ElementConversion, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>).
    /// </summary>
    /// <typeparam name="T">The element type of the parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="source">A readable stream positioned at the checkpoint; nothing after the checkpoint is read.</param>
    /// <param name="conversion">Whether and how to convert another element type (see <see cref="ElementConversion"/>).</param>
    /// <param name="optimizer">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="conversion"/> is not a defined value.</exception>
    /// <exception cref="CheckpointException">
    /// The checkpoint is unreadable, lacks a section asked for, or does not fit, or a value cannot be converted; nothing
    /// was changed.
    /// </exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void Load<T>(Stream source, ElementConversion conversion, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters,
                               ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        where T : unmanaged, IFloatingPointIeee754<T>
        => DoLoad(source, optimizer, parameters, schedule, Defined(conversion));

    /// <summary>Restores <paramref name="network"/>'s weights from a checkpoint that holds parameter values.</summary>
    /// <param name="source">A readable stream positioned at the checkpoint.</param>
    /// <param name="network">A network of the same shape as the one saved.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The stream is not readable.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    /// <typeparam name="T">The network's element type.</typeparam>
    public static void Load<T>(Stream source, Network<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        Load(source, null, network.Parameters);
    }

    /// <summary>
    /// Writes a checkpoint file atomically: into a temporary file in the same directory, flushed to disk, then
    /// renamed over <paramref name="path"/>. A crash or error mid-write leaves any previous file at
    /// <paramref name="path"/> intact.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="optimizer">As in <see cref="Save(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Save(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Save(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentException">As in <see cref="Save(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>, or the path is empty.</exception>
    /// <exception cref="IOException">
    /// The file system refused the write or the rename (a missing directory, no permission, a full disk, a file-size
    /// limit): its message names the checkpoint file, and the original exception is the inner one.
    /// </exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void SaveToFile(string path, IOptimizerBase? optimizer = null, IEnumerable<Parameter<double>>? parameters = null,
                                  ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        => SaveToFile(path, optimizer, parameters, schedule, wrap: null);

    /// <summary>Writes a checkpoint file atomically (see <see cref="SaveToFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>)
    /// with parameters of element type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The element type of the parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="optimizer">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentException">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>, or the path is empty.</exception>
    /// <exception cref="IOException">As in <see cref="SaveToFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void SaveToFile<T>(string path, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters,
                                     ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        where T : unmanaged, IFloatingPointIeee754<T>
        => SaveToFile(path, optimizer, parameters, schedule, wrap: null);

    /// <summary>Writes <paramref name="network"/>'s weights to a checkpoint file atomically (see <see cref="SaveToFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="network">The network whose weights to save.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="IOException">As in <see cref="SaveToFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</exception>
    /// <typeparam name="T">The network's element type.</typeparam>
    public static void SaveToFile<T>(string path, Network<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        SaveToFile(path, null, network.Parameters);
    }

    /// <summary>Loads a checkpoint file (see <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>).</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="optimizer">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentException">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>, or the path is empty.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file (or no such directory); the message names the checkpoint file.</exception>
    /// <exception cref="IOException">The file cannot be opened or read (no permission, a directory, a disk error): its
    /// message names the checkpoint file, and the original exception is the inner one.</exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void LoadFromFile(string path, IOptimizerBase? optimizer = null, IEnumerable<Parameter<double>>? parameters = null,
                                    ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        => LoadFromFile(path, optimizer, parameters, schedule, ElementConversion.None);

    /// <summary>Loads a checkpoint file (see <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>).</summary>
    /// <typeparam name="T">The element type of the parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="optimizer">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentException">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>, or the path is empty.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file (or no such directory); the message names the checkpoint file.</exception>
    /// <exception cref="IOException">As in <see cref="LoadFromFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void LoadFromFile<T>(string path, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters,
                                       ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        where T : unmanaged, IFloatingPointIeee754<T>
        => LoadFromFile(path, optimizer, parameters, schedule, ElementConversion.None);

    /// <summary>Loads a checkpoint file, converting another element type when <paramref name="conversion"/> says so (see
    /// <see cref="Load(Stream, ElementConversion, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>).</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="conversion">Whether and how to convert another element type (see <see cref="ElementConversion"/>).</param>
    /// <param name="optimizer">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentException">As in <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>, or the path is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="conversion"/> is not a defined value.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit, or a value cannot be converted; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file (or no such directory); the message names the checkpoint file.</exception>
    /// <exception cref="IOException">As in <see cref="LoadFromFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void LoadFromFile(string path, ElementConversion conversion, IOptimizerBase? optimizer = null,
                                    IEnumerable<Parameter<double>>? parameters = null, ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        => LoadFromFile(path, optimizer, parameters, schedule, Defined(conversion));

    /// <summary>Loads a checkpoint file with parameters of element type <typeparamref name="T"/>, converting another
    /// element type when <paramref name="conversion"/> says so (see
    /// <see cref="Load(Stream, ElementConversion, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>).</summary>
    /// <typeparam name="T">The element type of the parameters: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="conversion">Whether and how to convert another element type (see <see cref="ElementConversion"/>).</param>
    /// <param name="optimizer">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="parameters">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <param name="schedule">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>.</param>
    /// <exception cref="ArgumentException">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>, or the path is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="conversion"/> is not a defined value.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit, or a value cannot be converted; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file (or no such directory); the message names the checkpoint file.</exception>
    /// <exception cref="IOException">As in <see cref="LoadFromFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</exception>
#pragma warning disable RS0026, RS0027 // the overloads differ in the element type (and the averaging ones in a fifth argument); resolution is unambiguous
    public static void LoadFromFile<T>(string path, ElementConversion conversion, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters,
                                       ISchedule? schedule = null)
#pragma warning restore RS0026, RS0027
        where T : unmanaged, IFloatingPointIeee754<T>
        => LoadFromFile(path, optimizer, parameters, schedule, Defined(conversion));

    /// <summary>Restores <paramref name="network"/>'s weights from a checkpoint file.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="network">A network of the same shape as the one saved.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file (or no such directory); the message names the checkpoint file.</exception>
    /// <exception cref="IOException">As in <see cref="LoadFromFile(string, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/>.</exception>
    /// <typeparam name="T">The network's element type.</typeparam>
    public static void LoadFromFile<T>(string path, Network<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        LoadFromFile(path, null, network.Parameters);
    }

    /// <summary>Everything <see cref="Load(Stream, IOptimizerBase?, IEnumerable{Parameter{double}}?, ISchedule?)"/> and its overloads do.</summary>
    private static void DoLoad<T>(Stream source, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                                  ElementConversion conversion, AveragedParameters<T>? averaged = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(source));
        }

        var parameterList = Arguments(optimizer, parameters, schedule, averaged);
        if (optimizer is Optimizer { Owner: not null } group)
        {
            throw new ArgumentException(group.Owner is IOptimizerWrapper
                ? $"This {group.RuleName} is wrapped by a {Optimizer.RuleNameOf(group.Owner.GetType())}, whose state goes with it; load the wrapper."
                : $"This {group.RuleName} is a group of a ParameterGroups, whose groups share one step count; restoring it alone " +
                  "would set its step count apart from the others'. Load the ParameterGroups.", nameof(optimizer));
        }

        if (optimizer is ParameterGroups<double> { Owner: not null } or ParameterGroups<float> { Owner: not null }
            || optimizer is OptimizerWrapper<double> { Owner: not null } or OptimizerWrapper<float> { Owner: not null })
        {
            throw new ArgumentException(
                "This optimizer is wrapped by another, whose state goes with it; load the outermost wrapper.", nameof(optimizer));
        }

        var sections = Envelope.Read(source);

        // Parse and check everything into temporaries first (converted where asked) ...
        OptimizerSection? optimizerState = null;
        if (optimizer is not null)
        {
            optimizerState = OptimizerSection.Parse(Section(sections, CheckpointFormat.OptimizerSection, "optimizer state"))
                .Fit(optimizer, conversion);
        }

        ParametersSection? values = null;
        if (parameterList is not null)
        {
            values = ParametersSection.Parse(Section(sections, CheckpointFormat.ParametersSection, "parameter values"))
                .Fit(parameterList, conversion);
        }

        ScheduleState? position = null;
        if (schedule is not null)
        {
            position = ScheduleSection.Parse(Section(sections, CheckpointFormat.ScheduleSection, "schedule position"));
            ScheduleSection.Checkpointable(schedule, nameof(schedule)).Validate(position, "");
        }

        AveragingSection? averages = null;
        if (averaged is not null)
        {
            averages = AveragingSection.Parse(Section(sections, CheckpointFormat.AveragingSection, "weight averages"))
                .Fit(averaged, conversion);
        }

        // ... then commit: plain copies into arrays of checked lengths, which cannot fail.
        optimizerState?.Commit(optimizer!);
        values?.Commit(parameterList!);
        if (position is not null)
        {
            ScheduleSection.Checkpointable(schedule!, nameof(schedule)).Restore(position);
        }

        averages?.Commit(averaged!);
    }

    /// <summary>Opens <paramref name="path"/> and loads from it; the file system's errors name the checkpoint file.</summary>
    private static void LoadFromFile<T>(string path, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                                        ElementConversion conversion, AveragedParameters<T>? averaged = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"The checkpoint file '{path}' does not exist: {e.Message}", path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The checkpoint file '{path}' cannot be opened for reading: {e.Message}", e);
        }

        using (file)
        {
            try
            {
                DoLoad(file, optimizer, parameters, schedule, conversion, averaged);
            }
            catch (IOException e)
            {
                throw new IOException($"The checkpoint file '{path}' cannot be read: {e.Message}", e);
            }
        }
    }

    private static ElementConversion Defined(ElementConversion conversion) => Enum.IsDefined(conversion)
        ? conversion
        : throw new ArgumentOutOfRangeException(nameof(conversion), conversion, "Unknown element conversion.");

    /// <summary>As the public overload; <paramref name="wrap"/> lets tests interrupt the write.</summary>
    internal static void SaveToFile<T>(string path, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                                       Func<Stream, Stream>? wrap, AveragedParameters<T>? averaged = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var payload = BuildPayload(optimizer, parameters, schedule, averaged);
        AtomicFile.Write(path, "checkpoint file", stream => Envelope.Write(stream, payload), wrap);
    }

    private static PayloadWriter BuildPayload<T>(IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                                                 AveragedParameters<T>? averaged = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameterList = Arguments(optimizer, parameters, schedule, averaged);
        var writer = new PayloadWriter();
        writer.WriteInt32((optimizer is null ? 0 : 1) + (parameterList is null ? 0 : 1) + (schedule is null ? 0 : 1) + (averaged is null ? 0 : 1));
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

        if (schedule is not null)
        {
            int body = writer.BeginSection(CheckpointFormat.ScheduleSection);
            ScheduleSection.Write(writer, ScheduleSection.Checkpointable(schedule, nameof(schedule)).Capture());
            writer.EndSection(body);
        }

        if (averaged is not null)
        {
            int body = writer.BeginSection(CheckpointFormat.AveragingSection);
            AveragingSection.Write(writer, averaged);
            writer.EndSection(body);
        }

        return writer;
    }

    private static Parameter<T>[]? Arguments<T>(IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                                                AveragedParameters<T>? averaged = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (averaged is not null)
        {
            AveragingSection.Checkable(averaged, nameof(averaged));
        }

        if (optimizer is null && parameters is null && schedule is null && averaged is null)
        {
            throw new ArgumentException("Give an optimizer, parameters or a schedule; there is nothing to save or load.", nameof(optimizer));
        }

        if (schedule is not null)
        {
            ScheduleSection.Checkpointable(schedule, nameof(schedule));
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
