namespace Outpost.Events;

/// <summary>
/// Lets a caller wait until one outbox event has been handled by the relay. The relay reports every event it removes;
/// one reported before anybody waited is remembered (the most recent few thousand), so a wait that starts late
/// still ends at once.
/// </summary>
internal sealed class DeliveryNotices
{
    private const int Remembered = 4096;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, TaskCompletionSource> _waiters = [];
    private readonly HashSet<long> _done = [];
    private readonly Queue<long> _doneOrder = new();

    public void Handled(long id)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (!_waiters.Remove(id, out waiter))
            {
                if (_done.Add(id))
                {
                    _doneOrder.Enqueue(id);
                }
                if (_doneOrder.Count > Remembered)
                {
                    _done.Remove(_doneOrder.Dequeue());
                }
            }
        }
        waiter?.TrySetResult();
    }

    public async Task WaitAsync(long id, TimeSpan limit)
    {
        Task handled;
        lock (_lock)
        {
            if (_done.Remove(id))
            {
                return;
            }
            if (!_waiters.TryGetValue(id, out var waiter))
            {
                _waiters[id] = waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            handled = waiter.Task;
        }
        try
        {
            await handled.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            lock (_lock)
            {
                _waiters.Remove(id);
            }
        }
    }
}
