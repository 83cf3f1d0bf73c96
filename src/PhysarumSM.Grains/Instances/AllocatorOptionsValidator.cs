using Microsoft.Extensions.Options;

namespace PhysarumSM.Grains.Instances;

/// <summary>Rejects allocator settings that would cull at once, never wait, or give containers an impossible port.</summary>
internal sealed class AllocatorOptionsValidator : IValidateOptions<AllocatorOptions>
{
    public ValidateOptionsResult Validate(string? name, AllocatorOptions options)
    {
        var failures = new List<string>();
        if (options.IdleTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{AllocatorOptions.SectionName}:IdleTimeout must be positive, got {options.IdleTimeout}");
        }

        if (options.ReadyTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{AllocatorOptions.SectionName}:ReadyTimeout must be positive, got {options.ReadyTimeout}");
        }

        if (options.ServicePort is < 1 or > 65535)
        {
            failures.Add($"{AllocatorOptions.SectionName}:ServicePort must be within 1..65535, got {options.ServicePort}");
        }

        if (options.ProxyPort is < 0 or > 65535 || options.MetricsPort is < 0 or > 65535)
        {
            failures.Add($"{AllocatorOptions.SectionName}: ProxyPort and MetricsPort must be within 0..65535");
        }

        if (options.MaxInstances < 1 || options.CpuCores is <= 0 || options.MemoryMiB is <= 0)
        {
            failures.Add($"{AllocatorOptions.SectionName}: MaxInstances, CpuCores and MemoryMiB must be positive (or CpuCores/MemoryMiB unset)");
        }

        if (options.WarmPoolTtl < TimeSpan.Zero)
        {
            failures.Add($"{AllocatorOptions.SectionName}:WarmPoolTtl must be zero (disabled) or positive, got {options.WarmPoolTtl}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
