using System.Globalization;
using PhysarumSM.Samples.HelloWorld;

// HelloWorldServer [port]: the port comes from the argument, else $SERVICE_PORT, else 8080 (the image's default).
var portText = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("SERVICE_PORT") ?? "8080";
if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync($"usage: HelloWorldServer [PORT]  (PORT 1-65535, default $SERVICE_PORT; got '{portText}')");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var server = new HelloServer(port);
await Console.Out.WriteLineAsync($"HelloWorldServer listening on port {port}");
await server.RunAsync(stop.Token);
return 0;
