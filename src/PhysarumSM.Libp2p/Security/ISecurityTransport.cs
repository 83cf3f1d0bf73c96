using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Multiformats;

namespace PhysarumSM.Libp2p.Security;

/// <summary>An authenticated-encryption upgrade negotiated by multistream id (e.g. "/noise").</summary>
public interface ISecurityTransport
{
    /// <summary>The multistream protocol id of this security protocol.</summary>
    string ProtocolId { get; }

    /// <summary>Runs the responder side of the handshake.</summary>
    Task<SecuredConnection> SecureInboundAsync(Stream stream, CancellationToken cancellationToken);

    /// <summary>Runs the initiator side; fails with <see cref="HandshakeException"/> if the remote is not <paramref name="expectedRemote"/>.</summary>
    Task<SecuredConnection> SecureOutboundAsync(Stream stream, PeerId? expectedRemote, CancellationToken cancellationToken);
}

/// <summary>
/// Result of a security handshake. <paramref name="EarlyMuxer"/> is the muxer agreed inside the
/// handshake (Noise extensions), or null when multistream must pick it.
/// </summary>
public sealed record SecuredConnection(Stream Stream, PeerId RemotePeer, PublicKey RemoteKey, string? EarlyMuxer);
