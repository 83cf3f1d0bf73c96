using PhysarumSM.Bench;

// bench: runs every measurement and prints a Markdown table of ratios (ours / js-libp2p) to stdout.
//   dotnet run -c Release --project bench/PhysarumSM.Bench -- [--mib N] [--pings N] [--out FILE]
//   dotnet run -c Release --project bench/PhysarumSM.Bench -- footprint [SECONDS]
//   dotnet run -c Release --project bench/PhysarumSM.Bench -- coldstart [--runs N] [--out FILE]
//   dotnet run -c Release --project bench/PhysarumSM.Bench -- gateway [--seconds N] [--connections C] [--threads T] [--rounds R] [--warmup N] [--max-foreign PERCENT] [--node-env KEY=VALUE]... [--out FILE]
// serve: an overlay peer with the echo/sink/source protocols (the C# side of each measurement runs in its
// own process, exactly like the js side).
if (args.Length > 0 && args[0] == "serve")
{
    return await BenchPeer.ServeAsync(args[1..]);
}

// footprint: idle memory and CPU of one physarum-node with 10 peers (issue 3).
if (args.Length > 0 && args[0] == "footprint")
{
    var seconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60;
    Console.WriteLine(await NodeFootprint.MeasureAsync(TimeSpan.FromSeconds(seconds), peers: 10));
    return 0;
}

// coldstart: allocator cold and warm-pool start against `docker run` of the same image (issue 5).
if (args.Length > 0 && args[0] == "coldstart")
{
    return await ColdStart.RunAsync(args[1..]);
}

// gateway: wrk through the local gateway and through the tunnel against straight to the container (issue 6's data path).
if (args.Length > 0 && args[0] == "gateway")
{
    return await GatewayBench.RunAsync(args[1..]);
}

return await BenchRun.RunAsync(args);
