using System.Numerics;
using Optimizers.Averaging;
using Optimizers.Schedules;

namespace Optimizers.Checkpoints;

// The overloads that also save and restore weight averages (AveragedParameters<T>): the "averaging" section (see
// AveragingSection and docs/checkpoint-format.md).
public static partial class Checkpoint
{
    /// <summary>
    /// Writes a checkpoint as <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/> does,
    /// with the weight averages of <paramref name="averaged"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="destination">A writable stream; the checkpoint is written from its current position.</param>
    /// <param name="optimizer">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>; null to save none.</param>
    /// <param name="parameters">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>; null to save none.</param>
    /// <param name="schedule">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>; null to save none.</param>
    /// <param name="averaged">The weight averages to save (mode, decay, count and averages); null to save none.</param>
    /// <remarks>
    /// <para>A stochastic-weight-averaging run in one file, resumed bit for bit (the averages, their count n and the
    /// optimizer, parameters and schedule, <see cref="SWALR"/> included, as in the other overloads):</para>
    /// <code>
    /// Checkpoint.SaveToFile("swa.ckpt", optimizer, parameters, swalr, averaged);
    /// // later, after building the same objects (the same decay: null for SWA, d for an EMA):
    /// Checkpoint.LoadFromFile("swa.ckpt", optimizer, parameters, swalr, averaged);
    /// </code>
    /// <para>
    /// The "averaging" section holds the element type, the mode (equal weights or EMA) and the decay, which are compared
    /// (bit for bit) rather than restored, <see cref="AveragedParameters{T}.AveragedCount"/> (torch's <c>n_averaged</c>),
    /// and each averaged parameter's name, length and average, which must match. Neither saving nor loading runs while the
    /// averages are swapped into the parameters (<see cref="AveragedParameters{T}.IsSwapped"/>): swap back first. A
    /// checkpoint without the section loads as before through the other overloads; asking for averages it lacks is a
    /// <see cref="CheckpointError.MissingSection"/>. Readers that do not know the section skip it.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/> (all four null), or the
    /// averages are swapped into the parameters.
    /// </exception>
    public static void Save<T>(Stream destination, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                               AveragedParameters<T>? averaged)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(destination));
        }

        Envelope.Write(destination, BuildPayload(optimizer, parameters, schedule, averaged));
    }

    /// <summary>
    /// Reads a checkpoint as <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/> does and
    /// also restores <paramref name="averaged"/>'s averages and count: everything asked for, or (on any failure) nothing.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="source">A readable stream positioned at the checkpoint; nothing after the checkpoint is read.</param>
    /// <param name="optimizer">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>; null to restore none.</param>
    /// <param name="parameters">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>; null to restore none.</param>
    /// <param name="schedule">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>; null to restore none.</param>
    /// <param name="averaged">The averages to restore, built over the same parameters with the same decay; null to restore none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/> (all four null), or the
    /// averages are swapped into the parameters.
    /// </exception>
    /// <exception cref="CheckpointException">
    /// The checkpoint is unreadable, lacks a section asked for, or does not fit (for the averages: another mode or decay,
    /// other parameters, another element type); nothing was changed.
    /// </exception>
    public static void Load<T>(Stream source, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                               AveragedParameters<T>? averaged)
        where T : unmanaged, IFloatingPointIeee754<T>
        => DoLoad(source, optimizer, parameters, schedule, ElementConversion.None, averaged);

    /// <summary>
    /// Reads a checkpoint as <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?, AveragedParameters{T}?)"/>
    /// does, converting state, values and averages saved in the other element type when <paramref name="conversion"/> says so.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="source">A readable stream positioned at the checkpoint; nothing after the checkpoint is read.</param>
    /// <param name="conversion">Whether and how to convert another element type (see <see cref="ElementConversion"/>).</param>
    /// <param name="optimizer">The optimizer to restore; null to restore none.</param>
    /// <param name="parameters">The parameters whose values to restore; null to restore none.</param>
    /// <param name="schedule">The schedule to restore; null to restore none.</param>
    /// <param name="averaged">The averages to restore; null to restore none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">All four are null, the stream is not readable, or the averages are swapped into the parameters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="conversion"/> is not a defined value.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit, or a value cannot be converted; nothing was changed.</exception>
    public static void Load<T>(Stream source, ElementConversion conversion, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters,
                               ISchedule? schedule, AveragedParameters<T>? averaged)
        where T : unmanaged, IFloatingPointIeee754<T>
        => DoLoad(source, optimizer, parameters, schedule, Defined(conversion), averaged);

    /// <summary>
    /// Writes a checkpoint file atomically (see <see cref="SaveToFile{T}(string, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?)"/>)
    /// with the weight averages of <paramref name="averaged"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="optimizer">The optimizer to save; null to save none.</param>
    /// <param name="parameters">Parameters whose values to save; null to save none.</param>
    /// <param name="schedule">The schedule to save; null to save none.</param>
    /// <param name="averaged">The weight averages to save; null to save none.</param>
    /// <exception cref="ArgumentException">As in <see cref="Save{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?, AveragedParameters{T}?)"/>, or the path is empty.</exception>
    /// <exception cref="IOException">The file system refused the write or the rename; the message names the checkpoint file.</exception>
    public static void SaveToFile<T>(string path, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                                     AveragedParameters<T>? averaged)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SaveToFile(path, optimizer, parameters, schedule, wrap: null, averaged);

    /// <summary>Loads a checkpoint file (see <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?, AveragedParameters{T}?)"/>).</summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="optimizer">The optimizer to restore; null to restore none.</param>
    /// <param name="parameters">The parameters whose values to restore; null to restore none.</param>
    /// <param name="schedule">The schedule to restore; null to restore none.</param>
    /// <param name="averaged">The averages to restore; null to restore none.</param>
    /// <exception cref="ArgumentException">As in <see cref="Load{T}(Stream, IOptimizerBase?, IEnumerable{Parameter{T}}?, ISchedule?, AveragedParameters{T}?)"/>, or the path is empty.</exception>
    /// <exception cref="CheckpointException">The checkpoint is unreadable or does not fit; nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file (or no such directory); the message names the checkpoint file.</exception>
    /// <exception cref="IOException">The file cannot be opened or read; the message names the checkpoint file.</exception>
    public static void LoadFromFile<T>(string path, IOptimizerBase? optimizer, IEnumerable<Parameter<T>>? parameters, ISchedule? schedule,
                                       AveragedParameters<T>? averaged)
        where T : unmanaged, IFloatingPointIeee754<T>
        => LoadFromFile(path, optimizer, parameters, schedule, ElementConversion.None, averaged);
}
