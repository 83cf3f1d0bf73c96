using PhysarumSM.TestKit;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PhysarumSM.Node.Monitoring;
using PhysarumSM.Node.Tests.Support;
using Prometheus;

namespace PhysarumSM.Node.Tests.Monitoring;

public sealed class PingMonitorTests
{
    [Fact]
    public async Task Exports_rtt_gauges_per_peer_and_drops_them_after_ten_minutes_unseen()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = guard.Token;
        await using var a = await LoopbackHosts.StartAsync();
        await using var b = await LoopbackHosts.StartAsync();
        await a.ConnectAsync(b.DialAddress(), ct);

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var registry = Metrics.NewCustomRegistry();
        var options = new PingMonitorOptions();
        var monitor = new PingMonitor(a, options, "node-a", registry, NullLogger<PingMonitor>.Instance, time);
        var sampled = 0;
        monitor.Sampled += _ => Interlocked.Increment(ref sampled);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = monitor.RunAsync(stop.Token);

        // Each tick pings again; the average is seeded by the first sample and then moves by 10 %.
        while (Volatile.Read(ref sampled) < 3)
        {
            time.Advance(options.Interval);
            await Task.Delay(20, ct);
        }

        var rtt = Assert.Single(monitor.Snapshot());
        Assert.Equal(b.PeerId, rtt.Peer);
        Assert.True(rtt.Samples >= 3);
        var text = await ScrapeAsync(registry, ct);
        Assert.Contains($"ping_rtt{{targetHost=\"{b.PeerId}\",host=\"node-a\"}}", text);
        Assert.Contains($"ping_ewma_rtt{{targetHost=\"{b.PeerId}\",host=\"node-a\"}}", text);

        // The peer goes away: nothing is pinged any more, and after 10 minutes its series disappear.
        await a.DisconnectAsync(b.PeerId, ct);
        await Eventually.HoldsAsync(() => a.ConnectedPeers.Count == 0, ct);
        time.Advance(options.SeriesExpiry - TimeSpan.FromSeconds(1));
        await Task.Delay(50, ct);
        Assert.Contains("ping_rtt{", await ScrapeAsync(registry, ct));
        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.HoldsAsync(() => monitor.Snapshot().Count == 0, ct);
        Assert.DoesNotContain("ping_rtt{", await ScrapeAsync(registry, ct));

        await stop.CancelAsync();
        await run;
    }

    private static async Task<string> ScrapeAsync(CollectorRegistry registry, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(output, cancellationToken);
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
