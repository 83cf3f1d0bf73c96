using PhysarumSM.Containers.Configuration;

namespace PhysarumSM.Containers.Tests.Configuration;

/// <summary>Both of the original's config shapes load into the same model, with defaults and notes.</summary>
public sealed class ServiceConfigShapeTests : IDisposable
{
    private readonly BuildDirectory _dir = new("helloworldserver", "requirements.txt", "app.py");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SeedImageConfLoadsWithItsTrailingComma()
    {
        // The seed README's example, verbatim apart from the bootstrap address (it has a trailing comma).
        const string json = """
            {
                "PerfConf": {
                    "Perf": {
                        "SoftReq": {
                            "RTT": 100
                        },
                        "HardReq": {
                            "RTT": 1000
                        }
                    },
                    "Bootstraps": [
                        "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWGegi4bWDPw9f6x2mZ6zxtsjR8w4ax1tEMDKCNqdYBt7X"
                    ]
                },
                "DockerConf": {
                    "Copy": [
                        ["helloworldserver", "."],
                    ],
                    "Cmd": "./helloworldserver $SERVICE_PORT",
                    "ProxyClientMode": true
                }
            }
            """;

        var config = ServiceConfigLoader.Parse(json, _dir.Path, "image-conf.json");

        Assert.Equal(ServiceConfigShape.ImageConf, config.Shape);
        Assert.Equal(100, config.SoftRttMs);
        Assert.Equal(1000, config.HardRttMs);
        Assert.Equal(0, config.CpuReq);
        Assert.Equal(0, config.MemoryReq);
        Assert.Equal(["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWGegi4bWDPw9f6x2mZ6zxtsjR8w4ax1tEMDKCNqdYBt7X"], config.Bootstraps);
        Assert.Equal(ServiceConfig.DefaultBaseImage, config.Docker.From);
        Assert.Equal([new CopyStep("helloworldserver", ".")], config.Docker.Copy);
        Assert.Empty(config.Docker.Run);
        Assert.Equal("./helloworldserver $SERVICE_PORT", config.Docker.Cmd);
        Assert.Equal(Path.GetFullPath(_dir.Path), config.BuildDirectory);
        Assert.Equal(
        [
            "image-conf.json: PerfConf.Bootstraps is not built into the image: the node passes its own bootstraps to each container in P2P_BOOTSTRAPS",
            "image-conf.json: DockerConf.ProxyClientMode is ignored: the node's gateway (PROXY_IP:PROXY_PORT) replaces the original's in-container proxy",
        ], config.Notes);
    }

    [Fact]
    public void ServiceRegistryServiceConfLoads()
    {
        const string json = """
            {
                "NetworkSoftReq": { "RTT": 200 },
                "NetworkHardReq": { "RTT": 1000 },
                "CpuReq": 0.5,
                "MemoryReq": 256,

                "DockerConf": {
                    "From": "python:3",
                    "Copy": [
                        ["requirements.txt", "."],
                        ["app.py", "/srv/app.py"]
                    ],
                    "Run": [
                        "pip --no-cache-dir install -r requirements.txt"
                    ],
                    "Cmd": "python /srv/app.py $PROXY_PORT $SERVICE_PORT > app.log 2>&1"
                }
            }
            """;

        var config = ServiceConfigLoader.Parse(json, _dir.Path, "service-conf.json");

        Assert.Equal(ServiceConfigShape.ServiceConf, config.Shape);
        Assert.Equal(200, config.SoftRttMs);
        Assert.Equal(1000, config.HardRttMs);
        Assert.Equal(0.5, config.CpuReq);
        Assert.Equal(256, config.MemoryReq);
        Assert.Equal("python:3", config.Docker.From);
        Assert.Equal([new CopyStep("requirements.txt", "."), new CopyStep("app.py", "/srv/app.py")], config.Docker.Copy);
        Assert.Equal(["pip --no-cache-dir install -r requirements.txt"], config.Docker.Run);
        Assert.Equal("python /srv/app.py $PROXY_PORT $SERVICE_PORT > app.log 2>&1", config.Docker.Cmd);
        Assert.Empty(config.Notes);
    }

    [Fact]
    public void KeysMatchCaseInsensitivelyLikeTheOriginalsDecoder()
    {
        const string json = """{ "networksoftreq": { "rtt": 5 }, "dockerconf": { "copy": [["app.py", "."]], "cmd": "run" } }""";

        var config = ServiceConfigLoader.Parse(json, _dir.Path);

        Assert.Equal(ServiceConfigShape.ServiceConf, config.Shape);
        Assert.Equal(5, config.SoftRttMs);
        Assert.Equal("run", config.Docker.Cmd);
    }

    [Fact]
    public void ADockerConfAloneIsTheImageConfShapeWithNoRequirements()
    {
        var config = ServiceConfigLoader.Parse("""{ "DockerConf": { "Cmd": "sleep infinity" } }""", _dir.Path);

        Assert.Equal(ServiceConfigShape.ImageConf, config.Shape);
        Assert.Equal(0, config.SoftRttMs);
        Assert.Equal(0, config.HardRttMs);
        Assert.Empty(config.Docker.Copy);
    }

    [Fact]
    public void UnknownKeysAreNotedNotRejected()
    {
        const string json = """{ "Name": "x", "DockerConf": { "Cmd": "run", "Cmnd": "typo" }, "PerfConf": { "Perf": { "SoftReq": { "RTT": 1, "Jitter": 2 } } } }""";

        var config = ServiceConfigLoader.Parse(json, _dir.Path, "c.json");

        Assert.Equal(
        [
            "c.json: unknown key Name is ignored (known keys there: PerfConf, DockerConf)",
            "c.json: unknown key PerfConf.Perf.SoftReq.Jitter is ignored (known keys there: RTT)",
            "c.json: unknown key DockerConf.Cmnd is ignored (known keys there: From, Copy, Run, Cmd, ProxyClientMode)",
        ], config.Notes);
    }

    [Fact]
    public void CopySourcesAreNormalisedAndMayBeFolders()
    {
        _dir.Add("publish/bin/server", "x");

        var config = ServiceConfigLoader.Parse("""{ "DockerConf": { "Copy": [["./publish/", "."], ["publish/bin/../bin/server", "bin/"]], "Cmd": "x" } }""", _dir.Path);

        Assert.Equal([new CopyStep("publish", "."), new CopyStep("publish/bin/server", "bin/")], config.Docker.Copy);
    }

    [Fact]
    public void CommentsAndAByteOrderMarkAreAccepted()
    {
        var bytes = "\uFEFF{ // the service\n \"DockerConf\": { /* start */ \"Cmd\": \"x\" } }"u8.ToArray();

        var config = ServiceConfigLoader.Parse(bytes, _dir.Path);

        Assert.Equal("x", config.Docker.Cmd);
    }

    [Fact]
    public async Task LoadAsyncReadsTheFile()
    {
        var path = _dir.Add("image-conf.json", """{ "PerfConf": { "Perf": { "HardReq": { "RTT": 50 } } }, "DockerConf": { "Copy": [["helloworldserver", "."]], "Cmd": "./helloworldserver" } }""");

        var config = await ServiceConfigLoader.LoadAsync(path, _dir.Path);

        Assert.Equal(50, config.HardRttMs);
    }
}
