using Microsoft.Extensions.Options;
using PhysarumSM.Contracts.Instances;
using StackExchange.Redis;

namespace PhysarumSM.Client.Hosting;

/// <summary>Refuses options the client could only fail on later (as a socket error or a wrong cluster), naming the key and what to do.</summary>
internal sealed class PhysarumClientOptionsValidator : IValidateOptions<PhysarumClientOptions>
{
    private const string Section = PhysarumClientOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, PhysarumClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{Section}:ClusterId must not be empty (the nodes use \"physarum\")");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{Section}:ServiceId must not be empty (the nodes use \"physarum\")");
        }

        if (options.UsesRedis)
        {
            if (options.Gateways.Count > 0)
            {
                failures.Add($"{Section}: set Redis or Gateways, not both (with Redis the client finds the gateways in the membership table)");
            }

            try
            {
                _ = ConfigurationOptions.Parse(options.Redis!);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{Section}:Redis '{options.Redis}' is not a Redis connection string: {ex.Message}");
            }
        }

        foreach (var gateway in options.Gateways)
        {
            if (!GatewayEndpoint.TryParse(gateway, out _))
            {
                failures.Add($"{Section}:Gateways entry '{gateway}' is not HOST:PORT (a node's -gateway-port, e.g. {PhysarumClientOptions.DefaultGateway})");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.GatewayUrl)
            && !(Uri.TryCreate(options.GatewayUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"{Section}:GatewayUrl '{options.GatewayUrl}' is not an absolute http:// or https:// URL (a node's -proxy-listen-addr, e.g. http://127.0.0.1:4200/)");
        }

        if (options.FromNode is { Length: > 0 } fromNode && (string.IsNullOrWhiteSpace(fromNode) || fromNode.Contains(InstanceKey.Separator, StringComparison.Ordinal)))
        {
            failures.Add($"{Section}:FromNode '{fromNode}' is not a peer ID (leave it unset to resolve from the node this client connects to)");
        }

        if (options.UsesTls && !File.Exists(options.ClusterCertificatePath))
        {
            failures.Add($"{Section}:ClusterCertificatePath '{options.ClusterCertificatePath}' does not exist (the nodes' -cluster-cert .pfx file)");
        }

        if (!options.UsesTls && !string.IsNullOrEmpty(options.ClusterCertificatePassword))
        {
            failures.Add($"{Section}:ClusterCertificatePassword is set but ClusterCertificatePath is not (the .pfx file it opens)");
        }

        if (options.EventPollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:EventPollInterval must be positive (got {options.EventPollInterval})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
