using System.Net;
using System.Net.Sockets;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Integration;

/// <summary>Bad input on the command line: the node exits non-zero with a message naming the flag, file or port.</summary>
[Collection(nameof(NodeProcessCollection))]
public sealed class NodeCommandLineTests
{
    private static CancellationTokenSource Guard() => new(TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Invalid_bootstrap_flag_names_the_flag_and_shows_the_expected_form()
    {
        using var guard = Guard();
        await using var node = NodeProcess.Start(NodePorts.Allocate(), ["-ephemeral", "-bootstrap", "/ip4/1.2.3.4/tcp/notaport"]);
        Assert.Equal(2, await node.Exited.WaitAsync(guard.Token));
        Assert.Contains(node.Lines, l => l.Contains("-bootstrap", StringComparison.Ordinal) && l.Contains("/p2p/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_P2P_BOOTSTRAPS_names_the_variable()
    {
        using var guard = Guard();
        await using var node = NodeProcess.Start(NodePorts.Allocate(), ["-ephemeral"], new Dictionary<string, string> { ["P2P_BOOTSTRAPS"] = "/ip4/127.0.0.1/tcp/4001 garbage" });
        Assert.Equal(2, await node.Exited.WaitAsync(guard.Token));
        Assert.Contains(node.Lines, l => l.Contains("P2P_BOOTSTRAPS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unreadable_key_file_names_the_file_and_what_to_do()
    {
        using var guard = Guard();
        var keyFile = Path.Combine(Directory.CreateTempSubdirectory("physarum-key-").FullName, "identity.key");
        await File.WriteAllBytesAsync(keyFile, [1, 2, 3, 4, 5], guard.Token);
        var ports = NodePorts.Allocate();
        await using var node = NodeProcess.Start(ports, NodeProcess.Flags(ports, keyFile, ports.Silo, psk: null));
        Assert.Equal(1, await node.Exited.WaitAsync(guard.Token));
        Assert.Contains(node.Lines, l => l.Contains("-keyfile", StringComparison.Ordinal) && l.Contains(keyFile, StringComparison.Ordinal));
        Assert.Equal([1, 2, 3, 4, 5], await File.ReadAllBytesAsync(keyFile, guard.Token)); // never overwritten
    }

    [Fact]
    public async Task Port_in_use_names_the_flag_and_port()
    {
        using var guard = Guard();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var ports = NodePorts.Allocate() with { P2p = port };
        await using var node = NodeProcess.Start(ports, [.. NodeProcess.Flags(ports, "/dev/null", ports.Silo, psk: null), "-ephemeral"]);
        Assert.Equal(1, await node.Exited.WaitAsync(guard.Token));
        Assert.Contains(node.Lines, l => l.Contains("-p2p-listen-addr", StringComparison.Ordinal) && l.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_lists_every_flag_of_the_original()
    {
        using var guard = Guard();
        await using var node = NodeProcess.Start(NodePorts.Allocate(), ["-h"]);
        Assert.Equal(0, await node.Exited.WaitAsync(guard.Token));
        foreach (var flag in new[] { "-bootstrap", "-psk", "-p2p-listen-addr", "-prom-listen-addr", "-hostname", "-keyfile", "-ephemeral", "-debug", "-redis" })
        {
            Assert.Contains(node.Lines, l => l.TrimStart().StartsWith(flag + " ", StringComparison.Ordinal));
        }
    }
}
