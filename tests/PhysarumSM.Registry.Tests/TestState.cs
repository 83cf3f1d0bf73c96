namespace PhysarumSM.Registry.Tests;

/// <summary>A grain state as the storage sees it: a plain class with a parameterless constructor.</summary>
public sealed class TestState
{
    public int Count { get; set; }

    public string Note { get; set; } = "";
}
