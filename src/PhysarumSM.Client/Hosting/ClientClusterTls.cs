using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace PhysarumSM.Client.Hosting;

/// <summary>
/// The client's side of the nodes' mutual TLS (<c>-cluster-cert</c>): present the cluster certificate and accept only a
/// gateway presenting the same one. Why pinned rather than chain-validated: the cluster certificate is typically
/// self-signed. Mirrors physarum-node's Cluster/ClusterTls.cs; keep the two in step.
/// </summary>
internal static class ClientClusterTls
{
    private const string PathKey = $"{PhysarumClientOptions.SectionName}:ClusterCertificatePath";

    /// <summary>Loads <see cref="PhysarumClientOptions.ClusterCertificatePath"/> and turns TLS on for every gateway connection.</summary>
    /// <exception cref="ArgumentException">The file is not a PKCS#12 file, the password is wrong, or it holds no private key; the message names the key.</exception>
    public static void Apply(IClientBuilder client, PhysarumClientOptions options)
    {
        var certificate = Load(options.ClusterCertificatePath!.Trim(), string.IsNullOrEmpty(options.ClusterCertificatePassword) ? null : options.ClusterCertificatePassword);
        var pinned = certificate.GetCertHash(HashAlgorithmName.SHA256);
        client.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;

            // Replaces the platform's chain and name checks, which a self-signed certificate fails by design.
            tls.RemoteCertificateValidation = (presented, _, _) =>
                presented is not null && CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned);
        });
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{PathKey} '{path}' cannot be read: {ex.Message}", ex);
        }

        if (X509Certificate2.GetCertContentType(bytes) != X509ContentType.Pkcs12)
        {
            throw new ArgumentException($"{PathKey} '{path}' is not a PKCS#12 (.pfx) file; use the file the nodes get as -cluster-cert");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(bytes, password);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException(
                $"{PathKey} '{path}': the password is wrong{(password is null ? " or missing" : "")} (set {PhysarumClientOptions.SectionName}:ClusterCertificatePassword)", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException($"{PathKey} '{path}' holds no private key; the client proves it belongs to the cluster with it, so use the .pfx with the key");
        }

        return certificate;
    }
}
