using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PhysarumSM.Client.Tests.Units;

/// <summary>
/// The cluster certificate options (the nodes' <c>-cluster-cert</c>): a usable file turns TLS on at registration; a
/// missing file, a wrong password or a file without the key fail there, naming the key and never the password.
/// </summary>
public sealed class ClusterCertificateOptionsTests : IDisposable
{
    private const string Password = "client-cert-test-password";

    private readonly string _directory = Directory.CreateTempSubdirectory("physarum-client-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_usable_certificate_file_is_accepted_at_registration()
    {
        var path = WritePfx(withKey: true);
        var services = new ServiceCollection();
        services.AddPhysarumClient(configure: o =>
        {
            o.ClusterCertificatePath = path;
            o.ClusterCertificatePassword = Password;
        });
        Assert.Contains(services, d => d.ServiceType == typeof(IClusterClient));
    }

    [Fact]
    public void A_missing_file_or_a_password_without_a_file_fails_validation_naming_the_key()
    {
        var missing = Path.Combine(_directory, "missing.pfx");
        var error = Assert.Throws<OptionsValidationException>(() => PhysarumClientHostingExtensions.Read(null, o => o.ClusterCertificatePath = missing));
        Assert.Contains($"Physarum:Client:ClusterCertificatePath '{missing}' does not exist", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<OptionsValidationException>(() => PhysarumClientHostingExtensions.Read(null, o => o.ClusterCertificatePassword = Password));
        Assert.Contains("ClusterCertificatePassword is set but ClusterCertificatePath is not", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "wrong", "the password is wrong")]
    [InlineData(true, null, "the password is wrong or missing")]
    [InlineData(false, Password, "holds no private key")]
    public void An_unusable_file_fails_at_registration_naming_the_key(bool withKey, string? password, string message)
    {
        var path = WritePfx(withKey);
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddPhysarumClient(configure: o =>
        {
            o.ClusterCertificatePath = path;
            o.ClusterCertificatePassword = password;
        }));
        Assert.Contains("Physarum:Client:ClusterCertificatePath", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A self-signed ECDSA P-256 certificate in a password-protected PKCS#12 file, with or without its key.</summary>
    private string WritePfx(bool withKey)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=physarum-cluster", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var exported = withKey ? certificate : X509CertificateLoader.LoadCertificate(certificate.RawData);
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, exported.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
