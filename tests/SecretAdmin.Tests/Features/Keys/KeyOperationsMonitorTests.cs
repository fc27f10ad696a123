using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>The one monitor that reads the latest key run for the whole process and pushes changes to the open pages.</summary>
public sealed class KeyOperationsMonitorTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly TempDataDirectory _temp = new();
    private readonly ServiceProvider _services;
    private readonly KeyOperationsMonitor _monitor;

    public KeyOperationsMonitorTests()
    {
        _services = TestServices.Build(_temp);
        _monitor = NewMonitor(_services);
    }

    public void Dispose()
    {
        _monitor.Dispose();
        _services.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Refresh_RunRecorded_TwoSubscribersEachReceiveTheChangeOnce()
    {
        await _monitor.RefreshAsync();
        var first = new Recorder();
        var second = new Recorder();
        using var a = _monitor.Subscribe(first.OnChange);
        using var b = _monitor.Subscribe(second.OnChange);

        var id = await RecordRunAsync(done: 250, total: 1000);
        await _monitor.RefreshAsync();
        await _monitor.RefreshAsync();

        var seenByFirst = await first.NextAsync();
        var seenBySecond = await second.NextAsync();
        await Task.Delay(300);
        Assert.Equal((id, 250L, KeyOperationState.Running), (seenByFirst.Latest!.Id, seenByFirst.Latest.Done, seenByFirst.Latest.State));
        Assert.Equal(seenByFirst, seenBySecond);
        Assert.Equal((1, 1), (first.Count, second.Count));
    }

    [Fact]
    public async Task Refresh_NothingChanged_PushesNothing()
    {
        await RecordRunAsync(done: 1, total: 2);
        var before = await _monitor.RefreshAsync();
        var recorder = new Recorder();
        using var subscription = _monitor.Subscribe(recorder.OnChange);

        var after = await _monitor.RefreshAsync();

        await Task.Delay(300);
        Assert.Same(before, after);
        Assert.Equal(0, recorder.Count);
    }

    [Fact]
    public async Task Subscribe_Disposed_StopsDelivery()
    {
        await _monitor.RefreshAsync();
        var gone = new Recorder();
        var staying = new Recorder();
        var subscription = _monitor.Subscribe(gone.OnChange);
        using var other = _monitor.Subscribe(staying.OnChange);

        subscription.Dispose();
        await RecordRunAsync(done: 1, total: 2);
        await _monitor.RefreshAsync();

        await staying.NextAsync();
        await Task.Delay(300);
        Assert.Equal(0, gone.Count);
    }

    [Fact]
    public async Task Subscribers_OneThrowsAndOneIsStuck_TheOthersAreToldAndTheStuckOneGetsOnlyTheNewest()
    {
        await _monitor.RefreshAsync();
        var stuck = new TaskCompletionSource();
        var stuckSaw = new ConcurrentQueue<KeyOperationsUpdate>();
        using var throwsAtOnce = _monitor.Subscribe(_ => throw new InvalidOperationException("a page that fails"));
        using var throwsLater = _monitor.Subscribe(async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("a page that fails later");
        });
        using var slow = _monitor.Subscribe(async update =>
        {
            stuckSaw.Enqueue(update);
            await stuck.Task;
        });
        var healthy = new Recorder();
        using var fine = _monitor.Subscribe(healthy.OnChange);

        var id = await RecordRunAsync(done: 1, total: 10);
        await _monitor.RefreshAsync();
        Assert.Equal(1, (await healthy.NextAsync()).Latest!.Done);
        await UpdateRunAsync(id, done: 5);
        await _monitor.RefreshAsync();
        Assert.Equal(5, (await healthy.NextAsync()).Latest!.Done);
        await UpdateRunAsync(id, done: 9);
        await _monitor.RefreshAsync();
        Assert.Equal(9, (await healthy.NextAsync()).Latest!.Done);

        // Each call hands over the newest update when it is made: the stuck one was called once, and is called once more when free.
        await WaitUntilAsync(() => !stuckSaw.IsEmpty);
        Assert.Single(stuckSaw);
        stuck.SetResult();
        await WaitUntilAsync(() => stuckSaw.Count == 2);
        await Task.Delay(300);
        Assert.Equal(2, stuckSaw.Count);
        Assert.Equal(9, stuckSaw.Last().Latest!.Done);
    }

    [Fact]
    public async Task Running_RunWrittenByAnotherInstance_IsPushedWithoutAnyoneAsking()
    {
        await _monitor.StartAsync(CancellationToken.None);
        var recorder = new Recorder();
        using var subscription = _monitor.Subscribe(recorder.OnChange);
        await WaitUntilAsync(() => _monitor.Current is not null);

        // Another process's services on the same database, as the command line has.
        using var other = TestServices.Build(_temp);
        await other.GetRequiredService<SealedValueService>().ResealAsync(AuditActor.Cli);

        var update = await recorder.NextAsync(u => u.Latest is not null);
        Assert.Equal(("cli", KeyOperationState.Finished, KeyOperation.Reseal), (update.Latest!.StartedBy, update.Latest.State, update.Latest.Kind));
        Assert.False(update.RunningHere);
        await _monitor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Runner_ReSealHere_IsPushedAsRunningHereThenAsEndedWithItsRecord()
    {
        await _monitor.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => _monitor.Current is not null);
        var recorder = new Recorder();
        using var subscription = _monitor.Subscribe(recorder.OnChange);
        var runner = new KeyJobRunner(
            _services.GetRequiredService<SealedValueService>(), _monitor, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), NullLogger<KeyJobRunner>.Instance);

        // Another writer holds the database: the run cannot record itself, let alone end, until it lets go.
        var blocker = await _temp.HoldWritesAsync();

        Assert.Equal(ResealStart.Started, await runner.TryStartResealAsync(new AuditActor("admin@example.test", null)));

        var running = await recorder.NextAsync();
        Assert.Equal((true, 0L), (running.RunningHere, running.RunsEndedHere));
        Assert.True(running.Running);
        await blocker.DisposeAsync();

        var ended = await recorder.NextAsync(u => u.RunsEndedHere == 1);
        Assert.False(ended.RunningHere);
        Assert.Equal(("admin@example.test", KeyOperationState.Finished), (ended.Latest!.StartedBy, ended.Latest.State));
        Assert.False(runner.IsRunning);
        await _monitor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Running_MasterKeyStopsAnswering_IsPushedWithTheReason()
    {
        await _monitor.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => _monitor.Current is not null);
        Assert.Null(_monitor.Current!.MasterKeyUnavailable);
        var recorder = new Recorder();
        using var subscription = _monitor.Subscribe(recorder.OnChange);

        _services.GetRequiredService<LoadedMasterKey>().MarkUnavailable("the master key is unavailable: the token was removed");

        var update = await recorder.NextAsync();
        Assert.Equal("the master key is unavailable: the token was removed", update.MasterKeyUnavailable);
        await _monitor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Refresh_DatabaseUnreadable_KeepsTheLastRunAndSaysTheReadFailed()
    {
        var id = await RecordRunAsync(done: 1, total: 2);
        await _monitor.RefreshAsync();
        await using (var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE \"KeyOperations\" RENAME TO \"KeyOperationsAway\"");
        }

        var update = await _monitor.RefreshAsync();

        Assert.True(update.ReadFailed);
        Assert.Equal(id, update.Latest!.Id);
    }

    private static KeyOperationsMonitor NewMonitor(IServiceProvider services) => new(
        new KeyOperations(services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>(), TimeProvider.System),
        services.GetRequiredService<LoadedMasterKey>(),
        NullLogger<KeyOperationsMonitor>.Instance);

    private async Task<long> RecordRunAsync(long done, long total)
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var run = new KeyOperation { StartedBy = "cli", StartedAtUtc = DateTime.UtcNow, UpdatedAtUtc = DateTime.UtcNow, Done = done, Total = total };
        db.KeyOperations.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    private async Task UpdateRunAsync(long id, long done)
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        await db.KeyOperations.Where(o => o.Id == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Done, done).SetProperty(o => o.UpdatedAtUtc, DateTime.UtcNow));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not come true in time.");
            await Task.Delay(20);
        }
    }

    /// <summary>A subscriber that keeps what it was told, in order.</summary>
    private sealed class Recorder
    {
        private readonly ConcurrentQueue<KeyOperationsUpdate> _all = new();
        private readonly SemaphoreSlim _arrived = new(0);
        private int _taken;

        public int Count => _all.Count;

        public IReadOnlyList<KeyOperationsUpdate> All => [.. _all];

        public Task OnChange(KeyOperationsUpdate update)
        {
            _all.Enqueue(update);
            _arrived.Release();
            return Task.CompletedTask;
        }

        /// <summary>The next update not yet taken (that matches), waiting for it to arrive.</summary>
        public async Task<KeyOperationsUpdate> NextAsync(Func<KeyOperationsUpdate, bool>? matching = null)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                var all = All;
                while (_taken < all.Count)
                {
                    var update = all[_taken++];
                    if (matching is null || matching(update))
                    {
                        return update;
                    }
                }

                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero && await _arrived.WaitAsync(left), "No update arrived in time.");
            }
        }
    }
}
