using Microsoft.Data.Sqlite;

namespace Outpost.Storage.Sqlite;

/// <summary>
/// Group commit for one kind of small write (an outbox append, an outbox finish): callers that arrive while a batch
/// waits for SQLite's single writer or is being written go into the next batch, which is written in one transaction.
/// Under load each caller then pays for a share of one commit instead of queueing for a commit of its own (measured in
/// bench/KubernetesWatch, P7); alone, a caller's write goes out at once as before. A caller's task completes only once
/// its batch has committed, so what it wrote is as durable as with a transaction of its own.
/// </summary>
public sealed class SqliteGroupCommit<TItem, TResult>(
    SqliteDatabase database, Func<SqliteConnection, SqliteTransaction, TItem, Task<TResult>> writeOne)
{
    /// <summary>Most writes in one transaction, so that one commit never holds the writer for long.</summary>
    public const int MaxBatch = 500;

    private readonly Lock _lock = new();
    private readonly Queue<Pending> _pending = new();
    private bool _flushing;

    /// <summary>Writes <paramref name="item"/> in the next batch; completes when that batch has committed.</summary>
    public Task<TResult> WriteAsync(TItem item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(item, cancellationToken, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (_lock)
        {
            _pending.Enqueue(pending);
            lead = !_flushing;
            _flushing = true;
        }
        if (lead)
        {
            // Not on the caller's own await: a caller must not wait for other callers' batches after its own.
            _ = Task.Run(FlushAsync, CancellationToken.None);
        }
        return pending.Done.Task;
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                batch = new List<Pending>(Math.Min(_pending.Count, MaxBatch));
                while (batch.Count < MaxBatch && _pending.TryDequeue(out var next))
                {
                    // A caller that gave up before its batch was taken gets its cancellation, and nothing is written.
                    if (next.CancellationToken.IsCancellationRequested)
                    {
                        next.Done.TrySetCanceled(next.CancellationToken);
                    }
                    else
                    {
                        batch.Add(next);
                    }
                }
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                var results = await WriteBatchAsync(batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception) when (batch.Count > 1)
            {
                // One bad write must not fail the others: write each in a transaction of its own.
                foreach (var one in batch)
                {
                    try
                    {
                        one.Done.TrySetResult((await WriteBatchAsync([one]))[0]);
                    }
                    catch (Exception e)
                    {
                        one.Done.TrySetException(e);
                    }
                }
            }
            catch (Exception e)
            {
                batch[0].Done.TrySetException(e);
            }
        }
    }

    private Task<List<TResult>> WriteBatchAsync(List<Pending> batch) => database.WriteAsync(async connection =>
    {
        await using var transaction = connection.BeginTransaction();
        var results = new List<TResult>(batch.Count);
        foreach (var pending in batch)
        {
            results.Add(await writeOne(connection, transaction, pending.Item));
        }
        await transaction.CommitAsync(CancellationToken.None);
        return results;
    }, CancellationToken.None);

    private sealed record Pending(TItem Item, CancellationToken CancellationToken, TaskCompletionSource<TResult> Done);
}
