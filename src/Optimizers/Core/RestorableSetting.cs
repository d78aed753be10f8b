namespace Optimizers;

/// <summary>
/// A setting of an optimizer that may change between steps (the learning rate; a cycled momentum), which a checkpoint
/// saves and restores rather than compares.
/// </summary>
/// <param name="Name">The name in checkpoints, torch's where one exists ("lr").</param>
/// <param name="Get">Reads the current value; null when an <paramref name="Optional"/> setting is unset (a checkpoint
/// then does not hold it, as torch's param group lacks the key).</param>
/// <param name="Set">Writes a value that <paramref name="IsValid"/> accepted, or null to unset an optional setting.</param>
/// <param name="IsValid">Whether a value read from a checkpoint may be set (checked before anything is restored).</param>
/// <param name="Optional">Whether the setting may be unset: a checkpoint that does not hold it unsets it on loading.
/// A required setting (the learning rate) is in every checkpoint.</param>
internal sealed record RestorableSetting(string Name, Func<double?> Get, Action<double?> Set, Func<double, bool> IsValid, bool Optional = false);
