namespace PhysarumSM.Containers.Tests.Docker;

/// <summary>Collects progress lines synchronously (unlike <see cref="Progress{T}"/>, nothing arrives after the call returns).</summary>
internal sealed class ProgressLines : IProgress<string>
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void Report(string value)
    {
        lock (_lines)
        {
            _lines.Add(value);
        }
    }
}
