namespace Optimizers.Demo.Commands;

/// <summary>A command-line argument that parsed but cannot be used; its message is the one line shown to the user.</summary>
public sealed class DemoArgumentException(string message) : Exception(message);
