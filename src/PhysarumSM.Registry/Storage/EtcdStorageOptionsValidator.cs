using Microsoft.Extensions.Options;

namespace PhysarumSM.Registry.Storage;

/// <summary>Rejects unusable etcd settings at silo start, naming the storage, rather than at the first grain call.</summary>
internal sealed class EtcdStorageOptionsValidator : IValidateOptions<EtcdStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, EtcdStorageOptions options)
    {
        var failures = new List<string>();
        var storage = string.IsNullOrEmpty(name) ? "etcd storage" : $"etcd storage '{name}'";
        if (options.Endpoints.Count == 0)
        {
            failures.Add($"{storage} has no endpoints: start a node with -new-etcd-cluster or pass -etcd-endpoints");
        }

        foreach (var endpoint in options.Endpoints)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                failures.Add($"{storage}: endpoint '{endpoint}' is not an http(s)://HOST:PORT URL");
            }
        }

        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix[0] != '/' || options.KeyPrefix.EndsWith('/'))
        {
            failures.Add($"{storage}: KeyPrefix '{options.KeyPrefix}' must start with '/' and not end with one (e.g. /physarum)");
        }

        if (options.OperationTimeout <= TimeSpan.Zero || options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{storage}: OperationTimeout ({options.OperationTimeout}) and ConnectTimeout ({options.ConnectTimeout}) must be positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
