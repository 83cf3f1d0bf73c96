using PhysarumSM.Bench;

// bench: runs every measurement and prints a Markdown table of ratios (ours / js-libp2p) to stdout.
//   dotnet run -c Release --project bench/PhysarumSM.Bench -- [--seconds N] [--bytes MiB] [--out bench/RESULTS.md]
// serve: an overlay peer with the echo/sink/source protocols (the C# side of each measurement runs in its
// own process, exactly like the js side).
if (args.Length > 0 && args[0] == "serve")
{
    return await BenchPeer.ServeAsync(args[1..]);
}

return await BenchRun.RunAsync(args);
