namespace PhysarumSM.Containers.Images;

/// <summary>
/// The engine refused or failed a build, save or push; the message carries the engine's own error text.
/// Why its own type: the CLI prints it as the one line the user needs (e.g. which RUN step failed and how).
/// </summary>
public sealed class ImageBuildException : Exception
{
    /// <summary>Creates the exception with the engine's explanation in <paramref name="message"/>.</summary>
    public ImageBuildException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ImageBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public ImageBuildException()
        : base("the image operation failed")
    {
    }
}
