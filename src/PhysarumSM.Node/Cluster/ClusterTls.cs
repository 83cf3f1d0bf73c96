using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace PhysarumSM.Node.Cluster;

/// <summary>
/// Mutual TLS on every Orleans connection (silo to silo, client to gateway) with one shared cluster certificate.
/// Why pin that exact certificate rather than validate a chain: it is typically self-signed, so a chain proves nothing;
/// a peer that presents it and completes the handshake holds its private key, and that is what membership means here.
/// PhysarumSM.Client does the same on the client side (Hosting/ClientClustering.cs); keep the two in step.
/// </summary>
internal static class ClusterTls
{
    /// <summary>Inbound silo and gateway connections require the cluster certificate; outbound ones present it and require it back.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, tls => Configure(tls, certificate));

    /// <summary>Both directions: present <paramref name="certificate"/>, and accept only a peer presenting it too.</summary>
    internal static void Configure(TlsOptions tls, X509Certificate2 certificate)
    {
        var pinned = certificate.GetCertHash(HashAlgorithmName.SHA256);
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;

        // Replaces the platform's chain and name checks (a self-signed certificate fails them by design).
        tls.RemoteCertificateValidation = (presented, _, _) => IsPinned(presented, pinned);
    }

    /// <summary>True when <paramref name="presented"/> is the certificate whose SHA-256 hash is <paramref name="pinned"/>.</summary>
    internal static bool IsPinned(X509Certificate2? presented, byte[] pinned) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned);
}
