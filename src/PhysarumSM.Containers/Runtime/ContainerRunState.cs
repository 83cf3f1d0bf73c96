namespace PhysarumSM.Containers.Runtime;

/// <summary>
/// The engine's lifecycle state of a container. Why an enum: callers (adoption, warm pool) branch on it, and the
/// engine's strings are easy to misspell.
/// </summary>
public enum ContainerRunState
{
    /// <summary>A state this code does not know.</summary>
    Unknown,

    /// <summary>Created, never started.</summary>
    Created,

    /// <summary>Its process runs.</summary>
    Running,

    /// <summary>Frozen (warm pool): holds its memory, answers nothing.</summary>
    Paused,

    /// <summary>The engine is restarting it (never with this runtime's restart policy "no").</summary>
    Restarting,

    /// <summary>Being removed.</summary>
    Removing,

    /// <summary>Its process ended.</summary>
    Exited,

    /// <summary>The engine failed to stop or remove it.</summary>
    Dead,
}
