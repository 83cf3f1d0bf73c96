using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PhysarumSM.Cli.Overlay;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Cli.Commands;

/// <summary>
/// `physarum status [--json]`: the mesh's nodes (roles, liveness, RTT from the answering node, free capacity) and the
/// instances they run, asked of the bootstrap node over the overlay. Why from the CLI and not only the dashboard: an
/// operator with a bootstrap address and the PSK can see the mesh without reaching any node's admin port.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "print the status as JSON (for scripts)" };
        var command = new Command("status", "Show the mesh: nodes, their RTT from the answering node, capacity and instances") { json };
        command.SetAction((parse, ct) => global.RunAsync(parse, ct, async (client, token) =>
        {
            var response = ServiceCommands.Expect(await client.SendAsync(new RegistryRequest { Op = "status" }, token));
            var status = response.Status
                ?? throw new CliException("the node answered without a status: it runs an older version that has no 'status' operation");
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(status, RegistryWire.Json));
            }
            else
            {
                Print(status);
            }

            return 0;
        }));
        return command;
    }

    private static void Print(MeshStatus status)
    {
        var live = status.Nodes.Count(n => !n.Stale);
        var running = status.Nodes.Sum(n => n.Instances.Count(i => !i.Paused));
        var services = status.Services is { } count
            ? count.ToString(CultureInfo.InvariantCulture)
            : $"unknown ({status.RegistryError})";
        Console.WriteLine($"{status.Nodes.Count} node(s), {live} live; {running} instance(s) running; services registered: {services}");
        Console.WriteLine($"answered by {status.AnsweredBy} at {status.AsOf:u}");
        Console.WriteLine();
        Console.WriteLine($"{"NODE",-54} {"HOST",-16} {"STATE",-5} {"RTT",9} {"CPU FREE",11} {"MEM FREE",15} {"INST",6}  ROLES");
        foreach (var node in status.Nodes)
        {
            var rtt = node.RttMs is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms:0.00} ms") : "-";
            var capacity = node.Capacity;
            var cpu = capacity is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{capacity.FreeCpuCores:0.##}/{capacity.CpuCores:0.##}");
            var memory = capacity is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{capacity.FreeMemoryMiB}/{capacity.MemoryMiB} MiB");
            var instances = capacity is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{capacity.Instances}/{capacity.MaxInstances}");
            Console.WriteLine($"{node.PeerId,-54} {Clip(node.HostName, 16),-16} {(node.Stale ? "stale" : "live"),-5} {rtt,9} {cpu,11} {memory,15} {instances,6}  {node.Roles}");
        }

        var rows = status.Nodes.SelectMany(n => n.Instances.Select(i => (Node: n, Instance: i))).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine($"{"SERVICE",-24} {"INSTANCE",-8} {"STATE",-7} {"HOST",-16} {"REQUESTS",9}  {"LAST REQUEST",-20}  CONTAINER");
        foreach (var (node, instance) in rows.OrderBy(r => r.Instance.Service, StringComparer.Ordinal).ThenBy(r => r.Instance.InstanceId, StringComparer.Ordinal))
        {
            // The key is service/node/ordinal: the node column already names the node, so the ordinal is what tells instances apart.
            var ordinal = instance.InstanceId.Length == 0 ? "(pool)" : instance.InstanceId[(instance.InstanceId.LastIndexOf('/') + 1)..];
            var last = instance.LastRequestAt is { } at ? at.ToString("u", CultureInfo.InvariantCulture) : "never";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Clip(instance.Service, 24),-24} {ordinal,-8} {(instance.Paused ? "paused" : "running"),-7} {Clip(node.HostName, 16),-16} {instance.Requests,9}  {last,-20}  {instance.ContainerId[..Math.Min(12, instance.ContainerId.Length)]}"));
        }
    }

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
