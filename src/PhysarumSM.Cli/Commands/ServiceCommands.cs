using System.CommandLine;
using System.Globalization;
using PhysarumSM.Cli.Overlay;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Cli.Commands;

/// <summary>`physarum service get|list|delete`: read and remove registry entries over the overlay.</summary>
internal static class ServiceCommands
{
    public static Command Get(GlobalOptions global)
    {
        var name = new Argument<string>("NAME") { Description = "the registered service name" };
        var command = new Command("get", "Show one registered service") { name };
        command.SetAction((parse, ct) => global.RunAsync(parse, ct, async (client, token) =>
        {
            var response = await client.SendAsync(new RegistryRequest { Op = "get", Name = parse.GetValue(name) }, token);
            var record = Expect(response).Record!;
            Print(record);
            return 0;
        }));
        return command;
    }

    public static Command List(GlobalOptions global)
    {
        var command = new Command("list", "List every registered service");
        command.SetAction((parse, ct) => global.RunAsync(parse, ct, async (client, token) =>
        {
            var response = Expect(await client.SendAsync(new RegistryRequest { Op = "list" }, token));
            Console.WriteLine($"{"NAME",-24} {"SOFT RTT",9} {"HARD RTT",9} {"CPU",5} {"MEM MiB",8}  IMAGE");
            foreach (var record in response.Records ?? [])
            {
                var s = record.Info;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Name,-24} {s.SoftRttMs,7}ms {s.HardRttMs,7}ms {s.CpuReq,5:0.##} {s.MemoryReq,8}  {s.DockerHash}"));
            }

            return 0;
        }));
        return command;
    }

    public static Command Delete(GlobalOptions global)
    {
        var name = new Argument<string>("NAME") { Description = "the registered service name" };
        var command = new Command("delete", "Remove a registered service") { name };
        command.SetAction((parse, ct) => global.RunAsync(parse, ct, async (client, token) =>
        {
            Expect(await client.SendAsync(new RegistryRequest { Op = "delete", Name = parse.GetValue(name) }, token));
            Console.WriteLine($"deleted {parse.GetValue(name)}");
            return 0;
        }));
        return command;
    }

    /// <summary>Turns a failed answer into the user's error line (exit 1; unreachable registry 3).</summary>
    public static RegistryResponse Expect(RegistryResponse response) => response.Ok
        ? response
        : throw new CliException(response.Error ?? $"registry error ({response.Code})", response.Code == "unavailable" ? 3 : 1);

    public static void Print(ServiceRecord record)
    {
        var s = record.Info;
        Console.WriteLine($"Name:           {s.Name}");
        Console.WriteLine($"DockerHash:     {s.DockerHash}");
        Console.WriteLine($"ContentHash:    {s.ContentHash}");
        Console.WriteLine($"NetworkSoftReq: RTT {s.SoftRttMs} ms");
        Console.WriteLine($"NetworkHardReq: RTT {s.HardRttMs} ms");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CpuReq:         {s.CpuReq} cores"));
        Console.WriteLine($"MemoryReq:      {s.MemoryReq} MiB");
        Console.WriteLine($"Version:        {record.Version} (registered {record.RegisteredAt:u}, updated {record.UpdatedAt:u})");
    }
}
