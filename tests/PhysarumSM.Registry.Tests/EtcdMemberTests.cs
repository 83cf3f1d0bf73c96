using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PhysarumSM.Registry.Cluster;
using PhysarumSM.TestKit;

namespace PhysarumSM.Registry.Tests;

/// <summary>The etcd member launcher against the real etcd binary.</summary>
public sealed class EtcdMemberTests
{
    public EtcdMemberTests() => EtcdServer.EnsureInstalledAsync().GetAwaiter().GetResult();

    [Fact]
    public async Task A_new_cluster_member_serves_and_its_data_survives_a_stop_and_start()
    {
        using var guard = Guard.Start();
        await using var harness = new MemberHarness();
        var options = harness.NewOptions(newCluster: true);
        var member = harness.Member(options);
        await member.StartAsync(guard.Token);
        await MemberHarness.WriteAsync(member.ClientUrl, 7, guard.Token);

        await member.StopAsync(guard.Token);

        Assert.Null(member.ProcessId);
        Assert.True(Directory.Exists(Path.Combine(options.DataDirectory, "etcd", "member")));
        var again = harness.Member(options);
        await again.StartAsync(guard.Token);
        Assert.Equal(7, await MemberHarness.ReadAsync(again.ClientUrl, guard.Token));
    }

    [Fact]
    public async Task A_member_that_dies_is_restarted_with_its_data()
    {
        using var guard = Guard.Start();
        await using var harness = new MemberHarness();
        var member = harness.Member(harness.NewOptions(newCluster: true));
        await member.StartAsync(guard.Token);
        await MemberHarness.WriteAsync(member.ClientUrl, 3, guard.Token);
        var first = member.ProcessId!.Value;

        Process.GetProcessById(first).Kill();

        while (member.Restarts == 0 || member.ProcessId is null || member.ProcessId == first)
        {
            await Task.Delay(50, guard.Token);
        }

        await member.WaitUntilHealthyAsync(guard.Token);
        Assert.Equal(3, await MemberHarness.ReadAsync(member.ClientUrl, guard.Token));
    }

    [Fact]
    public async Task A_joined_member_serves_the_same_data_and_answers_while_the_other_is_stopped()
    {
        using var guard = Guard.Start();
        await using var harness = new MemberHarness();
        var founderOptions = harness.NewOptions(newCluster: true);
        var founder = harness.Member(founderOptions);
        await founder.StartAsync(guard.Token);
        using var membership = new EtcdMembership(MemberHarness.StorageOptions(founder.ClientUrl), NullLogger<EtcdMembership>.Instance);
        var joinerOptions = harness.NewOptions(newCluster: false);
        var joined = harness.Member(joinerOptions, membership);

        await joined.StartAsync(guard.Token);
        await MemberHarness.WriteAsync(founder.ClientUrl, 11, guard.Token);

        Assert.Equal(11, await MemberHarness.ReadAsync(joined.ClientUrl, guard.Token));
        var members = await membership.ListAsync(guard.Token);
        Assert.Equal(
            new[] { founder.Name, joined.Name }.Order(StringComparer.Ordinal),
            members.Select(m => m.Name).Order(StringComparer.Ordinal));

        await founder.StopAsync(guard.Token);
        Assert.Equal(11, await MemberHarness.ReadAsync(joined.ClientUrl, guard.Token));

        // Both restart from their data; the joined member needs nobody to ask any more.
        await joined.StopAsync(guard.Token);
        var founderAgain = harness.Member(founderOptions);
        var joinedAgain = harness.Member(joinerOptions);
        await Task.WhenAll(founderAgain.StartAsync(guard.Token), joinedAgain.StartAsync(guard.Token));
        await MemberHarness.WriteAsync(joinedAgain.ClientUrl, 12, guard.Token);
        Assert.Equal(12, await MemberHarness.ReadAsync(founderAgain.ClientUrl, guard.Token));
    }

    [Fact]
    public async Task Adding_a_member_twice_before_it_starts_answers_with_the_same_member()
    {
        using var guard = Guard.Start();
        await using var harness = new MemberHarness();
        var founder = harness.Member(harness.NewOptions(newCluster: true));
        await founder.StartAsync(guard.Token);
        using var membership = new EtcdMembership(MemberHarness.StorageOptions(founder.ClientUrl), NullLogger<EtcdMembership>.Instance);

        var first = await membership.AddMemberAsync("late", ["http://127.0.0.1:1"], guard.Token);
        var second = await membership.AddMemberAsync("late", ["http://127.0.0.1:1"], guard.Token);

        Assert.Equal(first.MemberId, second.MemberId);
        Assert.Equal(first.InitialCluster, second.InitialCluster);
        Assert.Contains("late=http://127.0.0.1:1", first.InitialCluster);
        Assert.Contains($"{founder.Name}={founder.PeerUrl}", first.InitialCluster);
        Assert.Equal([founder.ClientUrl], first.ClientUrls);
    }

    [Fact]
    public async Task A_missing_etcd_binary_is_a_clear_error()
    {
        await using var harness = new MemberHarness();
        var options = harness.NewOptions(newCluster: true);
        options.ExecutablePath = "/nonexistent/etcd";
        var member = harness.Member(options);

        var error = await Assert.ThrowsAsync<EtcdNotFoundException>(() => member.StartAsync(CancellationToken.None));

        Assert.StartsWith("etcd not found: install Debian's etcd-server or pass -etcd-endpoints", error.Message);
    }

    [Fact]
    public async Task Joining_without_anyone_to_ask_says_which_flags_to_use()
    {
        await using var harness = new MemberHarness();
        var member = harness.Member(harness.NewOptions(newCluster: false));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => member.StartAsync(CancellationToken.None));

        Assert.Contains("-new-etcd-cluster", error.Message);
        Assert.Contains("-etcd-endpoints", error.Message);
    }

    [Fact]
    public async Task An_etcd_left_running_by_a_dead_node_is_stopped_before_the_member_starts()
    {
        using var guard = Guard.Start();
        await using var harness = new MemberHarness();
        var options = harness.NewOptions(newCluster: true);
        var member = harness.Member(options);
        await member.StartAsync(guard.Token);
        await MemberHarness.WriteAsync(member.ClientUrl, 9, guard.Token);
        await member.StopAsync(guard.Token);
        using var leftover = StartLeftover(await EtcdServer.EnsureInstalledAsync(guard.Token), options);
        await File.WriteAllTextAsync(Path.Combine(options.DataDirectory, "etcd.pid"), leftover.Id.ToString(CultureInfo.InvariantCulture), guard.Token);

        var again = harness.Member(options);
        await again.StartAsync(guard.Token);

        Assert.True(leftover.HasExited);
        Assert.NotEqual(leftover.Id, again.ProcessId);
        Assert.Equal(9, await MemberHarness.ReadAsync(again.ClientUrl, guard.Token));
    }

    [Fact]
    public void Options_without_an_ip_are_rejected_naming_the_flag()
    {
        var options = new EtcdMemberOptions { DataDirectory = "/tmp/x" };

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => new EtcdMember(Microsoft.Extensions.Options.Options.Create(options), NullLogger<EtcdMember>.Instance));

        Assert.Contains("-etcd-ip", error.Message);
    }

    private static Process StartLeftover(string etcd, EtcdMemberOptions options)
    {
        var start = new ProcessStartInfo(etcd) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[]
                 {
                     "--name", options.Name, "--data-dir", options.EtcdDataDirectory,
                     "--listen-client-urls", options.ClientUrl, "--advertise-client-urls", options.ClientUrl,
                     "--listen-peer-urls", options.PeerUrl, "--initial-advertise-peer-urls", options.PeerUrl,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }
}
