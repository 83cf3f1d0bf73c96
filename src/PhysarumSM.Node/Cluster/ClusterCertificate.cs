using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PhysarumSM.Node.Cluster;

/// <summary>
/// Opens the <c>-cluster-cert</c> file. Why checked before anything starts: a missing file, a wrong password or a
/// certificate without its key must stop the node with one line naming the flag, not surface later as TLS handshakes
/// failing on every connection. The password never appears in a message.
/// </summary>
internal static class ClusterCertificate
{
    private const string Flag = "-cluster-cert";

    /// <summary>What to run when the user has no usable certificate yet.</summary>
    private const string MakeOne = "make one with deploy/make-cluster-cert.sh";

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>Loads the certificate and its private key from a PKCS#12 file.</summary>
    /// <param name="path">The <c>-cluster-cert</c> value.</param>
    /// <param name="password">The <c>-cluster-cert-password</c> (or PHYSARUM_CLUSTER_CERT_PASSWORD) value; null = none.</param>
    /// <param name="now">The current time, to refuse a certificate that is expired or not valid yet.</param>
    /// <exception cref="ClusterCertificateException">The file cannot be used; the message names the flag, the file and what to do.</exception>
    public static X509Certificate2 Load(string path, string? password, DateTimeOffset now)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ClusterCertificateException($"{Flag} {path}: no such file ({MakeOne})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ClusterCertificateException($"{Flag} {path}: cannot be read: {ex.Message}");
        }

        if (X509Certificate2.GetCertContentType(bytes) != X509ContentType.Pkcs12)
        {
            throw new ClusterCertificateException(
                $"{Flag} {path}: not a PKCS#12 (.pfx) file; bundle the certificate with its key (openssl pkcs12 -export -inkey KEY.pem -in CERT.pem -out cluster.pfx) or {MakeOne}");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(bytes, password);
        }
        catch (CryptographicException)
        {
            throw new ClusterCertificateException(
                $"{Flag} {path}: the password is wrong{(password is null ? " or missing" : "")} (give it with -cluster-cert-password or PHYSARUM_CLUSTER_CERT_PASSWORD)");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ClusterCertificateException(
                $"{Flag} {path}: holds no private key; every node proves it is in the cluster with the key, so export the certificate together with it (openssl pkcs12 -export -inkey KEY.pem ...)");
        }

        // Every node is both a TLS server (inbound silo and gateway connections) and a client (outbound to other silos).
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !(Allows(usage, ServerAuthentication) && Allows(usage, ClientAuthentication)))
        {
            certificate.Dispose();
            throw new ClusterCertificateException(
                $"{Flag} {path}: its extended key usage must allow both TLS server and client authentication (each node is both); {MakeOne}");
        }

        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            var (from, to) = (certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
            certificate.Dispose();
            throw new ClusterCertificateException(string.Create(CultureInfo.InvariantCulture,
                $"{Flag} {path}: valid only from {from:yyyy-MM-dd} to {to:yyyy-MM-dd} UTC; {MakeOne} and give it to every node"));
        }

        return certificate;
    }

    /// <summary>The certificate's SHA-256 fingerprint in hex, for the start-up line (it is public, unlike the key).</summary>
    public static string Fingerprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private static bool Allows(X509EnhancedKeyUsageExtension usage, string oid) =>
        usage.EnhancedKeyUsages.Cast<Oid>().Any(u => u.Value == oid);
}

/// <summary>The <c>-cluster-cert</c> file cannot be used; the message is one line for the user.</summary>
internal sealed class ClusterCertificateException(string message) : Exception(message);
