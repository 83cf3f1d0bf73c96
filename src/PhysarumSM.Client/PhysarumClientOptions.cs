namespace PhysarumSM.Client;

/// <summary>
/// How the client reaches the mesh: Orleans membership (<see cref="Redis"/> or static <see cref="Gateways"/>), the
/// cluster identity, and optional overrides of the HTTP gateway and the node to resolve from. Bound from configuration
/// section <see cref="SectionName"/>, then the delegate given to <c>AddPhysarumClient</c>.
/// </summary>
public sealed class PhysarumClientOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Physarum:Client";

    /// <summary>The Orleans gateway used when neither <see cref="Redis"/> nor <see cref="Gateways"/> is set: a node's <c>-gateway-port</c> default on this machine.</summary>
    public const string DefaultGateway = "127.0.0.1:30000";

    /// <summary>The name of the <see cref="HttpClient"/> <c>SendAsync</c> uses; configure it with <c>services.AddHttpClient(PhysarumClientOptions.HttpClientName)</c> (handlers, timeout).</summary>
    public const string HttpClientName = "PhysarumSM.Client.Gateway";

    /// <summary>
    /// Redis holding the nodes' membership table (the nodes' <c>-redis</c> value, HOST:PORT with optional
    /// StackExchange.Redis options such as <c>,password=...</c>). Set: the client finds the nodes' gateways there.
    /// Empty: static clustering on <see cref="Gateways"/>.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Orleans gateway endpoints (HOST:PORT, a node's <c>-gateway-port</c>) for static clustering; host names are resolved
    /// once at start. Empty (and no <see cref="Redis"/>): <see cref="DefaultGateway"/>. Why a list kept empty by default:
    /// configuration binding appends to a list, so a default entry could never be replaced from configuration.
    /// </summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>The Orleans cluster id the nodes use. Default "physarum", as the nodes.</summary>
    public string ClusterId { get; set; } = "physarum";

    /// <summary>The Orleans service id the nodes use. Default "physarum", as the nodes.</summary>
    public string ServiceId { get; set; } = "physarum";

    /// <summary>
    /// The HTTP gateway <c>SendAsync</c> calls, e.g. <c>http://127.0.0.1:4200/</c>. Empty: the gateway the entry node
    /// publishes in <c>NodeInfo.GatewayUrl</c> (the node whose Orleans gateway this client uses, else a node on this
    /// machine, else any node whose published gateway is reachable from here).
    /// </summary>
    public string? GatewayUrl { get; set; }

    /// <summary>The peer ID of the node <c>ResolveAsync</c> resolves from (RTTs are measured from it). Empty: the entry node.</summary>
    public string? FromNode { get; set; }

    /// <summary>How often the event feed asks the mesh event log for new events. Default 500 ms.</summary>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// PKCS#12 (.pfx) file with the nodes' cluster certificate and its private key (the file the nodes get as
    /// <c>-cluster-cert</c>). Set: the client speaks mutual TLS to the gateways, presents this certificate and accepts
    /// only gateways presenting it. Empty: plaintext, which nodes started with <c>-cluster-cert</c> refuse.
    /// </summary>
    public string? ClusterCertificatePath { get; set; }

    /// <summary>Password of <see cref="ClusterCertificatePath"/> (the nodes' <c>-cluster-cert-password</c>); empty = none. Never logged.</summary>
    public string? ClusterCertificatePassword { get; set; }

    /// <summary>The gateways static clustering uses: <see cref="Gateways"/>, or <see cref="DefaultGateway"/> when that is empty.</summary>
    internal IReadOnlyList<string> EffectiveGateways =>
        Gateways.Count == 0 ? [DefaultGateway] : Gateways;

    /// <summary>True when the client connects with mutual TLS.</summary>
    internal bool UsesTls => !string.IsNullOrWhiteSpace(ClusterCertificatePath);

    /// <summary>True when membership comes from Redis rather than a gateway list.</summary>
    internal bool UsesRedis => !string.IsNullOrWhiteSpace(Redis);
}
