using System.Diagnostics;
using System.Net;
using PhysarumSM.TestKit;

namespace PhysarumSM.Containers.Tests.Docker;

/// <summary>
/// A throw-away image registry (Debian's docker-registry) on a free loopback port, for push and pull tests. Why loopback:
/// the engine trusts plain-HTTP registries on 127.0.0.0/8 without extra daemon settings, and no traffic leaves the machine.
/// </summary>
internal sealed class LocalRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private LocalRegistry(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>host:port as image names start with it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Starts a registry; with <paramref name="login"/> it takes only requests with that user and password (htpasswd, bcrypt).</summary>
    public static async Task<LocalRegistry> StartAsync((string User, string Password)? login = null)
    {
        // Installed by apt-get when missing (TestKit's DebianPackage), as the other real servers the tests start.
        var executable = await DebianPackage.EnsureExecutableAsync("docker-registry", "docker-registry", CancellationToken.None);
        var directory = Directory.CreateTempSubdirectory("physarum-registry-").FullName;
        var port = FreePorts.Take(1)[0];
        var config = Path.Combine(directory, "config.yml");
        var auth = "";
        if (login is { } credentials)
        {
            var htpasswd = Path.Combine(directory, "htpasswd");
            await File.WriteAllTextAsync(htpasswd, await HashAsync(credentials.User, credentials.Password));
            auth = $"""

                auth:
                  htpasswd:
                    realm: physarum-test
                    path: {htpasswd}
                """;
        }

        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """ + auth);
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, directory, port);
        try
        {
            await registry.WaitUntilAnsweringAsync();
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    /// <summary>Status of GET /v2/{repository}/manifests/{reference} (what a pull by digest asks).</summary>
    public async Task<HttpStatusCode> ManifestStatusAsync(string repository, string reference)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{Host}/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One htpasswd line with a bcrypt hash (the only kind the registry takes), made by Debian's htpasswd.</summary>
    private static async Task<string> HashAsync(string user, string password)
    {
        var htpasswd = await DebianPackage.EnsureExecutableAsync("htpasswd", "apache2-utils", CancellationToken.None);
        var start = new ProcessStartInfo(htpasswd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-nbB", user, password })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? line.Trim() + "\n" : throw new InvalidOperationException($"htpasswd failed ({process.ExitCode}): {error}");
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 0; ; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode} before answering on {Host}");
            }

            try
            {
                using var response = await http.GetAsync($"http://{Host}/v2/");
                if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Unauthorized)   // 401: up, and wants a login
                {
                    return;
                }
            }
            catch (HttpRequestException) when (attempt < 200)
            {
            }

            await Task.Delay(50);
        }
    }
}
