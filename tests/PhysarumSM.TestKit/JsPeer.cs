using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PhysarumSM.TestKit;

/// <summary>
/// A js-libp2p 3.x peer (tests/interop-js/peer.mjs) running as a child process, driven over JSON
/// lines: commands on stdin, replies and events on stdout. Why a separate process: the reference
/// implementation then runs unmodified, and our stack meets it over real TCP exactly as in production.
/// The contract is documented in tests/interop-js/README.md.
/// </summary>
public sealed class JsPeer : IAsyncDisposable
{
    private const int StderrLinesKept = 200;
    private const int EventsKept = 10_000;
    private static readonly TimeSpan StartGuard = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SetupGuard = TimeSpan.FromMinutes(10);
    private static readonly JsonSerializerOptions CommandJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static bool setupDone;

    private readonly Process process;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly Dictionary<long, TaskCompletionSource<JsonElement>> pending = [];
    private readonly List<JsonElement> events = [];
    private readonly List<(Func<JsonElement, bool> Predicate, TaskCompletionSource<JsonElement> Tcs)> eventWaiters = [];
    private readonly Queue<string> stderrLines = new();
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object gate = new();
    private Task stdoutPump = Task.CompletedTask;
    private long nextId;
    private string? exitReason;
    private bool disposed;

    private JsPeer(Process process)
    {
        this.process = process;
    }

    /// <summary>The js peer's ID (Ed25519, base58 <c>12D3KooW…</c>).</summary>
    public string PeerId { get; private set; } = "";

    /// <summary>Listen addresses from the ready line, each ending in <c>/p2p/PeerId</c>.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>The first listen address (with <c>/p2p/</c>), the usual dial target.</summary>
    public string Address => Addresses[0];

    /// <summary>The OS process id of the node process.</summary>
    public int ProcessId => process.Id;

    /// <summary>The last lines the process wrote to stderr (set DEBUG=libp2p:* in the environment for traces).</summary>
    public string StandardError
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', stderrLines);
            }
        }
    }

    /// <summary>Every event line received so far (ready, connection:open/close, error), oldest first.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (gate)
            {
                return [.. events];
            }
        }
    }

    /// <summary>The repository root: the nearest folder holding PhysarumSM.sln above the test binaries.</summary>
    public static string RepoRoot => RepositoryRoot.Path;

    /// <summary>tests/interop-js in the repository.</summary>
    public static string PeerDirectory => Path.Combine(RepoRoot, "tests", "interop-js");

    /// <summary>Starts a js peer listening on 127.0.0.1 (random port) and waits for its ready line.</summary>
    /// <param name="psk">PhysarumSM passphrase; the key is SHA3-256 of it. Null: no private network.</param>
    /// <param name="seedHex">64 hex characters: Ed25519 seed for a fixed peer ID. Null: random identity.</param>
    public static Task<JsPeer> StartAsync(string? psk = null, string? seedHex = null, CancellationToken ct = default) =>
        StartAsync(psk, seedHex, listen: null, environment: null, ct);

    /// <summary>Starts a js peer with explicit listen addresses and extra environment (e.g. DEBUG).</summary>
    public static async Task<JsPeer> StartAsync(
        string? psk,
        string? seedHex,
        IReadOnlyList<string>? listen,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct = default)
    {
        await EnsureSetupAsync(ct).ConfigureAwait(false);

        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("PHYSARUM_NODE") ?? "node")
        {
            WorkingDirectory = PeerDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        info.ArgumentList.Add("peer.mjs");
        foreach (var address in listen ?? [])
        {
            info.ArgumentList.Add("--listen");
            info.ArgumentList.Add(address);
        }
        if (psk is not null)
        {
            info.ArgumentList.Add("--psk");
            info.ArgumentList.Add(psk);
        }
        if (seedHex is not null)
        {
            info.ArgumentList.Add("--seed");
            info.ArgumentList.Add(seedHex);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var peer = new JsPeer(process);
        process.ErrorDataReceived += (_, e) => peer.OnStderr(e.Data);
        try
        {
            if (!process.Start())
            {
                throw new JsPeerException($"could not start {info.FileName} peer.mjs");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new JsPeerException($"could not start '{info.FileName}' (Node.js >= 20 on PATH, or PHYSARUM_NODE): {ex.Message}", ex);
        }
        process.StandardInput.AutoFlush = false;
        process.BeginErrorReadLine();
        peer.stdoutPump = Task.Run(peer.PumpStdoutAsync, CancellationToken.None);

        try
        {
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(ct);
            guard.CancelAfter(StartGuard);
            var ready = await peer.WaitForEventAsync(e => EventName(e) == "ready", guard.Token).ConfigureAwait(false);
            peer.PeerId = ready.GetProperty("peerId").GetString() ?? "";
            peer.Addresses = [.. ready.GetProperty("addrs").EnumerateArray().Select(a => a.GetString() ?? "")];
            if (peer.PeerId.Length == 0 || peer.Addresses.Count == 0)
            {
                throw new JsPeerException($"js peer reported no peer id or no listen address: {ready}\n{peer.StandardError}");
            }
            return peer;
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsPeerException)
        {
            var stderr = peer.StandardError;
            await peer.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException && ct.IsCancellationRequested)
            {
                throw;
            }
            throw new JsPeerException($"js peer did not become ready: {ex.Message}\n--- stderr ---\n{stderr}", ex);
        }
    }

    /// <summary>
    /// Runs scripts/setup-interop.sh once per test run when tests/interop-js/node_modules is missing
    /// or older than package.json/package-lock.json.
    /// </summary>
    public static async Task EnsureSetupAsync(CancellationToken ct = default)
    {
        if (setupDone)
        {
            return;
        }
        await SetupLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (setupDone)
            {
                return;
            }
            if (NeedsSetup())
            {
                await RunSetupScriptAsync(ct).ConfigureAwait(false);
            }
            setupDone = true;
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private static bool NeedsSetup()
    {
        var stamp = new FileInfo(Path.Combine(PeerDirectory, "node_modules", ".physarum-install-stamp"));
        if (!stamp.Exists)
        {
            return true;
        }
        var lockFile = new FileInfo(Path.Combine(PeerDirectory, "package-lock.json"));
        var packageFile = new FileInfo(Path.Combine(PeerDirectory, "package.json"));
        return lockFile.LastWriteTimeUtc > stamp.LastWriteTimeUtc || packageFile.LastWriteTimeUtc > stamp.LastWriteTimeUtc;
    }

    private static async Task RunSetupScriptAsync(CancellationToken ct)
    {
        var script = Path.Combine(RepoRoot, "scripts", "setup-interop.sh");
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        using var setup = Process.Start(info) ?? throw new JsPeerException("could not start bash for " + script);
        var stdout = setup.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = setup.StandardError.ReadToEndAsync(CancellationToken.None);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(ct);
        guard.CancelAfter(SetupGuard);
        try
        {
            await setup.WaitForExitAsync(guard.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            setup.Kill(entireProcessTree: true);
            throw;
        }
        var output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        if (setup.ExitCode != 0)
        {
            throw new JsPeerException($"scripts/setup-interop.sh failed with exit code {setup.ExitCode}:\n{output}");
        }
    }

    // -----------------------------------------------------------------------------------------
    // Commands

    /// <summary>
    /// Sends one command (any object serialised to a JSON object; an "id" is added) and returns the
    /// reply. Throws <see cref="JsPeerCommandException"/> when the peer answers ok=false and
    /// <see cref="JsPeerException"/> when the process is gone.
    /// </summary>
    public async Task<JsonElement> SendAsync(object command, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(disposed, this);
        var json = command as JsonObject ?? JsonSerializer.SerializeToNode(command, CommandJson) as JsonObject
            ?? throw new ArgumentException("command must serialise to a JSON object", nameof(command));
        json = (JsonObject)json.DeepClone();
        var id = Interlocked.Increment(ref nextId);
        json["id"] = id;
        var name = json["cmd"]?.GetValue<string>() ?? "?";

        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (exitReason is not null)
            {
                throw new JsPeerException($"js peer is gone ({exitReason}); cannot send {name}\n--- stderr ---\n{StandardErrorUnlocked()}");
            }
            pending[id] = tcs;
        }
        try
        {
            await writeLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await process.StandardInput.WriteLineAsync(json.ToJsonString().AsMemory(), ct).ConfigureAwait(false);
                await process.StandardInput.FlushAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
            var reply = await tcs.Task.WaitAsync(ct).ConfigureAwait(false);
            if (!reply.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.True)
            {
                var error = reply.TryGetProperty("error", out var e) ? e.ToString() : reply.ToString();
                throw new JsPeerCommandException(name, error, StandardError);
            }
            return reply;
        }
        catch (IOException ex)
        {
            throw new JsPeerException($"writing {name} to the js peer failed: {ex.Message}\n--- stderr ---\n{StandardError}", ex);
        }
        finally
        {
            lock (gate)
            {
                pending.Remove(id);
            }
        }
    }

    /// <summary>Dials a multiaddr (with /p2p/) or a known peer id; returns the remote peer id.</summary>
    public async Task<string> DialAsync(string target, CancellationToken ct = default)
    {
        var reply = await SendAsync(Targeted("dial", target), ct).ConfigureAwait(false);
        return reply.GetProperty("peer").GetString() ?? "";
    }

    /// <summary>Pings through the js ping service (dials first when needed).</summary>
    public async Task<JsPingResult> PingAsync(string target, CancellationToken ct = default)
    {
        var reply = await SendAsync(Targeted("ping", target), ct).ConfigureAwait(false);
        return new JsPingResult(
            reply.GetProperty("peer").GetString() ?? "",
            reply.GetProperty("rttMs").GetDouble(),
            reply.GetProperty("serviceRttMs").GetDouble());
    }

    /// <summary>The remote's identify message as js received it.</summary>
    public async Task<JsIdentifyResult> IdentifyAsync(string target, CancellationToken ct = default)
    {
        var reply = await SendAsync(Targeted("identify", target), ct).ConfigureAwait(false);
        return new JsIdentifyResult(
            reply.GetProperty("peer").GetString() ?? "",
            OptionalString(reply, "agentVersion"),
            OptionalString(reply, "protocolVersion"),
            Strings(reply, "protocols"),
            Strings(reply, "listenAddrs"),
            OptionalString(reply, "observedAddr"),
            OptionalString(reply, "publicKey"),
            reply.TryGetProperty("signedPeerRecord", out var spr) && spr.ValueKind == JsonValueKind.True);
    }

    /// <summary>
    /// Opens <paramref name="streams"/> concurrent /physarum/echo/1.0.0 streams, each sending
    /// <paramref name="bytes"/> pseudo-random bytes and verifying the exact echo.
    /// </summary>
    public async Task<JsEchoResult> EchoAsync(string target, int streams, int bytes, TimeSpan? jsTimeout = null, CancellationToken ct = default)
    {
        var reply = await SendAsync(Benchmark("echo", target, streams, bytes, jsTimeout), ct).ConfigureAwait(false);
        return new JsEchoResult(
            reply.GetProperty("verified").GetInt32(),
            reply.GetProperty("bytes").GetInt64(),
            reply.GetProperty("ms").GetDouble());
    }

    /// <summary>Pushes <paramref name="bytesPerStream"/> bytes per stream into the remote's /physarum/sink/1.0.0.</summary>
    public async Task<JsThroughputResult> SinkAsync(string target, int streams, long bytesPerStream, TimeSpan? jsTimeout = null, CancellationToken ct = default) =>
        Throughput(await SendAsync(Benchmark("sink", target, streams, bytesPerStream, jsTimeout), ct).ConfigureAwait(false));

    /// <summary>Pulls <paramref name="bytesPerStream"/> bytes per stream from the remote's /physarum/source/1.0.0.</summary>
    public async Task<JsThroughputResult> SourceAsync(string target, int streams, long bytesPerStream, TimeSpan? jsTimeout = null, CancellationToken ct = default) =>
        Throughput(await SendAsync(Benchmark("source", target, streams, bytesPerStream, jsTimeout), ct).ConfigureAwait(false));

    /// <summary>Peer ids js currently has connections to.</summary>
    public async Task<IReadOnlyList<string>> PeersAsync(CancellationToken ct = default) =>
        Strings(await SendAsync(new { cmd = "peers" }, ct).ConfigureAwait(false), "peers");

    /// <summary>Closes all connections to a peer id (or to the peer of a multiaddr).</summary>
    public Task HangUpAsync(string target, CancellationToken ct = default) => SendAsync(Targeted("hangup", target), ct);

    /// <summary>Stops libp2p; the process then exits 0.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await SendAsync(new { cmd = "stop" }, ct).ConfigureAwait(false);
        await exited.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => exited.Task;

    /// <summary>The exit code once <see cref="Exited"/> completed; null before.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>
    /// The first event (already received or future) matching <paramref name="predicate"/>, e.g.
    /// <c>e =&gt; JsPeer.EventName(e) == "connection:open"</c>. Fails if the process exits first.
    /// </summary>
    public Task<JsonElement> WaitForEventAsync(Func<JsonElement, bool> predicate, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            foreach (var e in events)
            {
                if (predicate(e))
                {
                    return Task.FromResult(e);
                }
            }
            if (exitReason is not null)
            {
                return Task.FromException<JsonElement>(new JsPeerException($"js peer is gone ({exitReason}) and no matching event was seen\n--- stderr ---\n{StandardErrorUnlocked()}"));
            }
            eventWaiters.Add((predicate, tcs));
        }
        return WaitAsync();

        async Task<JsonElement> WaitAsync()
        {
            try
            {
                return await tcs.Task.WaitAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                lock (gate)
                {
                    eventWaiters.RemoveAll(w => w.Tcs == tcs);
                }
            }
        }
    }

    /// <summary>The "event" name of an event line, or null.</summary>
    public static string? EventName(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out var name) ? name.GetString() : null;

    // -----------------------------------------------------------------------------------------
    // Process plumbing

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }
                JsonElement element;
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    element = doc.RootElement.Clone();
                }
                catch (JsonException)
                {
                    OnStderr("[stdout, not JSON] " + line);
                    continue;
                }
                Dispatch(element);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            OnStderr("[stdout reader] " + ex.Message);
        }
        // Why exit is detected here and not via Process.Exited: replies still buffered in the pipe
        // (e.g. to "stop") must be dispatched before pending commands are failed.
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            // still running with stdout closed; reported as such
        }
        OnExited();
    }

    private void Dispatch(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var idElement) && !element.TryGetProperty("event", out _))
        {
            TaskCompletionSource<JsonElement>? tcs = null;
            lock (gate)
            {
                if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var id))
                {
                    pending.TryGetValue(id, out tcs);
                }
            }
            if (tcs is null)
            {
                OnStderr("[unmatched reply] " + element);
            }
            tcs?.TrySetResult(element);
            return;
        }

        List<TaskCompletionSource<JsonElement>> matched = [];
        lock (gate)
        {
            events.Add(element);
            if (events.Count > EventsKept)
            {
                events.RemoveAt(0);
            }
            foreach (var waiter in eventWaiters)
            {
                bool hit;
                try
                {
                    hit = waiter.Predicate(element);
                }
                catch (Exception ex)
                {
                    waiter.Tcs.TrySetException(ex);
                    continue;
                }
                if (hit)
                {
                    matched.Add(waiter.Tcs);
                }
            }
        }
        foreach (var tcs in matched)
        {
            tcs.TrySetResult(element);
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (gate)
        {
            stderrLines.Enqueue(line);
            while (stderrLines.Count > StderrLinesKept)
            {
                stderrLines.Dequeue();
            }
        }
    }

    private void OnExited()
    {
        List<TaskCompletionSource<JsonElement>> orphans;
        string reason;
        lock (gate)
        {
            if (exitReason is not null)
            {
                return;
            }
            // The stdout pump may see EOF a moment before the exit code is available.
            exitReason = process.HasExited ? $"exit code {process.ExitCode}" : "stdout closed";
            reason = exitReason;
            orphans = [.. pending.Values, .. eventWaiters.Select(w => w.Tcs)];
        }
        var error = new JsPeerException($"js peer exited ({reason})\n--- stderr ---\n{StandardError}");
        foreach (var tcs in orphans)
        {
            tcs.TrySetException(error);
        }
        if (process.HasExited)
        {
            ExitCode = process.ExitCode;
            exited.TrySetResult();
        }
        else
        {
            _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(
                _ =>
                {
                    ExitCode = process.ExitCode;
                    exited.TrySetResult();
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }

    private string StandardErrorUnlocked() => string.Join('\n', stderrLines);

    /// <summary>Asks the peer to stop, then kills it (whole process tree) if it is still alive.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        try
        {
            if (!process.HasExited)
            {
                try
                {
                    using var polite = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    var json = $"{{\"id\":{Interlocked.Increment(ref nextId)},\"cmd\":\"stop\"}}";
                    await process.StandardInput.WriteLineAsync(json.AsMemory(), polite.Token).ConfigureAwait(false);
                    await process.StandardInput.FlushAsync(polite.Token).ConfigureAwait(false);
                    await process.WaitForExitAsync(polite.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
                {
                    // fall through to the kill
                }
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            await stdoutPump.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        finally
        {
            process.Dispose();
            writeLock.Dispose();
        }
    }

    public override string ToString() => $"js peer {PeerId} pid {(disposed ? -1 : process.Id)}";

    private static JsonObject Targeted(string cmd, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        return new JsonObject { ["cmd"] = cmd, [target.StartsWith('/') ? "addr" : "peer"] = target };
    }

    private static JsonObject Benchmark(string cmd, string target, int streams, long bytes, TimeSpan? jsTimeout)
    {
        var json = Targeted(cmd, target);
        json["streams"] = streams;
        json["bytes"] = bytes;
        if (jsTimeout is { } t)
        {
            json["timeoutMs"] = (long)t.TotalMilliseconds;
        }
        return json;
    }

    private static JsThroughputResult Throughput(JsonElement reply) =>
        new(
            reply.GetProperty("streams").GetInt32(),
            reply.GetProperty("bytes").GetInt64(),
            reply.GetProperty("ms").GetDouble(),
            reply.TryGetProperty("mbPerSec", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : null);

    private static string? OptionalString(JsonElement reply, string name) =>
        reply.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IReadOnlyList<string> Strings(JsonElement reply, string name) =>
        reply.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Select(x => x.GetString() ?? "")]
            : [];
}

/// <summary>Result of a js ping: <see cref="RttMs"/> is the high-resolution duration of the ping
/// service call (stream open + 32-byte round trip); <see cref="ServiceRttMs"/> the service's own
/// whole-millisecond figure.</summary>
public sealed record JsPingResult(string Peer, double RttMs, double ServiceRttMs);

/// <summary>The remote's identify message as js-libp2p received it. Addresses are multiaddr strings;
/// <see cref="PublicKeyHex"/> is the PublicKey protobuf in hex.</summary>
public sealed record JsIdentifyResult(
    string Peer,
    string? AgentVersion,
    string? ProtocolVersion,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> ListenAddrs,
    string? ObservedAddr,
    string? PublicKeyHex,
    bool SignedPeerRecord);

/// <summary>Echo run: streams verified, total bytes sent, wall time in ms (connection setup excluded).</summary>
public sealed record JsEchoResult(int Verified, long Bytes, double Ms);

/// <summary>Sink/source run: total bytes over all streams, wall time in ms, MB/s with MB = 10^6 bytes.</summary>
public sealed record JsThroughputResult(int Streams, long Bytes, double Ms, double? MbPerSec);

/// <summary>The js peer process failed (did not start, exited, broke the line protocol).</summary>
public sealed class JsPeerException : Exception
{
    public JsPeerException(string message) : base(message) { }
    public JsPeerException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The js peer answered a command with ok=false.</summary>
public sealed class JsPeerCommandException : Exception
{
    public JsPeerCommandException(string command, string jsError, string standardError)
        : base($"js peer command '{command}' failed: {jsError}" + (standardError.Length > 0 ? $"\n--- stderr ---\n{standardError}" : ""))
    {
        Command = command;
        JsError = jsError;
        StandardError = standardError;
    }

    /// <summary>The "cmd" that failed.</summary>
    public string Command { get; }

    /// <summary>The "error" text js returned.</summary>
    public string JsError { get; }

    /// <summary>The peer's recent stderr at the time of the failure.</summary>
    public string StandardError { get; }
}
