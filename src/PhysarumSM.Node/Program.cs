using PhysarumSM.Node.Configuration;
using PhysarumSM.Node.Hosting;

// physarum-node: one per machine. Exit codes: 0 normal stop, 2 bad flags, 1 could not start.
NodeOptions options;
try
{
    options = NodeCommandLine.Parse(args, Environment.GetEnvironmentVariable);
}
catch (HelpRequestedException)
{
    Console.WriteLine(NodeCommandLine.Usage);
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"physarum-node: {ex.Message}");
    return 2;
}

return await NodeApplication.RunAsync(options);
