using Microsoft.Extensions.Logging;
using PhysarumSM.Contracts.Events;

namespace PhysarumSM.Grains.Events;

/// <summary>Reports to the event log without ever failing or delaying the reporter: the log is for people, the reporter's work is not.</summary>
internal static partial class MeshEvents
{
    public static void Report(IGrainFactory grains, ILogger logger, MeshEventKind kind, string service, string message, string? instanceId = null, string? nodeId = null)
    {
        try
        {
            _ = grains.GetGrain<IMeshEventLogGrain>(IMeshEventLogGrain.Key).Append(new MeshEvent
            {
                At = DateTimeOffset.UtcNow,
                Kind = kind,
                Service = service,
                InstanceId = instanceId,
                NodeId = nodeId,
                Message = message,
            });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogNotReported(logger, kind, service, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {Kind} of {Service} not reported: {Error}")]
    private static partial void LogNotReported(ILogger logger, MeshEventKind kind, string service, string error);
}
