using System.Net;
using System.Net.Sockets;

namespace PhysarumSM.TestKit;

/// <summary>Loopback ports that were free a moment ago. Why not port 0: node flags need the number up front.</summary>
public static class FreePorts
{
    /// <summary>Returns <paramref name="count"/> distinct ports, held open together so none repeats.</summary>
    public static int[] Take(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                sockets.Add(socket);
            }

            return sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}
