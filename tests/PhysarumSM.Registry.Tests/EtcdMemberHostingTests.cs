using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PhysarumSM.Registry.Cluster;
using PhysarumSM.Registry.Hosting;
using PhysarumSM.TestKit;

namespace PhysarumSM.Registry.Tests;

/// <summary>The member as the node hosts it: a hosted service started and stopped with the host.</summary>
public sealed class EtcdMemberHostingTests
{
    [Fact]
    public async Task The_host_starts_a_healthy_member_and_stops_it_with_its_data_kept()
    {
        using var guard = Guard.Start();
        await EtcdServer.EnsureInstalledAsync(guard.Token);
        await using var harness = new MemberHarness();
        var options = harness.NewOptions(newCluster: true);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEtcdMember(o =>
        {
            o.Name = options.Name;
            o.Ip = options.Ip;
            o.ClientPort = options.ClientPort;
            o.PeerPort = options.PeerPort;
            o.DataDirectory = options.DataDirectory;
            o.NewCluster = true;
        });
        using var host = builder.Build();

        await host.StartAsync(guard.Token);
        var member = host.Services.GetRequiredService<EtcdMember>();
        Assert.True(await member.IsHealthyAsync(guard.Token));
        await MemberHarness.WriteAsync(member.ClientUrl, 1, guard.Token);
        await host.StopAsync(guard.Token);

        Assert.Null(member.ProcessId);
        Assert.False(await member.IsHealthyAsync(guard.Token));
        Assert.True(File.Exists(Path.Combine(options.DataDirectory, "etcd-member.json")));
    }
}
