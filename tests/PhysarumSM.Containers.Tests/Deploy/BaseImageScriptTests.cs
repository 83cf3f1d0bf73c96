using System.Diagnostics;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Tests.Configuration;
using PhysarumSM.TestKit;

namespace PhysarumSM.Containers.Tests.Deploy;

/// <summary>The base image is named in the script and in C#; they must agree.</summary>
public sealed class BaseImageScriptTests
{
    [Fact]
    public async Task ScriptTagMatchesTheDefaultFrom()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "deploy", "make-base-image.sh"));
        start.ArgumentList.Add("--print-tag");
        using var process = Process.Start(start)!;
        var tag = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(ServiceConfig.DefaultBaseImage, tag.Trim());
    }

    [Fact]
    public async Task SampleConfigBuildsOnTheBaseImage()
    {
        // A copy beside a stand-in binary: the real sample directory is published by the Docker tests meanwhile.
        using var copy = new BuildDirectory("publish/HelloWorldServer");
        var conf = Path.Combine(copy.Path, "image-conf.json");
        File.Copy(Path.Combine(DockerEngine.HelloWorldDirectory, "image-conf.json"), conf);

        var config = await ServiceConfigLoader.LoadAsync(conf, copy.Path);

        Assert.Equal(ServiceConfigShape.ImageConf, config.Shape);
        Assert.Equal(ServiceConfig.DefaultBaseImage, config.Docker.From);
        Assert.Equal([new CopyStep("publish/HelloWorldServer", ".")], config.Docker.Copy);
        Assert.Equal("./HelloWorldServer $SERVICE_PORT", config.Docker.Cmd);
        Assert.Empty(config.Notes);
    }
}
