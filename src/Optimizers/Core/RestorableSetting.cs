namespace Optimizers;

/// <summary>
/// A setting of an optimizer that may change between steps (the learning rate; a cycled momentum), which a checkpoint
/// saves and restores rather than compares.
/// </summary>
/// <param name="Name">The name in checkpoints, torch's where one exists ("lr").</param>
/// <param name="Get">Reads the current value.</param>
/// <param name="Set">Writes a value that <paramref name="IsValid"/> accepted.</param>
/// <param name="IsValid">Whether a value read from a checkpoint may be set (checked before anything is restored).</param>
internal sealed record RestorableSetting(string Name, Func<double> Get, Action<double> Set, Func<double, bool> IsValid);
