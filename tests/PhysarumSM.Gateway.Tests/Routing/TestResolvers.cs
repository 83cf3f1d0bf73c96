using System.Collections.Concurrent;
using PhysarumSM.Gateway.Routing;

namespace PhysarumSM.Gateway.Tests.Routing;

/// <summary>Routes of one test service, by node: instance <c>{service}/{node}/{ordinal}</c>.</summary>
internal static class Routes
{
    public const string Service = "hello-world-server";

    public static Route On(string nodeId, int soft = 20, int hard = 50, int ordinal = 0, string service = Service) =>
        new(service, $"{service}/{nodeId}/{ordinal}", nodeId, soft, hard);
}

/// <summary>
/// A resolver whose every call waits until the test answers it; stands in for the service grain, whose real
/// resolution is integration-tested elsewhere. Records each call's token to show whose wait it carries.
/// </summary>
internal sealed class GatedResolver : IRouteResolver
{
    private readonly ConcurrentQueue<ResolveCall> _calls = new();
    private int _count;

    public int Calls => Volatile.Read(ref _count);

    public IReadOnlyList<ResolveCall> All => [.. _calls];

    public ResolveCall Last => _calls.Last();

    public Task<Route> ResolveAsync(string service, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<Route>(TaskCreationOptions.RunContinuationsAsynchronously);
        cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
        _calls.Enqueue(new ResolveCall(service, cancellationToken, answer));
        Interlocked.Increment(ref _count);
        return answer.Task;
    }
}

/// <summary>One call to the <see cref="GatedResolver"/>, answered by the test.</summary>
internal sealed record ResolveCall(string Service, CancellationToken Token, TaskCompletionSource<Route> Answer)
{
    public void Return(Route route) => Answer.SetResult(route);

    public void Throw(Exception error) => Answer.SetException(error);
}

/// <summary>A resolver that answers at once from a function (or throws what it throws).</summary>
internal sealed class AnsweringResolver(Func<string, Route> answer) : IRouteResolver
{
    private int _count;

    public int Calls => Volatile.Read(ref _count);

    public Task<Route> ResolveAsync(string service, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return Task.FromResult(answer(service));
    }
}
