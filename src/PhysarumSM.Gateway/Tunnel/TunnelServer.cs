using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PhysarumSM.Libp2p;
using PhysarumSM.Libp2p.Host;
using PhysarumSM.Libp2p.Multiformats;
using PhysarumSM.Libp2p.Protocols;

namespace PhysarumSM.Gateway.Tunnel;

/// <summary>
/// Answers <c>/physarum/tunnel/1.0.0</c>: relays a peer's stream to the port of an instance this node runs. Why only
/// local instances: the tunnel must never turn a node into an open relay to arbitrary ports of its machine. Whatever
/// a peer sends, only its own tunnel ends; the node carries on.
/// </summary>
public sealed class TunnelServer
{
    private const int MaxReasonLength = 1024;

    private readonly ILocalInstances _instances;
    private readonly TunnelOptions _options;
    private readonly ILogger<TunnelServer> _logger;
    private readonly TimeProvider _time;
    private int _tunnels;

    /// <summary>A server relaying to <paramref name="instances"/> within the bounds of <paramref name="options"/>.</summary>
    /// <param name="instances">The instances this node runs.</param>
    /// <param name="options">Limits and deadlines.</param>
    /// <param name="logger">Where refusals and teardowns are reported.</param>
    /// <param name="time">Clock of the idle deadline and activity throttle; the system clock when null.</param>
    public TunnelServer(ILocalInstances instances, TunnelOptions options, ILogger<TunnelServer> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTunnels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BufferBytes, 1);
        _instances = instances;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Tunnels being opened or relayed right now.</summary>
    public int ActiveTunnels => Volatile.Read(ref _tunnels);

    /// <summary>Accepts tunnels on <paramref name="host"/> from now on.</summary>
    public void Register(Libp2pHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var self = host.PeerId;
        host.SetStreamHandler(TunnelWire.ProtocolId, (stream, ct) => HandleAsync(stream, self, ct));
    }

    private async Task HandleAsync(Libp2pStream stream, PeerId self, CancellationToken stopping)
    {
        var peer = stream.Connection.RemotePeer;
        if (Interlocked.Increment(ref _tunnels) > _options.MaxTunnels)
        {
            Interlocked.Decrement(ref _tunnels);
            await RefuseAsync(stream, peer, TunnelRefusalCode.Busy, $"node {self} already relays {_options.MaxTunnels} tunnels, its limit; try again shortly", stopping).ConfigureAwait(false);
            return;
        }

        try
        {
            await ServeAsync(stream, peer, self, stopping).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A misbehaving peer or instance ends this tunnel only.
            if (!stopping.IsCancellationRequested)
            {
                TunnelLog.Failed(_logger, peer, ex.Message);
            }

            stream.Stream.Reset();
        }
        finally
        {
            Interlocked.Decrement(ref _tunnels);
        }
    }

    private async Task ServeAsync(Libp2pStream stream, PeerId peer, PeerId self, CancellationToken stopping)
    {
        var request = await ReadRequestAsync(stream, peer, stopping).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var instance = request.Instance;
        if (!_instances.TryGetEndpoint(instance, out var endpoint))
        {
            await RefuseAsync(stream, peer, TunnelRefusalCode.NotFound, $"instance '{instance}' does not run on node {self}; a tunnel reaches only ports of instances that this node runs", stopping).ConfigureAwait(false);
            return;
        }

        var socket = await ConnectAsync(stream, peer, instance, endpoint, stopping).ConfigureAwait(false);
        if (socket is null)
        {
            return;
        }

        // Reported before answering, so the opener never sees a tunnel whose open was not yet counted.
        _instances.RecordActivity(instance);
        if (!await AnswerAsync(stream, peer, TunnelAnswer.Accepted, stopping).ConfigureAwait(false))
        {
            socket.Dispose();
            return;
        }

        TunnelLog.Opened(_logger, peer, instance, endpoint.ToString());
        var outcome = await new TunnelRelay(stream.Stream, socket, instance, _instances, _options, _time).RunAsync(stopping).ConfigureAwait(false);
        if (outcome.Idle)
        {
            TunnelLog.IdleClosed(_logger, peer, instance, _options.IdleTimeout);
        }
        else if (outcome.Failure is { } failure)
        {
            TunnelLog.TornDown(_logger, peer, instance, outcome.ToInstance, outcome.FromInstance, failure);
        }
        else
        {
            TunnelLog.Closed(_logger, peer, instance, outcome.ToInstance, outcome.FromInstance);
        }
    }

    /// <summary>The opening header, or null once the opener has been refused (or has gone).</summary>
    private async Task<TunnelRequest?> ReadRequestAsync(Libp2pStream stream, PeerId peer, CancellationToken stopping)
    {
        byte[] bytes;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            deadline.CancelAfter(_options.HeaderTimeout);
            try
            {
                bytes = await LengthPrefixedMessage.ReadAsync(stream.Stream, TunnelWire.MaxRequestBytes, deadline.Token).ConfigureAwait(false);
            }
            catch (Libp2pProtocolException ex)
            {
                await RefuseAsync(stream, peer, TunnelRefusalCode.Invalid, $"bad tunnel header: {ex.Message}", stopping).ConfigureAwait(false);
                return null;
            }
            catch (IOException ex)
            {
                TunnelLog.EndedEarly(_logger, peer, ex.Message);
                return null;
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                await RefuseAsync(stream, peer, TunnelRefusalCode.Invalid, $"no tunnel header within {_options.HeaderTimeout.TotalSeconds:0.#} s", stopping).ConfigureAwait(false);
                return null;
            }
        }

        if (!TunnelWire.TryParseRequest(bytes, out var request, out var error))
        {
            await RefuseAsync(stream, peer, TunnelRefusalCode.Invalid, error, stopping).ConfigureAwait(false);
            return null;
        }

        return request;
    }

    /// <summary>A socket connected to the instance, or null once the opener has been refused.</summary>
    private async Task<Socket?> ConnectAsync(Libp2pStream stream, PeerId peer, string instance, IPEndPoint endpoint, CancellationToken stopping)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        string reason;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            deadline.CancelAfter(_options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                reason = $"instance '{instance}' runs on this node but its port {endpoint} did not accept a connection ({ex.SocketErrorCode}: {ex.Message})";
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                reason = $"instance '{instance}' runs on this node but its port {endpoint} did not accept a connection within {_options.ConnectTimeout.TotalSeconds:0.#} s";
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        socket.Dispose();
        await RefuseAsync(stream, peer, TunnelRefusalCode.Unreachable, reason, stopping).ConfigureAwait(false);
        return null;
    }

    private async Task RefuseAsync(Libp2pStream stream, PeerId peer, string code, string reason, CancellationToken stopping)
    {
        if (reason.Length > MaxReasonLength)
        {
            reason = string.Concat(reason.AsSpan(0, MaxReasonLength), "…");
        }

        TunnelLog.Refused(_logger, peer, code, reason);
        await AnswerAsync(stream, peer, TunnelAnswer.Refused(code, reason), stopping).ConfigureAwait(false);
    }

    /// <summary>Sends the answer (and after a refusal closes our side); false when the opener is gone.</summary>
    private async Task<bool> AnswerAsync(Libp2pStream stream, PeerId peer, TunnelAnswer answer, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(_options.HeaderTimeout);
        try
        {
            await LengthPrefixedMessage.WriteAsync(stream.Stream, JsonSerializer.SerializeToUtf8Bytes(answer, TunnelWire.Json), deadline.Token).ConfigureAwait(false);
            if (!answer.Ok)
            {
                await stream.CloseWriteAsync(deadline.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (!stopping.IsCancellationRequested)
            {
                TunnelLog.AnswerFailed(_logger, peer, ex.Message);
            }

            return false;
        }
    }
}
