using Microsoft.Extensions.Options;

namespace PhysarumSM.Grains;

/// <summary>Rejects timeouts that would make the directory flap or never forget, at silo start rather than at first use.</summary>
internal sealed class MeshGrainOptionsValidator : IValidateOptions<MeshGrainOptions>
{
    public ValidateOptionsResult Validate(string? name, MeshGrainOptions options)
    {
        var failures = new List<string>();
        if (options.StaleAfter <= TimeSpan.Zero)
        {
            failures.Add($"{MeshGrainOptions.SectionName}:StaleAfter must be positive (got {options.StaleAfter})");
        }

        if (options.RemoveAfter < options.StaleAfter)
        {
            failures.Add($"{MeshGrainOptions.SectionName}:RemoveAfter ({options.RemoveAfter}) must be at least StaleAfter ({options.StaleAfter})");
        }

        if (options.SweepInterval <= TimeSpan.Zero)
        {
            failures.Add($"{MeshGrainOptions.SectionName}:SweepInterval must be positive (got {options.SweepInterval})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
