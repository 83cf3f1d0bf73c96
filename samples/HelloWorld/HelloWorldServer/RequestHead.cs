namespace PhysarumSM.Samples.HelloWorld;

/// <summary>The parts of an HTTP/1.x request head this server needs; why so little: it answers every path the same.</summary>
internal sealed record RequestHead(string Method, long ContentLength, bool Close)
{
    /// <summary>Parses the request line and headers (without the blank line); null when it is not HTTP/1.x.</summary>
    public static RequestHead? Parse(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        // HTTP/1.0 closes by default, HTTP/1.1 keeps the connection unless told otherwise.
        var close = requestLine[2] == "HTTP/1.0";
        long contentLength = 0;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return null;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out contentLength)))
            {
                return null;
            }

            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close = value.Contains("close", StringComparison.OrdinalIgnoreCase)
                    || (close && !value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase));
            }
        }

        return new RequestHead(requestLine[0], contentLength, close);
    }
}
