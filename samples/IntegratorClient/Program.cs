using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PhysarumSM.Client;
using PhysarumSM.Samples.IntegratorClient;

// Flags are shorthands for configuration keys; Physarum__Client__* environment variables and appsettings.json work too.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--gateway"] = $"{PhysarumClientOptions.SectionName}:Gateways:0",
    ["--redis"] = $"{PhysarumClientOptions.SectionName}:Redis",
    ["--gateway-url"] = $"{PhysarumClientOptions.SectionName}:GatewayUrl",
    ["--service"] = $"{SampleSettings.SectionName}:Service",
    ["--path"] = $"{SampleSettings.SectionName}:Path",
    ["--watch"] = $"{SampleSettings.SectionName}:WatchSeconds",
    ["--connect-timeout"] = $"{SampleSettings.SectionName}:ConnectTimeoutSeconds",
});

// Orleans logs every failed connection attempt; the sample says once, below, what went wrong.
builder.Logging.SetMinimumLevel(LogLevel.Error).AddFilter("PhysarumSM", LogLevel.Warning).AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
builder.Services.Configure<SampleSettings>(builder.Configuration.GetSection(SampleSettings.SectionName));
builder.Services.AddSingleton<MeshTour>();

try
{
    builder.AddPhysarumClient();
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine($"bad settings: {ex.Message}");
    return 2;
}

using var host = builder.Build();
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var sample = host.Services.GetRequiredService<IOptions<SampleSettings>>().Value;
try
{
    using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
    {
        connect.CancelAfter(TimeSpan.FromSeconds(sample.ConnectTimeoutSeconds));
        try
        {
            await host.StartAsync(connect.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"the mesh could not be reached: no Orleans gateway answered within {sample.ConnectTimeoutSeconds} s");
            return 1;
        }
    }

    var exitCode = await host.Services.GetRequiredService<MeshTour>().RunAsync(stop.Token);
    await host.StopAsync(CancellationToken.None);
    return exitCode;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 130;   // Ctrl+C
}
catch (Exception ex)
{
    Console.Error.WriteLine($"the mesh could not be reached: {ex.Message}");
    return 1;
}
