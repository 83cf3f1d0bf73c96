namespace PhysarumSM.Containers.Configuration;

/// <summary>
/// A service config that cannot be used. Why its own type: the CLI prints <see cref="Exception.Message"/> as is,
/// so every problem it lists says where it is and what to do about it.
/// </summary>
public sealed class ServiceConfigException : Exception
{
    /// <summary>Creates the exception from one or more problems (one per line in the message).</summary>
    public ServiceConfigException(IReadOnlyList<string> problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception from one problem.</summary>
    public ServiceConfigException(string problem)
        : this([problem])
    {
    }

    /// <summary>Creates the exception from one problem and its cause.</summary>
    public ServiceConfigException(string problem, Exception innerException)
        : base(problem, innerException)
    {
        Problems = [problem];
    }

    /// <summary>Creates an exception with a default message (for serializers and tooling).</summary>
    public ServiceConfigException()
        : this("the service config is not valid")
    {
    }

    /// <summary>Each problem found, in file order where that is known.</summary>
    public IReadOnlyList<string> Problems { get; }
}
