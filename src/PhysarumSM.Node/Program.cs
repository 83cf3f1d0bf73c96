using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Node;

NodeFlags flags;
try
{
    flags = NodeFlags.Parse(args, Environment.GetEnvironmentVariable);
}
catch (HelpRequestedException)
{
    Console.WriteLine(NodeFlags.Usage);
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"physarum-node: {ex.Message}");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(b => b
    .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
    .SetMinimumLevel(flags.Debug ? LogLevel.Debug : LogLevel.Information));
var logger = loggerFactory.CreateLogger("physarum-node");

using var identity = flags.Ephemeral ? IdentityKey.Generate() : KeyFile.LoadOrCreate(flags.KeyFile);
var options = new Libp2pHostOptions
{
    ListenAddresses = [NodeFlags.ToListenMultiaddr(flags.P2pListenAddress).ToString()],
    PreSharedKey = flags.Psk is null ? null : PreSharedKey.FromPassphrase(flags.Psk),
};

await using var host = new Libp2pHost(identity, options, loggerFactory);
await host.StartAsync();
Console.WriteLine($"peer id: {host.PeerId}");
foreach (var address in host.ListenAddresses)
{
    Console.WriteLine($"listening: {address.WithPeerId(host.PeerId)}");
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

foreach (var bootstrap in flags.Bootstraps)
{
    try
    {
        await host.ConnectAsync(bootstrap, stop.Token);
        logger.LogInformation("connected to bootstrap {Bootstrap}", bootstrap);
    }
    catch (Exception ex) when (ex is IOException or OperationCanceledException)
    {
        logger.LogWarning("bootstrap {Bootstrap} unreachable: {Reason}", bootstrap, ex.Message);
    }
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    logger.LogInformation("shutting down");
}

return 0;
