using PhysarumSM.Containers.Configuration;

namespace PhysarumSM.Containers.Tests.Configuration;

/// <summary>Every kind of bad config fails with a message that says where and what to do; the messages are the CLI's output, so they are pinned exactly.</summary>
public sealed class ServiceConfigErrorTests : IDisposable
{
    private readonly BuildDirectory _dir = new("server");

    public void Dispose() => _dir.Dispose();

    private ServiceConfigException Fail(string json) =>
        Assert.Throws<ServiceConfigException>(() => ServiceConfigLoader.Parse(json, _dir.Path, "conf.json"));

    [Fact]
    public void MissingCommaGivesLineAndColumn()
    {
        const string json = "{\n  \"DockerConf\": {\n    \"Copy\": [[\"server\", \".\"]]\n    \"Cmd\": \"./server\"\n  }\n}\n";

        var ex = Fail(json);

        Assert.Equal(
            "conf.json: malformed JSON at line 4, column 5: '\"' is invalid after a value. Expected either ',', '}', or ']'; fix the JSON there (a missing comma, quote or bracket is the usual cause)",
            ex.Message);
    }

    [Fact]
    public void UnclosedObjectGivesTheEndOfTheText()
    {
        var ex = Fail("{\n  \"DockerConf\": { \"Cmd\": \"x\" }\n");

        Assert.StartsWith("conf.json: malformed JSON at line 3, column 1: ", ex.Message);
    }

    [Fact]
    public void ColumnsCountCharactersNotBytes()
    {
        // 'é' is two bytes in UTF-8; the bad token is the 16th character of line 1.
        var ex = Fail("{ \"é\": 1, \"b\": x }");

        Assert.StartsWith("conf.json: malformed JSON at line 1, column 16: ", ex.Message);
    }

    [Fact]
    public void EmptyFileIsMalformed()
    {
        var ex = Fail("");

        Assert.StartsWith("conf.json: malformed JSON at line 1, column 1: ", ex.Message);
    }

    [Fact]
    public void WrongValueTypeGivesLineColumnAndWhatIsExpected()
    {
        const string json = "{\n  \"NetworkSoftReq\": { \"RTT\": \"fast\" },\n  \"DockerConf\": { \"Cmd\": \"x\" }\n}";

        var ex = Fail(json);

        Assert.Equal("conf.json: line 2, column 30: NetworkSoftReq.RTT must be a whole number of milliseconds", ex.Message);
    }

    [Fact]
    public void FractionalRttIsRejectedWithItsPosition()
    {
        var ex = Fail("{ \"PerfConf\": { \"Perf\": { \"HardReq\": { \"RTT\": 1.5 } } }, \"DockerConf\": { \"Cmd\": \"x\" } }");

        Assert.Equal("conf.json: line 1, column 47: PerfConf.Perf.HardReq.RTT must be a whole number of milliseconds", ex.Message);
    }

    [Fact]
    public void CopyEntryThatIsNotAPairGivesItsPosition()
    {
        const string json = "{\n  \"DockerConf\": {\n    \"Copy\": [\n      [\"server\", \".\"],\n      [\"server\", \".\", \"extra\"]\n    ],\n    \"Cmd\": \"x\"\n  }\n}";

        var ex = Fail(json);

        Assert.Equal("conf.json: line 5, column 23: DockerConf.Copy[1] must be a [source, destination] pair of strings", ex.Message);
    }

    [Fact]
    public void CopyAsAStringIsRejected()
    {
        var ex = Fail("{ \"DockerConf\": { \"Copy\": \"server\", \"Cmd\": \"x\" } }");

        Assert.Equal("conf.json: line 1, column 27: DockerConf.Copy must be a list of [source, destination] pairs", ex.Message);
    }

    [Fact]
    public void TopLevelArrayIsNotAConfig()
    {
        var ex = Fail("[1, 2]");

        Assert.Equal(
            "conf.json: not a service config: the top level is an array; it must be an object holding DockerConf and either PerfConf (image-conf.json) or NetworkSoftReq, NetworkHardReq, CpuReq, MemoryReq (service-conf.json)",
            ex.Message);
    }

    [Fact]
    public void UnknownShapeNamesWhatWasFound()
    {
        var ex = Fail("{ \"image\": \"x\", \"port\": 80 }");

        Assert.Equal(
            "conf.json: not a service config: found keys image, port; expected the image-conf.json shape (PerfConf, DockerConf) or the service-conf.json shape (NetworkSoftReq, NetworkHardReq, CpuReq, MemoryReq, DockerConf)",
            ex.Message);
    }

    [Fact]
    public void MixedShapesAreRejected()
    {
        var ex = Fail("{ \"PerfConf\": {}, \"CpuReq\": 1, \"DockerConf\": { \"Cmd\": \"x\" } }");

        Assert.Equal("conf.json: mixes the image-conf.json shape (PerfConf) with the service-conf.json shape (CpuReq); use one of them", ex.Message);
    }

    [Fact]
    public void MissingDockerConf()
    {
        var ex = Fail("{ \"NetworkSoftReq\": { \"RTT\": 1 } }");

        Assert.Equal("conf.json: DockerConf is missing; add it with Copy (the files to put in the image) and Cmd (the command that starts the service)", ex.Message);
    }

    [Theory]
    [InlineData("{ \"DockerConf\": { \"Copy\": [[\"server\", \".\"]] } }")]
    [InlineData("{ \"DockerConf\": { \"Cmd\": \"  \" } }")]
    [InlineData("{ \"DockerConf\": { \"Cmd\": null } }")]
    public void MissingCmd(string json)
    {
        var ex = Fail(json);

        Assert.Equal("conf.json: DockerConf.Cmd is missing; set it to the shell command that starts the service, e.g. \"./server $SERVICE_PORT\"", ex.Message);
    }

    [Fact]
    public void CopySourceThatDoesNotExist()
    {
        var ex = Fail("{ \"DockerConf\": { \"Copy\": [[\"server\", \".\"], [\"helloworldserver\", \".\"]], \"Cmd\": \"x\" } }");

        Assert.Equal(
            $"conf.json: DockerConf.Copy[1] source 'helloworldserver' does not exist in the build directory {_dir.Path}; build or copy it there first, or fix the path",
            ex.Message);
    }

    [Fact]
    public void CopySourceOutsideTheBuildDirectory()
    {
        var ex = Fail("{ \"DockerConf\": { \"Copy\": [[\"../etc/passwd\", \".\"]], \"Cmd\": \"x\" } }");

        Assert.Equal(
            $"conf.json: DockerConf.Copy[0] source '../etc/passwd' is outside the build directory {_dir.Path}; copy it into the build directory first",
            ex.Message);
    }

    [Fact]
    public void AbsoluteCopySource()
    {
        var ex = Fail("{ \"DockerConf\": { \"Copy\": [[\"/etc/hostname\", \".\"]], \"Cmd\": \"x\" } }");

        Assert.Equal(
            $"conf.json: DockerConf.Copy[0] source '/etc/hostname' is an absolute path; sources are relative to the build directory {_dir.Path}",
            ex.Message);
    }

    [Fact]
    public void EmptyCopyDestinationAndRunStep()
    {
        var ex = Fail("{ \"DockerConf\": { \"Copy\": [[\"server\", \"\"], null], \"Run\": [\"\"], \"Cmd\": \"x\" } }");

        Assert.Equal(
        [
            "conf.json: DockerConf.Copy[0] has an empty destination; use \".\" for the working directory /app",
            "conf.json: DockerConf.Copy[1] must be a [source, destination] pair of strings",
            "conf.json: DockerConf.Run[0] is empty; remove it or give a shell command",
        ], ex.Problems);
    }

    [Fact]
    public void SoftRttAboveHardInTheImageConfShape()
    {
        var ex = Fail("{ \"PerfConf\": { \"Perf\": { \"SoftReq\": { \"RTT\": 500 }, \"HardReq\": { \"RTT\": 100 } } }, \"DockerConf\": { \"Cmd\": \"x\" } }");

        Assert.Equal(
            "conf.json: PerfConf.Perf.SoftReq.RTT (500 ms) is above PerfConf.Perf.HardReq.RTT (100 ms); the soft requirement must be the stricter (smaller) one: lower it or raise the hard one",
            ex.Message);
    }

    [Fact]
    public void SoftRttAboveHardInTheServiceConfShape()
    {
        var ex = Fail("{ \"NetworkSoftReq\": { \"RTT\": 1001 }, \"NetworkHardReq\": { \"RTT\": 1000 }, \"DockerConf\": { \"Cmd\": \"x\" } }");

        Assert.Equal(
            "conf.json: NetworkSoftReq.RTT (1001 ms) is above NetworkHardReq.RTT (1000 ms); the soft requirement must be the stricter (smaller) one: lower it or raise the hard one",
            ex.Message);
    }

    [Fact]
    public void SoftRttWithoutAHardOneIsFine()
    {
        var config = ServiceConfigLoader.Parse("{ \"NetworkSoftReq\": { \"RTT\": 1001 }, \"DockerConf\": { \"Cmd\": \"x\" } }", _dir.Path);

        Assert.Equal(1001, config.SoftRttMs);
        Assert.Equal(0, config.HardRttMs);
    }

    [Fact]
    public void NegativeValuesAreAllReported()
    {
        var ex = Fail("{ \"NetworkSoftReq\": { \"RTT\": -1 }, \"NetworkHardReq\": { \"RTT\": -2 }, \"CpuReq\": -0.5, \"MemoryReq\": -64, \"DockerConf\": { \"Cmd\": \"x\" } }");

        Assert.Equal(
        [
            "conf.json: NetworkSoftReq.RTT is -1; it must be 0 (no requirement) or a positive number of milliseconds",
            "conf.json: NetworkHardReq.RTT is -2; it must be 0 (no requirement) or a positive number of milliseconds",
            "conf.json: CpuReq is -0.5; it must be 0 (no limit) or a positive number of CPU cores",
            "conf.json: MemoryReq is -64; it must be 0 (no limit) or a positive number of MiB",
        ], ex.Problems);
        Assert.Equal(string.Join(Environment.NewLine, ex.Problems), ex.Message);
    }

    [Fact]
    public void NanosecondRttIsCaughtWithAHint()
    {
        var ex = Fail("{ \"NetworkSoftReq\": { \"RTT\": 200000000 }, \"DockerConf\": { \"Cmd\": \"x\" } }");

        Assert.Equal(
            "conf.json: NetworkSoftReq.RTT is 200000000 ms, over 10 minutes; RTT is in milliseconds (a Go duration in nanoseconds must be divided by 1000000)",
            ex.Message);
    }

    [Fact]
    public void FromWithSpacesIsNotAnImage()
    {
        var ex = Fail("{ \"DockerConf\": { \"From\": \"debian bookworm\", \"Cmd\": \"x\" } }");

        Assert.Equal(
            "conf.json: DockerConf.From 'debian bookworm' is not an image reference; give one such as physarum/base:bookworm, or leave it out to use that",
            ex.Message);
    }

    [Fact]
    public void MissingBuildDirectory()
    {
        var missing = Path.Combine(_dir.Path, "nope");

        var ex = Assert.Throws<ServiceConfigException>(() => ServiceConfigLoader.Parse("{}", missing, "conf.json"));

        Assert.Equal($"conf.json: the build directory {missing} does not exist; give the directory that holds the files DockerConf.Copy names", ex.Message);
    }

    [Fact]
    public async Task MissingFile()
    {
        var missing = Path.Combine(_dir.Path, "image-conf.json");

        var ex = await Assert.ThrowsAsync<ServiceConfigException>(() => ServiceConfigLoader.LoadAsync(missing, _dir.Path));

        Assert.Equal($"{missing}: no such file; give the path of an image-conf.json or service-conf.json", ex.Message);
    }
}
