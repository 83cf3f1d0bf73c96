namespace PhysarumSM.Grains.Tests;

public sealed class MeshGrainOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new MeshGrainOptionsValidator().Validate(null, new MeshGrainOptions()).Succeeded);
    }

    [Fact]
    public void Removal_before_staleness_is_rejected_with_both_values_named()
    {
        var options = new MeshGrainOptions { StaleAfter = TimeSpan.FromMinutes(2), RemoveAfter = TimeSpan.FromMinutes(1) };

        var result = new MeshGrainOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("RemoveAfter (00:01:00) must be at least StaleAfter (00:02:00)", result.FailureMessage);
    }
}
