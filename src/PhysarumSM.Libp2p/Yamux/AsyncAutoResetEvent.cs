using System.Threading.Tasks.Sources;

namespace PhysarumSM.Libp2p.Yamux;

/// <summary>
/// An auto-reset event for a single waiter whose waits are allocation-free <see cref="ValueTask"/>s.
/// Why not SemaphoreSlim/TaskCompletionSource: stream reads, stream writes and the writer loop wait once per
/// frame under load, and a Task per wait would put garbage on the data path. A Set with nobody waiting is
/// remembered, so a wakeup between "check" and "wait" is never lost; callers re-check after waking.
/// </summary>
internal sealed class AsyncAutoResetEvent : IValueTaskSource
{
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _signaled;
    private bool _waiting;
    private CancellationToken _waitToken;
    private CancellationTokenRegistration _registration;

    /// <summary>Completes at the next <see cref="Set"/> (or at once if one happened since the last wait).</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        short version;
        lock (_gate)
        {
            if (_signaled)
            {
                _signaled = false;
                return ValueTask.CompletedTask;
            }

            if (_waiting)
            {
                throw new InvalidOperationException("Only one wait at a time is supported.");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            _core.Reset();
            _waiting = true;
            version = _core.Version;
            if (cancellationToken.CanBeCanceled)
            {
                // Registered under the lock: a callback racing in from another thread waits for it, and one run
                // inline (token cancelled just now) re-enters it, so both see a consistent state.
                _waitToken = cancellationToken;
                _registration = cancellationToken.UnsafeRegister(static state => ((AsyncAutoResetEvent)state!).OnCanceled(), this);
            }
        }

        return new ValueTask(this, version);
    }

    /// <summary>Wakes the waiter, or lets the next wait complete at once.</summary>
    public void Set()
    {
        CancellationTokenRegistration registration;
        lock (_gate)
        {
            if (!_waiting)
            {
                _signaled = true;
                return;
            }

            _waiting = false;
            registration = _registration;
            _registration = default;
            _waitToken = default;
            _core.SetResult(true);
        }

        // Unregister never blocks (Dispose would wait for a running callback).
        registration.Unregister();
    }

    private void OnCanceled()
    {
        lock (_gate)
        {
            // A late callback of an earlier wait finds no wait, or a wait whose own token is not cancelled.
            if (!_waiting || !_waitToken.IsCancellationRequested)
            {
                return;
            }

            var token = _waitToken;
            _waiting = false;
            _registration = default;
            _waitToken = default;
            _core.SetException(new OperationCanceledException(token));
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
