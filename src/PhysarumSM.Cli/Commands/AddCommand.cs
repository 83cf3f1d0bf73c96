using System.CommandLine;
using PhysarumSM.Cli.Overlay;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Containers.Engine;
using PhysarumSM.Containers.Images;
using PhysarumSM.Contracts.Registry;

namespace PhysarumSM.Cli.Commands;

/// <summary>
/// `physarum service add [options] CONFIG IMAGE NAME` and the seed's `physarum add CONFIG DIR IMAGE NAME`:
/// build the service image from its config, hash it, and register it over the overlay (like hl-cli add).
/// </summary>
internal static class AddCommand
{
    public static Command Service(GlobalOptions global)
    {
        var config = new Argument<string>("CONFIG") { Description = "image-conf.json or service-conf.json" };
        var image = new Argument<string>("IMAGE") { Description = "image name to build and tag, e.g. me/hello-world-server:1.0" };
        var name = new Argument<string>("NAME") { Description = "the name to register the service under" };
        var dir = new Option<string>("--dir", "-dir") { Description = "directory holding the files to copy into the image (default .)", DefaultValueFactory = _ => "." };
        var flags = new AddFlags();
        var command = new Command("add", "Build a service image from its config and register it") { config, image, name, dir };
        flags.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(global, flags, parse, parse.GetValue(config)!, parse.GetValue(dir)!, parse.GetValue(image)!, parse.GetValue(name)!, ct));
        return command;
    }

    public static Command Seed(GlobalOptions global)
    {
        var config = new Argument<string>("CONFIG") { Description = "image-conf.json" };
        var dir = new Argument<string>("DIR") { Description = "directory holding the files to copy into the image" };
        var image = new Argument<string>("IMAGE") { Description = "image name to build and tag" };
        var name = new Argument<string>("NAME") { Description = "the name to register the service under" };
        var flags = new AddFlags();
        var command = new Command("add", "The original hl-cli form of 'service add': add CONFIG DIR IMAGE NAME") { config, dir, image, name };
        flags.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(global, flags, parse, parse.GetValue(config)!, parse.GetValue(dir)!, parse.GetValue(image)!, parse.GetValue(name)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(GlobalOptions global, AddFlags flags, ParseResult parse, string configPath, string dir, string image, string name, CancellationToken cancellationToken)
    {
        // Why refuse rather than ignore --push: a registered reference that was never pushed runs on this machine only.
        if (parse.GetValue(flags.UseExistingImage) && parse.GetValue(flags.Push))
        {
            Console.Error.WriteLine("physarum: --push pushes what add builds; with --use-existing-image push it yourself first (docker push IMAGE), then add registers its repository digest");
            return 2;
        }

        ServiceConfig config;
        try
        {
            config = await ServiceConfigLoader.LoadAsync(configPath, dir, cancellationToken);
        }
        catch (ServiceConfigException ex)
        {
            Console.Error.WriteLine($"physarum: {ex.Message}");
            return 1;
        }

        foreach (var note in config.Notes)
        {
            Console.Error.WriteLine($"note: {note}");
        }

        if (!ServiceName.IsValid(name, out var nameError))
        {
            Console.Error.WriteLine($"physarum: {nameError}");
            return 2;
        }

        BuiltImage built;
        try
        {
            built = await BuildOrInspectAsync(flags, parse, config, image, cancellationToken);
        }
        catch (Exception ex) when (ex is DockerEngineUnavailableException or ImageBuildException)
        {
            Console.Error.WriteLine($"physarum: {ex.Message}");
            return 1;
        }

        var info = new ServiceInfo
        {
            Name = name,
            ContentHash = built.ContentHash,
            DockerHash = built.DockerHash,
            SoftRttMs = config.SoftRttMs,
            HardRttMs = config.HardRttMs,
            CpuReq = config.CpuReq,
            MemoryReq = config.MemoryReq,
        };
        Console.WriteLine($"image {built.Tag}: DockerHash {built.DockerHash}, ContentHash {built.ContentHash}");
        if (parse.GetValue(flags.NoAdd))
        {
            return 0;
        }

        // The config's PerfConf.Bootstraps stand in when neither --bootstrap nor P2P_BOOTSTRAPS is given, as in the original.
        return await global.RunAsync(parse, cancellationToken, async (client, token) =>
        {
            var response = ServiceCommands.Expect(await client.SendAsync(new RegistryRequest { Op = "add", Service = info }, token));
            Console.WriteLine($"registered {name}");
            ServiceCommands.Print(response.Record!);
            return 0;
        }, config.Bootstraps);
    }

    private static async Task<BuiltImage> BuildOrInspectAsync(AddFlags flags, ParseResult parse, ServiceConfig config, string image, CancellationToken cancellationToken)
    {
        using var client = await new DockerEngineConnector().ConnectAsync(cancellationToken);
        var contentId = parse.GetValue(flags.ContentId);
        if (parse.GetValue(flags.UseExistingImage))
        {
            var inspected = await client.Images.InspectImageAsync(image, cancellationToken);
            return new BuiltImage
            {
                Tag = image,
                ImageId = inspected.ID,
                ContentHash = contentId ?? await new ImageContentHasher(client).ComputeAsync(image, cancellationToken),
                DockerHash = inspected.RepoDigests is { Count: > 0 } digests ? digests[0] : inspected.ID,
            };
        }

        var progress = new ConsoleProgress();
        return await new ImageBuilder(client).BuildAsync(new ImageBuildRequest
        {
            Config = config,
            Tag = image,
            Push = parse.GetValue(flags.Push),
            ContentId = contentId,
        }, progress, cancellationToken);
    }

    /// <summary>Prints build output as it arrives, in order (Progress&lt;T&gt; would post lines to other threads).</summary>
    private sealed class ConsoleProgress : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }

    /// <summary>The options both add forms share.</summary>
    private sealed class AddFlags
    {
        public Option<bool> NoAdd { get; } = new("--no-add", "-no-add") { Description = "build (and push) only; do not register" };

        public Option<bool> UseExistingImage { get; } = new("--use-existing-image", "-use-existing-image") { Description = "do not build: register IMAGE as it is in the local engine" };

        public Option<string> ContentId { get; } = new("--content-id", "-content-id") { Description = "use this ContentHash instead of hashing the saved image" };

        public Option<bool> Push { get; } = new("--push", "-push") { Description = "push IMAGE to its registry; DockerHash becomes repo@digest" };

        public void AddTo(Command command)
        {
            command.Options.Add(NoAdd);
            command.Options.Add(UseExistingImage);
            command.Options.Add(ContentId);
            command.Options.Add(Push);
        }
    }
}
