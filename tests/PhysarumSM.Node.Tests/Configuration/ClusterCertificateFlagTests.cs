using PhysarumSM.Node.Configuration;

namespace PhysarumSM.Node.Tests.Configuration;

/// <summary>-cluster-cert and its password: read from flags or PHYSARUM_CLUSTER_CERT_PASSWORD, and refused when inconsistent.</summary>
public sealed class ClusterCertificateFlagTests
{
    private static NodeOptions Parse(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        NodeCommandLine.Parse(args, name => environment.GetValueOrDefault(name));

    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void Without_the_flag_orleans_connections_stay_plaintext()
    {
        var options = Parse(new Dictionary<string, string> { ["PHYSARUM_CLUSTER_CERT_PASSWORD"] = "machine-wide" });
        Assert.Null(options.ClusterCertificate);
        Assert.Null(options.ClusterCertificatePassword);
    }

    [Fact]
    public void The_flag_password_wins_over_the_environment()
    {
        var environment = new Dictionary<string, string> { ["PHYSARUM_CLUSTER_CERT_PASSWORD"] = "from-env" };
        Assert.Equal("from-env", Parse(environment, "-cluster-cert", "c.pfx").ClusterCertificatePassword);
        var options = Parse(environment, "--cluster-cert=c.pfx", "-cluster-cert-password", "from-flag");
        Assert.Equal("c.pfx", options.ClusterCertificate);
        Assert.Equal("from-flag", options.ClusterCertificatePassword);
        Assert.Null(Parse(NoEnvironment, "-cluster-cert", "c.pfx").ClusterCertificatePassword);
    }

    [Theory]
    [InlineData("-cluster-cert-password needs -cluster-cert", "-cluster-cert-password", "secret")]
    [InlineData("-cluster-cert must not be empty", "-cluster-cert=")]
    public void Inconsistent_flags_are_refused_naming_the_flag(string message, params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => Parse(NoEnvironment, args));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_both_flags()
    {
        Assert.Contains("-cluster-cert PATH", NodeCommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("-cluster-cert-password PASSWORD", NodeCommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("PHYSARUM_CLUSTER_CERT_PASSWORD", NodeCommandLine.Usage, StringComparison.Ordinal);
    }
}
