using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PhysarumSM.Bench;

/// <summary>A benchmark peer in its own process (our stack or js-libp2p), driven by JSON lines on stdin/stdout.</summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private int _nextId;

    private PeerProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The peer's first listen address with /p2p/.</summary>
    public string Address { get; }

    public static async Task<PeerProcess> StartAsync(Stack stack, string? psk, string repoRoot)
    {
        var info = stack == Stack.CSharp
            ? new ProcessStartInfo("dotnet", [typeof(PeerProcess).Assembly.Location, "serve"])
            : new ProcessStartInfo("node", [Path.Combine(repoRoot, "tests", "interop-js", "peer.mjs")]);
        info.ArgumentList.Add("--listen");
        info.ArgumentList.Add("/ip4/127.0.0.1/tcp/0");
        if (psk is not null)
        {
            info.ArgumentList.Add("--psk");
            info.ArgumentList.Add(psk);
        }

        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            var message = TryParse(line);
            if (message?["event"]?.GetValue<string>() == "ready")
            {
                return new PeerProcess(process, message["addrs"]![0]!.GetValue<string>());
            }
        }

        throw new InvalidOperationException($"{stack} peer exited before it was ready");
    }

    /// <summary>Sends one command and returns its answer; throws with the peer's error when ok is false.</summary>
    public async Task<JsonObject> SendAsync(JsonObject command)
    {
        var id = ++_nextId;
        command["id"] = id;
        await _process.StandardInput.WriteLineAsync(command.ToJsonString());
        await _process.StandardInput.FlushAsync();
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var message = TryParse(line);
            if (message?["id"]?.GetValue<int>() != id)
            {
                continue;
            }

            if (message["ok"]?.GetValue<bool>() != true)
            {
                throw new InvalidOperationException($"peer command {command["cmd"]} failed: {message["error"]}");
            }

            return message;
        }

        throw new InvalidOperationException("peer exited");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await SendAsync(new JsonObject { ["cmd"] = "stop" }).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
        {
            // Already gone; kill below makes sure.
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static JsonObject? TryParse(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // a log line, not a message
        }
    }
}

/// <summary>Which libp2p implementation a benchmark peer runs.</summary>
internal enum Stack
{
    CSharp,
    Js,
}
