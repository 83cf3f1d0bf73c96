using System.Text;
using Docker.DotNet;

namespace PhysarumSM.Containers.Runtime;

/// <summary>Reads a container's multiplexed log stream into lines; why apart: the frame loop is the only fiddly part of fetching logs.</summary>
internal static class ContainerLogReader
{
    public static async Task<IReadOnlyList<string>> ReadLinesAsync(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        // stdout and stderr frames arrive in the order they were written; keep that order.
        using var text = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF || read.Count == 0)
            {
                break;
            }

            text.Write(buffer, 0, read.Count);
        }

        var lines = Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length)
            .Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .ToList();
        if (lines[^1].Length == 0)
        {
            // the text ended with a newline (or was empty): no line after it
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
