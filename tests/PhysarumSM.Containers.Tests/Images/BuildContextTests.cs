using System.Formats.Tar;
using System.Text;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Images;
using PhysarumSM.Containers.Tests.Configuration;

namespace PhysarumSM.Containers.Tests.Images;

/// <summary>The generated Dockerfile and the tar the engine receives.</summary>
public sealed class BuildContextTests : IDisposable
{
    private readonly BuildDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DockerfileHasTheContractAndTheStepsInOrder()
    {
        _dir.Add("publish/HelloWorldServer", "binary");
        var config = ServiceConfigLoader.Parse(
            """
            { "DockerConf": {
                "Copy": [["publish/HelloWorldServer", "."], ["publish", "/opt/my app/"]],
                "Run": ["apt-get update && apt-get install -y curl", "echo \"quoted\" > /tmp/x"],
                "Cmd": "./HelloWorldServer $SERVICE_PORT > log 2>&1" } }
            """,
            _dir.Path);

        var context = new BuildContext(config);

        Assert.Equal(
            """
            FROM physarum/base:bookworm
            WORKDIR /app
            ENV SERVICE_PORT=8080 PROXY_IP=127.0.0.1 PROXY_PORT=4200 METRICS_PORT=9101 P2P_BOOTSTRAPS="" P2P_PSK=""
            COPY ["publish/HelloWorldServer","."]
            COPY ["publish","/opt/my app/"]
            RUN ["/bin/sh","-c","apt-get update && apt-get install -y curl"]
            RUN ["/bin/sh","-c","echo \"quoted\" > /tmp/x"]
            CMD ["/bin/sh","-c","./HelloWorldServer $SERVICE_PORT > log 2>&1"]

            """.ReplaceLineEndings("\n"),
            context.Dockerfile);
    }

    [Fact]
    public void FromIsTheConfigsBaseImage()
    {
        var config = ServiceConfigLoader.Parse("""{ "DockerConf": { "From": "python:3", "Cmd": "python -m http.server $SERVICE_PORT" } }""", _dir.Path);

        var context = new BuildContext(config);

        Assert.StartsWith("FROM python:3\nWORKDIR /app\n", context.Dockerfile, StringComparison.Ordinal);
        Assert.EndsWith("\nCMD [\"/bin/sh\",\"-c\",\"python -m http.server $SERVICE_PORT\"]\n", context.Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TarHoldsTheDockerfileAndEveryCopySourceOnce()
    {
        var server = _dir.Add("publish/HelloWorldServer", "binary");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(server, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        _dir.Add("publish/lib/a.so", "a");
        _dir.Add("conf/settings.json", "{}");
        _dir.Add("unrelated.txt", "not sent");
        var config = ServiceConfigLoader.Parse(
            """{ "DockerConf": { "Copy": [["publish", "."], ["publish/HelloWorldServer", "bin/"], ["conf/settings.json", "/etc/app.json"]], "Cmd": "x" } }""",
            _dir.Path);
        var context = new BuildContext(config);

        var entries = await ReadTarAsync(context);

        Assert.Equal(
        [
            "physarum.Dockerfile",
            "publish",
            "publish/HelloWorldServer",
            "publish/lib",
            "publish/lib/a.so",
            "conf/settings.json",
        ], entries.Select(e => e.Name));
        Assert.Equal(context.Dockerfile, entries[0].Content);
        Assert.Equal("binary", entries.Single(e => e.Name == "publish/HelloWorldServer").Content);
        Assert.True(entries.Single(e => e.Name == "publish/HelloWorldServer").Mode.HasFlag(UnixFileMode.UserExecute), "the executable bit survives");
        Assert.Equal(TarEntryType.Directory, entries.Single(e => e.Name == "publish/lib").Type);
        Assert.Equal("{}", entries.Single(e => e.Name == "conf/settings.json").Content);
    }

    [Fact]
    public async Task TheWholeBuildDirectoryCanBeCopied()
    {
        _dir.Add("a.txt", "a");
        _dir.Add("sub/b.txt", "b");
        var config = ServiceConfigLoader.Parse("""{ "DockerConf": { "Copy": [[".", "."]], "Cmd": "x" } }""", _dir.Path);

        var entries = await ReadTarAsync(new BuildContext(config));

        Assert.Equal(["physarum.Dockerfile", "a.txt", "sub", "sub/b.txt"], entries.Select(e => e.Name));
        Assert.Contains("COPY [\".\",\".\"]\n", new BuildContext(config).Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SymlinksStayLinks()
    {
        _dir.Add("dist/real.txt", "r");
        File.CreateSymbolicLink(Path.Combine(_dir.Path, "dist", "link.txt"), "real.txt");
        var config = ServiceConfigLoader.Parse("""{ "DockerConf": { "Copy": [["dist", "."]], "Cmd": "x" } }""", _dir.Path);

        var entries = await ReadTarAsync(new BuildContext(config));

        var link = entries.Single(e => e.Name == "dist/link.txt");
        Assert.Equal(TarEntryType.SymbolicLink, link.Type);
        Assert.Equal("real.txt", link.LinkName);
    }

    private static async Task<List<(string Name, TarEntryType Type, UnixFileMode Mode, string? Content, string LinkName)>> ReadTarAsync(BuildContext context)
    {
        using var tar = new MemoryStream();
        await context.WriteTarAsync(tar, CancellationToken.None);
        tar.Position = 0;
        var entries = new List<(string, TarEntryType, UnixFileMode, string?, string)>();
        using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            string? content = null;
            if (entry.DataStream is { } data)
            {
                using var text = new StreamReader(data, Encoding.UTF8);
                content = await text.ReadToEndAsync();
            }

            entries.Add((entry.Name, entry.EntryType, entry.Mode, content, entry.LinkName));
        }

        return entries;
    }
}
