using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using PhysarumSM.Cli.Overlay;
using PhysarumSM.Cli.Proxy;

namespace PhysarumSM.Cli.Commands;

/// <summary>
/// `physarum proxy [--listen HOST] [--metrics [HOST]:PORT] PORT`: the original's standalone proxy. It joins the overlay
/// as an anonymous peer and serves <c>/{service}/{**path}</c> on HOST:PORT, resolving through the nearest node and
/// tunnelling to the instance's node. Exit codes: 0 stopped, 1 port busy, 2 bad usage, 3 no bootstrap reachable.
/// </summary>
internal static class ProxyCommand
{
    public static Command Create(GlobalOptions global)
    {
        var port = new Argument<int>("PORT")
        {
            Description = "the HTTP port to serve /{service}/{path} on, e.g. 4200",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 65535)
                {
                    return value;
                }

                result.AddError($"PORT must be a port number between 1 and 65535, got '{text}'");
                return 0;
            },
        };
        var listen = new Option<string>("--listen", "-listen")
        {
            Description = "the IP address to serve on (default 127.0.0.1; 0.0.0.0 serves every interface)",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        listen.Validators.Add(result => Check(result, v => TryParseHost(v, out _), "--listen must be an IP address such as 127.0.0.1 or 0.0.0.0"));
        var metrics = new Option<string?>("--metrics", "-metrics")
        {
            Description = "serve Prometheus /metrics on [HOST]:PORT (off by default; HOST defaults to every interface)",
        };
        metrics.Validators.Add(result => Check(result, v => TryParseHostPort(v, out _), "--metrics must be [HOST]:PORT, e.g. 127.0.0.1:9101 or :9101"));
        var debug = new Option<bool>("--debug", "-debug") { Description = "verbose logs" };

        var command = new Command("proxy", "Run a standalone proxy: serve /{service}/{path} on PORT through the mesh") { port, listen, metrics, debug };
        command.SetAction(async (parse, ct) =>
        {
            OverlaySettings overlay;
            try
            {
                overlay = OverlaySettings.Resolve(parse.GetValue(global.Bootstrap), parse.GetValue(global.Psk), Environment.GetEnvironmentVariable, noBootstrapExitCode: 3);
            }
            catch (CliException ex)
            {
                Console.Error.WriteLine($"physarum: proxy: {ex.Message}");
                return ex.ExitCode;
            }

            TryParseHost(parse.GetValue(listen)!, out var host);
            IPEndPoint? metricsEndPoint = null;
            if (parse.GetValue(metrics) is { } metricsText)
            {
                TryParseHostPort(metricsText, out metricsEndPoint);
            }

            var listenEndPoint = new IPEndPoint(host, parse.GetValue(port));
            if (metricsEndPoint is not null && metricsEndPoint.Port == listenEndPoint.Port)
            {
                Console.Error.WriteLine($"physarum: proxy: --metrics port {metricsEndPoint.Port} is PORT itself; give /metrics a port of its own");
                return 2;
            }

            var settings = new ProxySettings(overlay, listenEndPoint, metricsEndPoint, TimeSpan.FromSeconds(parse.GetValue(global.Timeout)), parse.GetValue(debug));
            return await ProxyApplication.RunAsync(settings, ct);
        });
        return command;
    }

    private static void Check(OptionResult result, Func<string, bool> isValid, string error)
    {
        if (result.GetValueOrDefault<string?>() is { } value && !isValid(value))
        {
            result.AddError($"{error} (got '{value}')");
        }
    }

    private static bool TryParseHost(string text, out IPAddress address)
    {
        if (text == "localhost")
        {
            address = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(text.Trim('[', ']'), out address!);
    }

    private static bool TryParseHostPort(string text, out IPEndPoint? endPoint)
    {
        endPoint = null;
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon];
        if (host.Length == 0)
        {
            endPoint = new IPEndPoint(IPAddress.Any, port);
            return true;
        }

        if (!TryParseHost(host, out var address))
        {
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
