namespace SecretAdmin.Features.Keys;

/// <summary>
/// Follows the latest re-seal or import run for every open keys page of this process at once: one
/// read of the database per interval (each second while a run is going on, every few seconds while
/// none is), whoever started the run — a page, another tab, the command line in another process.
/// A change is pushed to each subscriber on its own, so a slow or failing page delays or breaks no
/// other; a subscriber that is still busy gets only the newest update once it is done. The master
/// key's availability rides along, so a token pulled out shows on the open pages too.
/// </summary>
public sealed class KeyOperationsMonitor(KeyOperations operations, LoadedMasterKey masterKey, ILogger<KeyOperationsMonitor> logger) : BackgroundService
{
    /// <summary>Between reads while a run is going on.</summary>
    public static readonly TimeSpan ActiveInterval = TimeSpan.FromSeconds(1);

    /// <summary>Between reads while no run is going on: how soon a run started elsewhere shows.</summary>
    public static readonly TimeSpan IdleInterval = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private Subscription[] _subscriptions = [];
    private volatile KeyOperationsUpdate? _current;
    private long _reads;
    private int _runsHere;
    private long _runsEndedHere;
    private bool _readFailing;

    /// <summary>The last update, or null before the first read.</summary>
    public KeyOperationsUpdate? Current => _current;

    /// <summary>How many pages follow the runs now: each open keys page subscribes once and unsubscribes when it closes.</summary>
    internal int Subscribers => Volatile.Read(ref _subscriptions).Length;

    /// <summary>The number of the newest read begun: an update with this number or lower began before now.</summary>
    public long ReadsBegun => Interlocked.Read(ref _reads);

    /// <summary>
    /// Calls <paramref name="onChange"/> with the newest update after each change, off the caller's
    /// thread, one call at a time for this subscriber. Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(Func<KeyOperationsUpdate, Task> onChange)
    {
        var subscription = new Subscription(this, onChange);
        lock (_lock)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    /// <summary>The last update, reading the database first when nothing has been read yet.</summary>
    public async Task<KeyOperationsUpdate> GetAsync(CancellationToken cancellationToken = default) =>
        _current ?? await RefreshAsync(cancellationToken);

    /// <summary>Asks for a read now rather than at the next interval (a run here started, moved on or ended).</summary>
    public void RefreshSoon()
    {
        lock (_lock)
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
    }

    /// <summary>Reads the latest run now and pushes it to the subscribers when it differs from the last update.</summary>
    public async Task<KeyOperationsUpdate> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            // Looked at before the record: a run here seen ended has written all it will by the time the record is read.
            var read = Interlocked.Increment(ref _reads);
            var runningHere = Volatile.Read(ref _runsHere) > 0;
            var endedHere = Interlocked.Read(ref _runsEndedHere);
            var previous = _current;
            KeyOperationsUpdate update;
            try
            {
                // A database provider may complete its "async" calls synchronously: off the caller's thread.
                var latest = await Task.Run(() => operations.LatestAsync(cancellationToken), cancellationToken);
                update = new KeyOperationsUpdate(read, latest, runningHere, endedHere, ReadFailed: false, masterKey.Unavailable);
                _readFailing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (!_readFailing)
                {
                    logger.LogError("The latest re-seal could not be read ({Exception}); trying again", e.GetType().Name);
                }

                _readFailing = true;
                update = new KeyOperationsUpdate(read, previous?.Latest, runningHere, endedHere, ReadFailed: true, masterKey.Unavailable);
            }

            if (previous is not null && previous with { Read = read } == update)
            {
                return previous;
            }

            _current = update;
            Subscription[] subscriptions;
            lock (_lock)
            {
                subscriptions = _subscriptions;
            }

            foreach (var subscription in subscriptions)
            {
                subscription.Post();
            }

            return update;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>A run of this process begins: it counts as going on from now, and pages hear of it at once.</summary>
    internal void RunHereStarted()
    {
        Interlocked.Increment(ref _runsHere);
        RefreshSoon();
    }

    /// <summary>A run of this process ended, after writing its last record.</summary>
    internal void RunHereEnded()
    {
        Interlocked.Increment(ref _runsEndedHere);
        Interlocked.Decrement(ref _runsHere);
        RefreshSoon();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var update = await RefreshAsync(stoppingToken);
                await _wake.WaitAsync(update.Running ? ActiveInterval : IdleInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One page's failure is its own; the others are told all the same.</summary>
    private void SubscriberFailed(Exception e) =>
        logger.LogWarning("A page following the key runs failed to take an update ({Exception})", e.GetType().Name);

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            _subscriptions = [.. _subscriptions.Where(s => !ReferenceEquals(s, subscription))];
        }
    }

    /// <summary>One subscriber: at most one call at a time, and a change during a call makes one more call with the newest update.</summary>
    private sealed class Subscription(KeyOperationsMonitor monitor, Func<KeyOperationsUpdate, Task> onChange) : IDisposable
    {
        private readonly Lock _gate = new();
        private bool _delivering;
        private bool _pending;
        private bool _disposed;

        public void Post()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                if (_delivering)
                {
                    _pending = true;
                    return;
                }

                _delivering = true;
            }

            _ = Task.Run(DeliverAsync);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
            }

            monitor.Remove(this);
        }

        private async Task DeliverAsync()
        {
            while (true)
            {
                try
                {
                    if (monitor.Current is { } update)
                    {
                        await onChange(update);
                    }
                }
                catch (Exception e)
                {
                    monitor.SubscriberFailed(e);
                }

                lock (_gate)
                {
                    if (!_pending || _disposed)
                    {
                        _delivering = false;
                        return;
                    }

                    _pending = false;
                }
            }
        }
    }
}
