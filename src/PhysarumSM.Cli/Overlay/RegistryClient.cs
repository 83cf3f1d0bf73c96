using System.Text.Json;
using PhysarumSM.Contracts.Registry;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Crypto;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Pnet;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Cli.Overlay;

/// <summary>
/// Joins the overlay as a short-lived peer (fresh identity, no listener) and asks a node's registry, like the
/// original hl-cli. Why through the overlay: the CLI needs nothing but a bootstrap address and the PSK.
/// </summary>
public sealed class RegistryClient : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private readonly OverlaySettings _settings;

    public RegistryClient(OverlaySettings settings)
    {
        _settings = settings;
        _host = new Libp2pHost(IdentityKey.Generate(), new Libp2pHostOptions
        {
            PreSharedKey = settings.Psk is null ? null : PreSharedKey.FromPassphrase(settings.Psk),
        });
    }

    /// <summary>Sends one request to the first bootstrap that answers.</summary>
    public async Task<RegistryResponse> SendAsync(RegistryRequest request, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var bootstrap in _settings.Bootstraps)
        {
            Libp2pStream stream;
            try
            {
                var connection = await _host.ConnectAsync(bootstrap, cancellationToken).ConfigureAwait(false);
                stream = await connection.NewStreamAsync([RegistryWire.ProtocolId], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException)
            {
                failures.Add($"{bootstrap}: {ex.Message}");
                continue;
            }

            await using (stream)
            {
                try
                {
                    await LengthPrefixedMessage.WriteAsync(stream.Stream, JsonSerializer.SerializeToUtf8Bytes(request, RegistryWire.Json), cancellationToken).ConfigureAwait(false);
                    await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                    var answer = await LengthPrefixedMessage.ReadAsync(stream.Stream, RegistryWire.MaxMessageBytes, cancellationToken).ConfigureAwait(false);
                    return JsonSerializer.Deserialize<RegistryResponse>(answer, RegistryWire.Json)
                        ?? throw new CliException($"{bootstrap} sent an empty registry answer");
                }
                catch (Exception ex) when (ex is IOException or JsonException)
                {
                    failures.Add($"{bootstrap}: {ex.Message}");
                }
            }
        }

        // Exit code 3 (the mesh is unreachable), as README's contract says: no bootstrap could be asked at all, which is
        // also what a wrong PSK looks like from here (every handshake fails).
        throw new CliException($"no node answered the registry request (check --bootstrap and --psk):\n  {string.Join("\n  ", failures)}", exitCode: 3);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
