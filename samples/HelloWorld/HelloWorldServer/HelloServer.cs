using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PhysarumSM.Samples.HelloWorld;

/// <summary>
/// A minimal HTTP/1.1 server over raw sockets that answers GET and HEAD on any path with "Hello, world".
/// Why not Kestrel or HttpListener: the trimmed self-contained binary stays a few MB and starts in milliseconds,
/// which is what a scale-from-zero instance needs.
/// </summary>
internal sealed class HelloServer(int port)
{
    private const int MaxHeaderBytes = 16 * 1024;
    private static readonly byte[] Body = "Hello, world\n"u8.ToArray();

    /// <summary>Accepts connections until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Any, port));
        listener.Listen(512);
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = ServeAsync(connection, cancellationToken);
        }
    }

    // One connection: requests in sequence (keep-alive), until the client closes or asks to.
    private static async Task ServeAsync(Socket connection, CancellationToken cancellationToken)
    {
        using var _ = connection;
        connection.NoDelay = true;
        var buffer = new byte[MaxHeaderBytes];
        var filled = 0;
        try
        {
            while (true)
            {
                var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
                if (end < 0)
                {
                    if (filled == buffer.Length)
                    {
                        await SendAsync(connection, "431 Request Header Fields Too Large", includeBody: false, close: true, cancellationToken);
                        return;
                    }

                    var read = await connection.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    continue;
                }

                var head = Encoding.ASCII.GetString(buffer, 0, end);
                var request = RequestHead.Parse(head);
                var consumed = end + 4;
                if (request is null)
                {
                    await SendAsync(connection, "400 Bad Request", includeBody: false, close: true, cancellationToken);
                    return;
                }

                // A body (not expected with GET) is skipped so the next request starts where it should.
                var skip = request.ContentLength;
                var buffered = Math.Min(skip, filled - consumed);
                consumed += (int)buffered;
                skip -= buffered;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                while (skip > 0)
                {
                    var read = await connection.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(skip, buffer.Length)), cancellationToken);
                    if (read == 0)
                    {
                        return;
                    }

                    skip -= read;
                }

                var status = request.Method is "GET" or "HEAD" ? "200 OK" : "405 Method Not Allowed";
                await SendAsync(connection, status, includeBody: request.Method == "GET", request.Close, cancellationToken);
                if (request.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away or the server is stopping
        }
    }

    private static async Task SendAsync(Socket connection, string status, bool includeBody, bool close, CancellationToken cancellationToken)
    {
        var ok = status.StartsWith("200", StringComparison.Ordinal);
        var headers = $"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {(ok ? Body.Length : 0)}\r\n"
            + (ok ? "" : "Allow: GET, HEAD\r\n")
            + (close ? "Connection: close\r\n" : "")
            + "\r\n";
        var bytes = Encoding.ASCII.GetBytes(headers);
        await connection.SendAsync(bytes, cancellationToken);
        if (ok && includeBody)
        {
            await connection.SendAsync(Body, cancellationToken);
        }
    }
}
