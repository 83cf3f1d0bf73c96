using System.Net;
using Microsoft.Extensions.Options;

namespace PhysarumSM.Registry.Cluster;

/// <summary>Rejects an etcd member configuration that could not start, with the flag to fix, before anything is launched.</summary>
internal sealed class EtcdMemberOptionsValidator : IValidateOptions<EtcdMemberOptions>
{
    public ValidateOptionsResult Validate(string? name, EtcdMemberOptions options)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(options.Ip, out var ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            failures.Add($"etcd member: -etcd-ip '{options.Ip}' must be this machine's IP address (not empty, not 0.0.0.0), as peers and clients reach it there");
        }

        if (options.ClientPort is < 1 or > 65535 || options.PeerPort is < 1 or > 65535 || options.ClientPort == options.PeerPort)
        {
            failures.Add($"etcd member: client port {options.ClientPort} and peer port {options.PeerPort} must be distinct ports in 1-65535");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("etcd member: no data directory given (the node's data directory)");
        }

        if (string.IsNullOrWhiteSpace(options.Name) || options.Name.Any(c => c is ',' or '=' || char.IsWhiteSpace(c)))
        {
            failures.Add($"etcd member: name '{options.Name}' must be non-empty without ',', '=' or spaces");
        }

        if (options.StartTimeout <= TimeSpan.Zero || options.StopTimeout <= TimeSpan.Zero
            || options.RestartDelay <= TimeSpan.Zero || options.MaxRestartDelay < options.RestartDelay)
        {
            failures.Add("etcd member: timeouts must be positive and MaxRestartDelay at least RestartDelay");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
