using System.Diagnostics;

namespace PhysarumSM.TestKit;

/// <summary>
/// A Linux network namespace joined to the host by a veth pair: the namespace gets its own address (<see cref="Address"/>),
/// the host end <see cref="HostAddress"/>, and a default route through it. Why: a node started inside is a machine of its
/// own on the network (its own interfaces, loopback and ports), the closest one box gets to a second machine.
/// Needs root and iproute2; <see cref="TryCreateAsync"/> says why when the machine does not allow it.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private NetworkNamespace(string name, string hostAddress, string address)
    {
        Name = name;
        HostAddress = hostAddress;
        Address = address;
    }

    /// <summary>The namespace's name (for `ip netns exec`).</summary>
    public string Name { get; }

    /// <summary>The host end of the veth pair: how the namespace reaches the host.</summary>
    public string HostAddress { get; }

    /// <summary>The namespace's own address: how the host reaches it.</summary>
    public string Address { get; }

    /// <summary>Creates a namespace, or returns null with the reason when the machine does not allow one.</summary>
    public static async Task<(NetworkNamespace? Namespace, string Reason)> TryCreateAsync(CancellationToken cancellationToken)
    {
        // Short names: interface names are limited to 15 characters. A random /30 in 10.231.0.0/16 keeps parallel runs apart.
        var id = Random.Shared.Next(1, 16000);
        var name = FormattableString.Invariant($"phy{id}");
        var third = id / 64;
        var fourth = (id % 64) * 4;
        var host = FormattableString.Invariant($"10.231.{third}.{fourth + 1}");
        var inside = FormattableString.Invariant($"10.231.{third}.{fourth + 2}");
        var created = new NetworkNamespace(name, host, inside);
        string[][] steps =
        [
            ["netns", "add", name],
            ["link", "add", $"vh{id}", "type", "veth", "peer", "name", $"vn{id}"],
            ["link", "set", $"vn{id}", "netns", name],
            ["addr", "add", $"{host}/30", "dev", $"vh{id}"],
            ["link", "set", $"vh{id}", "up"],
            ["netns", "exec", name, "ip", "addr", "add", $"{inside}/30", "dev", $"vn{id}"],
            ["netns", "exec", name, "ip", "link", "set", $"vn{id}", "up"],
            ["netns", "exec", name, "ip", "link", "set", "lo", "up"],
            ["netns", "exec", name, "ip", "route", "add", "default", "via", host],
        ];
        foreach (var step in steps)
        {
            var (code, output) = await RunAsync(step, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                await created.DisposeAsync().ConfigureAwait(false);
                return (null, $"`ip {string.Join(' ', step)}` failed ({code}): {output.Trim()}");
            }
        }

        return (created, "");
    }

    /// <summary>Deletes the namespace (which removes the veth pair with it).</summary>
    public async ValueTask DisposeAsync()
    {
        await RunAsync(["netns", "del", Name], CancellationToken.None).ConfigureAwait(false);
        var id = Name[3..];
        await RunAsync(["link", "del", $"vh{id}"], CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            var output = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                         + await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"iproute2's `ip` could not be run: {ex.Message}");
        }
    }

    /// <summary>The command line that runs <paramref name="executable"/> inside the namespace.</summary>
    internal IEnumerable<string> Prefix(string executable) => ["netns", "exec", Name, executable];
}
