namespace PhysarumSM.Client;

/// <summary>
/// The client found no node to enter the mesh through: no node to resolve from (<see cref="PhysarumClientOptions.FromNode"/>)
/// or no HTTP gateway reachable from this machine (<see cref="PhysarumClientOptions.GatewayUrl"/>). The message says
/// which, and which option to set.
/// </summary>
public sealed class EntryNodeNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception with a message saying what is missing and what to set.</summary>
    /// <param name="message">What is missing and what to set.</param>
    public EntryNodeNotFoundException(string message) : base(message) { }
}
