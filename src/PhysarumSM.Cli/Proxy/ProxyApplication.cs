using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using PhysarumSM.Cli.Overlay;
using PhysarumSM.Gateway.Forwarding;
using Prometheus;

namespace PhysarumSM.Cli.Proxy;

/// <summary>
/// Runs `physarum proxy`: binds its HTTP port(s) first (a busy port fails at once, exit 1), then joins the overlay
/// (no bootstrap reachable: exit 3), then prints the ready line and serves until SIGINT/SIGTERM (exit 0).
/// </summary>
internal static class ProxyApplication
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(ProxySettings settings, CancellationToken cancellationToken)
    {
        var app = Build(settings);
        var stopped = false;
        try
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                var hint = settings.Metrics is null ? "choose a free PORT" : "choose a free PORT and --metrics address";
                Console.Error.WriteLine($"physarum: proxy: {ex.Message.TrimEnd('.')}; {hint}");
                return 1;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.JoinTimeout);
                await app.Services.GetRequiredService<BootstrapLinks>().JoinAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (CliException ex)
            {
                Console.Error.WriteLine($"physarum: proxy: {ex.Message}");
                return ex.ExitCode;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"physarum: proxy: no bootstrap node answered within {settings.JoinTimeout.TotalSeconds:0} s (check --bootstrap and --psk)");
                return 3;
            }

            Console.WriteLine($"proxy listening on {settings.ListenUrl}");
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);   // stops the host too
            stopped = true;
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;   // SIGINT/SIGTERM while starting
        }
        finally
        {
            if (!stopped)
            {
                await StopQuietlyAsync(app).ConfigureAwait(false);
            }

            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    // After a failed start or join: whatever is left running stops within the shutdown timeout, without a stack trace.
    private static async Task StopQuietlyAsync(WebApplication app)
    {
        using var stop = new CancellationTokenSource(ShutdownTimeout);
        try
        {
            await app.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Past the shutdown timeout; disposing ends the rest.
        }
    }

    private static WebApplication Build(ProxySettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        // Logs go to stderr: stdout carries only the ready line, which scripts wait for.
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(settings.Debug ? LogLevel.Debug : LogLevel.Information);
        if (!settings.Debug)
        {
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddFilter("Yarp", LogLevel.Warning);
            // A failed start (busy port) is reported as one line above; a crashing service still logs Critical.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(settings.Listen);
            if (settings.Metrics is { } metrics)
            {
                k.Listen(metrics);
            }
        });

        var registry = Metrics.NewCustomRegistry();
        builder.Services.AddPhysarumProxy(settings, registry);

        var app = builder.Build();
        app.UsePhysarumGateway(settings.Listen.Port);
        app.UseRouting();   // after the gateway: left implicit, endpoint matching would run first on every proxied request
        if (settings.Metrics is not null)
        {
            app.MapMetrics("/metrics", registry);
        }

        return app;
    }
}
