using System.Globalization;
using System.Net;
using PhysarumSM.Samples.Greeter;

// GreeterServer [port]: the port comes from the argument, else $SERVICE_PORT, else 8080 (the image's default).
var portText = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("SERVICE_PORT") ?? "8080";
if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync($"usage: GreeterServer [PORT]  (PORT 1-65535, default $SERVICE_PORT; got '{portText}')");
    return 2;
}

// No args to the builder: the port argument is ours, not a configuration switch.
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, port));
// Per-request info logs would flood the container log under load; startup, shutdown and errors still show.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

using var greeter = new GreetEndpoint(GreeterSettings.FromEnvironment());
var app = builder.Build();
app.MapGet("/", greeter.HandleAsync);
app.MapGet("/greet", greeter.HandleAsync);
app.MapPost("/echo", EchoEndpoint.HandleAsync);
app.MapGet("/bytes/{n}", BytesEndpoint.HandleAsync);
app.MapGet("/healthz", static context =>
{
    context.Response.ContentType = "text/plain; charset=utf-8";
    return context.Response.WriteAsync("ok\n");
});

await Console.Out.WriteLineAsync($"GreeterServer listening on port {port}");
await app.RunAsync();
return 0;
