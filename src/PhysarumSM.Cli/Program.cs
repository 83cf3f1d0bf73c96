using System.CommandLine;
using PhysarumSM.Cli.Commands;

// physarum: exit codes 0 ok, 1 the request failed (message says why), 2 bad usage, 3 mesh unreachable.
var global = new GlobalOptions();
var service = new Command("service", "Register, inspect and remove services")
{
    AddCommand.Service(global),
    ServiceCommands.Get(global),
    ServiceCommands.List(global),
    ServiceCommands.Delete(global),
};
var root = new RootCommand("physarum: manage services of a PhysarumSM mesh over its overlay")
{
    global.Bootstrap,
    global.Psk,
    global.Timeout,
    service,
    AddCommand.Seed(global),
    ProxyCommand.Create(global),
    StatusCommand.Create(global),
    KeyCommands.Keygen(),
    KeyCommands.Psk(global),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"physarum: {error.Message}");
    }

    Console.Error.WriteLine("run 'physarum --help' for usage");
    return 2;
}

// The proxy stops its HTTP server and overlay host on SIGINT/SIGTERM; give it time to exit 0 rather than be cut off.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
