namespace PhysarumSM.Registry.Cluster;

/// <summary>The <c>etcd</c> executable is not installed where the node looks; the message says what to do instead.</summary>
public sealed class EtcdNotFoundException : Exception
{
    /// <summary>The message every caller should show as is.</summary>
    public const string Advice = "etcd not found: install Debian's etcd-server or pass -etcd-endpoints";

    /// <summary>Creates the exception, naming where the node looked.</summary>
    public EtcdNotFoundException(string lookedAt) : base($"{Advice} (looked at {lookedAt})") { }
}
