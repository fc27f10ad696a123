using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>Rotate, re-seal, retire, verify and import on a real SQLite file with a real key-ring file.</summary>
public sealed class KeyLifecycleServiceTests : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();
    private ServiceProvider _services = default!;
    private SealedValueService _keys = default!;
    private KeyCustody _custody = default!;
    private SecretSealer _sealer = default!;

    public async Task InitializeAsync()
    {
        var ring = TestSealing.Ring(1);
        _services = TestServices.Build(_temp, ring: ring);
        _keys = _services.GetRequiredService<SealedValueService>();
        _custody = _services.GetRequiredService<KeyCustody>();
        _sealer = _services.GetRequiredService<SecretSealer>();
        await SealedUserSeeder.SeedAsync(_services, 25);
        var oidc = _services.GetRequiredService<OidcSettingsService>();
        Assert.True((await oidc.SaveAsync(AuditActor.Cli, new OidcSettingsForm { ClientId = "secretadmin", NewClientSecret = "oidc-client-secret-1" }, 0)).Succeeded);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<List<AuditEntry>> AuditAsync(string action) =>
        [.. (await _services.GetRequiredService<AuditLog>().SearchAsync(new(Action: action))).Items];

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql, parameters);
    }

    private async Task<string?> StoredTotpSecretAsync(int n)
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        return await db.Users.Where(u => u.Id == SealedUserSeeder.IdOf(n)).Select(u => u.TotpSecret.Envelope).SingleAsync();
    }

    [Fact]
    public async Task List_OneKey_CountsEveryValueItSeals()
    {
        var key = Assert.Single(await _custody.ListAsync());

        Assert.Equal((1, true, true, 26L), (key.Id, key.Active, key.InDatabase, key.SealedValues));
    }

    [Fact]
    public async Task Rotate_AddsAWrappedDataKeyThatIsActiveAndSealsWithItAtOnce()
    {
        var result = await _custody.RotateAsync(AuditActor.Cli);

        Assert.Equal(2, result.NewKeyId);
        var stored = await _services.GetRequiredService<DataKeyStore>().ReadAllAsync(CancellationToken.None);
        Assert.Equal([1, 2], stored.Select(k => k.Id));
        Assert.All(stored, k => Assert.Equal(_services.GetRequiredService<LoadedMasterKey>().Current.Id, k.MasterKeyId));
        Assert.StartsWith("sa1:2:", _sealer.Seal("x", new SealedPlace("t", "c", "1")), StringComparison.Ordinal);
        Assert.Equal([1, 2], (await _custody.ListAsync()).Select(k => k.Id));
        var entry = Assert.Single(await AuditAsync(AuditActions.KeysRotated));
        Assert.Equal("data key 2 active", entry.Target);
    }

    [Fact]
    public async Task Reseal_AfterRotate_MovesEveryValueToTheActiveKeyAndTheyStillOpen()
    {
        await _custody.RotateAsync(AuditActor.Cli);
        var reports = new List<SealingProgress>();

        var result = await _keys.ResealAsync(AuditActor.Cli, batchSize: 7, new SynchronousProgress(reports.Add));

        Assert.Equal((26L, 26L, 0L), (result.Done, result.Total, result.Unreadable));
        Assert.True(reports.Count >= 5, $"{reports.Count} progress reports");
        Assert.Equal(reports.Select(r => r.Done).Order(), reports.Select(r => r.Done));
        var keys = await _custody.ListAsync();
        Assert.Equal([0L, 26L], keys.Select(k => k.SealedValues));
        var opened = await SealedUserSeeder.OpenAllAsync(_services, _sealer);
        Assert.Equal(Enumerable.Range(0, 25).Select(SealedUserSeeder.SecretOf), opened.Select(r => Assert.IsType<SecretRead.PresentSecret>(r).Value));
        Assert.Equal("oidc-client-secret-1", Assert.IsType<SecretRead.PresentSecret>(await _services.GetRequiredService<OidcSettingsService>().OpenStoredClientSecretAsync()).Value);
        var entry = Assert.Single(await AuditAsync(AuditActions.KeysResealed));
        Assert.Equal("26 value(s) to key 2, 0 unreadable", entry.Target);
    }

    [Fact]
    public async Task Reseal_Run_RecordsAFinishedOperationWithItsCounts()
    {
        await _custody.RotateAsync(AuditActor.Cli);

        await _keys.ResealAsync(new AuditActor("admin@example.test", null), batchSize: 10);

        var latest = await new KeyOperations(_services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>(), TimeProvider.System).LatestAsync();
        Assert.NotNull(latest);
        Assert.Equal((KeyOperation.Reseal, "admin@example.test", 26L, 26L, 0L, KeyOperationState.Finished), (latest.Kind, latest.StartedBy, latest.Done, latest.Total, latest.Unreadable, latest.State));
        Assert.Equal(100, latest.Percent);
    }

    [Theory]
    [InlineData(10, null, null, KeyOperationState.Running)]
    [InlineData(45, null, null, KeyOperationState.Interrupted)]
    [InlineData(45, 40, null, KeyOperationState.Finished)]
    [InlineData(45, 40, "SqliteException", KeyOperationState.Failed)]
    public void OperationState_FromItsRecord_RunningUntilStalledOrEnded(int secondsSinceProgress, int? secondsSinceFinished, string? failure, KeyOperationState expected)
    {
        var now = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);
        var operation = new KeyOperation
        {
            StartedAtUtc = now.AddMinutes(-5),
            UpdatedAtUtc = now.AddSeconds(-secondsSinceProgress),
            FinishedAtUtc = secondsSinceFinished is { } s ? now.AddSeconds(-s) : null,
            Failure = failure,
        };

        Assert.Equal(expected, KeyOperations.ToView(operation, now).State);
    }

    [Fact]
    public async Task Reseal_RunTwice_SecondRunHasNothingToDo()
    {
        await _custody.RotateAsync(AuditActor.Cli);
        await _keys.ResealAsync(AuditActor.Cli);

        var again = await _keys.ResealAsync(AuditActor.Cli);

        Assert.Equal((0L, 0L), (again.Done, again.Total));
    }

    [Fact]
    public async Task Reseal_ValueChangedAfterItsBatchWasRead_KeepsTheNewValue()
    {
        await _custody.RotateAsync(AuditActor.Cli);
        var factory = _services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>();
        string? changedId = null;

        // Each report follows a committed batch, when the next one has been read and is being
        // re-sealed: a value changed now must survive that batch's write.
        var result = await _keys.ResealAsync(AuditActor.Cli, batchSize: 5, new SynchronousProgress(report =>
        {
            if (changedId is not null || report.Done < 5)
            {
                return;
            }

            using var db = factory.CreateDbContext();
            changedId = db.Users.Where(u => u.TotpSecret.Envelope!.StartsWith("sa1:1:")).OrderBy(u => u.Id).Select(u => u.Id).First();
            var changed = _sealer.Seal("changed-while-resealing", new SealedPlace("AspNetUsers", "TotpSecret", changedId));
            Assert.Equal(1, db.Users.Where(u => u.Id == changedId).ExecuteUpdate(set => set.SetProperty(u => u.TotpSecret.Envelope, changed)));
        }));

        Assert.NotNull(changedId);
        Assert.Equal((25L, 26L, 0L), (result.Done, result.Total, result.Unreadable));
        await using var check = await factory.CreateDbContextAsync();
        var stored = await check.Users.Where(u => u.Id == changedId).Select(u => u.TotpSecret.Envelope).SingleAsync();
        Assert.Equal("changed-while-resealing", Assert.IsType<SecretRead.PresentSecret>(_sealer.Open(stored, new SealedPlace("AspNetUsers", "TotpSecret", changedId))).Value);
        Assert.Equal([0L, 26L], (await _custody.ListAsync()).Select(k => k.SealedValues));
    }

    [Fact]
    public async Task Reseal_CancelledMidRun_RecordsWhatWasCommittedAndEverythingOpens()
    {
        await _custody.RotateAsync(AuditActor.Cli);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _keys.ResealAsync(AuditActor.Cli, batchSize: 5, new SynchronousProgress(report =>
        {
            if (report.Done >= 10)
            {
                cancel.Cancel();
            }
        }), cancel.Token));

        var latest = await new KeyOperations(_services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>(), TimeProvider.System).LatestAsync();
        Assert.NotNull(latest);
        var onNewKey = (await _custody.ListAsync()).Single(k => k.Id == 2).SealedValues;
        Assert.InRange(onNewKey, 10, 25);
        Assert.Equal(onNewKey, latest.Done);
        Assert.NotNull(latest.FinishedAtUtc);
        var opened = await SealedUserSeeder.OpenAllAsync(_services, _sealer);
        Assert.Equal(Enumerable.Range(0, 25).Select(SealedUserSeeder.SecretOf), opened.Select(r => Assert.IsType<SecretRead.PresentSecret>(r).Value));
    }

    [Fact]
    public async Task Reseal_TamperedValue_IsLeftAndCountedTheRestMove()
    {
        await _custody.RotateAsync(AuditActor.Cli);
        await ExecuteAsync("UPDATE \"AspNetUsers\" SET \"TotpSecret\" = " + Tamper.LastTwoCharacters("TotpSecret") + " WHERE \"Id\" = 'seeded-user-000003'");

        var result = await _keys.ResealAsync(AuditActor.Cli);

        Assert.Equal((25L, 1L), (result.Done, result.Unreadable));
        Assert.Equal(1L, (await _custody.ListAsync()).Single(k => k.Id == 1).SealedValues);
    }

    [Fact]
    public async Task Retire_KeyStillInUse_IsRefusedWithItsCount()
    {
        await _custody.RotateAsync(AuditActor.Cli);

        var result = await _custody.RetireAsync(AuditActor.Cli, 1);

        Assert.False(result.Succeeded);
        Assert.Equal("Data key 1 still seals 26 stored value(s). Re-seal them under the active key first, then retire it.", result.Message);
        Assert.Equal(2, (await _services.GetRequiredService<DataKeyStore>().ReadAllAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Retire_ActiveKey_IsRefused()
    {
        var result = await _custody.RetireAsync(AuditActor.Cli, 1);

        Assert.Equal((false, "Data key 1 is the active key. Rotate first, re-seal, then retire it."), (result.Succeeded, result.Message));
    }

    [Fact]
    public async Task Retire_AfterReseal_RemovesTheKeyAndEverythingStillOpens()
    {
        await _custody.RotateAsync(AuditActor.Cli);
        await _keys.ResealAsync(AuditActor.Cli);

        var result = await _custody.RetireAsync(AuditActor.Cli, 1);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal([2], (await _services.GetRequiredService<DataKeyStore>().ReadAllAsync(CancellationToken.None)).Select(k => k.Id));
        Assert.True((await _keys.VerifyAsync(AuditActor.Cli)).AllOpen);
        Assert.Single(await AuditAsync(AuditActions.KeyRetired));
    }

    [Fact]
    public async Task Verify_Untouched_AllOpenPerTableColumnAndKey()
    {
        var report = await _keys.VerifyAsync(AuditActor.Cli);

        Assert.True(report.AllOpen);
        Assert.Equal(
            [new VerifyEntry("AspNetUsers", "TotpSecret", 1, SealedValueState.Opens, 25), new VerifyEntry("OidcSettings", "ClientSecret", 1, SealedValueState.Opens, 1)],
            report.Entries);
        Assert.Equal("26 open, 0 key missing, 0 master key unavailable, 0 do not open, 0 plaintext", Assert.Single(await AuditAsync(AuditActions.KeysVerified)).Target);
    }

    [Fact]
    public async Task Verify_TamperedAndUnknownKey_ReportsEachAndNotAllOpen()
    {
        await ExecuteAsync("UPDATE \"AspNetUsers\" SET \"TotpSecret\" = " + Tamper.LastTwoCharacters("TotpSecret") + " WHERE \"Id\" = 'seeded-user-000001'");
        await ExecuteAsync("UPDATE \"AspNetUsers\" SET \"TotpSecret\" = replace(\"TotpSecret\", 'sa1:1:', 'sa1:9:') WHERE \"Id\" = 'seeded-user-000002'");

        var report = await _keys.VerifyAsync(AuditActor.Cli);

        Assert.False(report.AllOpen);
        Assert.Equal(1, report.Count(SealedValueState.DoesNotOpen));
        Assert.Contains(new VerifyEntry("AspNetUsers", "TotpSecret", 9, SealedValueState.KeyMissing, 1), report.Entries);
        Assert.Equal(24, report.Count(SealedValueState.Opens));
    }

    [Fact]
    public async Task ImportPlaintext_LegacyValues_SealsThemInPlaceOnceAndTheyOpen()
    {
        await SealedUserSeeder.SeedAsync(_services, 0);
        await ExecuteAsync("UPDATE \"AspNetUsers\" SET \"TotpSecret\" = 'legacy-' || \"Id\" WHERE \"Id\" < 'seeded-user-000005'");
        Assert.Equal(5, (await _keys.VerifyAsync(AuditActor.Cli)).Count(SealedValueState.Plaintext));

        var first = await _keys.ImportPlaintextAsync(AuditActor.Cli, batchSize: 2);
        var second = await _keys.ImportPlaintextAsync(AuditActor.Cli);

        Assert.Equal((5L, 0L), (first.Done, second.Done));
        Assert.True((await _keys.VerifyAsync(AuditActor.Cli)).AllOpen);
        var opened = await SealedUserSeeder.OpenAllAsync(_services, _sealer);
        Assert.Equal("legacy-seeded-user-000004", Assert.IsType<SecretRead.PresentSecret>(opened[4]).Value);
    }

    [Theory]
    [InlineData(" ", "sa1")]
    [InlineData("\n", "sa1")]
    [InlineData("\t", "sa1")]
    [InlineData("\uFEFF", "sa1")]
    [InlineData("", "SA1")]
    [InlineData("", "sa2")]
    [InlineData("", "sa9")]
    public async Task ImportPlaintext_ValueThatLooksLikeADamagedEnvelope_LeavesItCountsItAndVerifySaysItDoesNotOpen(string before, string version)
    {
        await ExecuteAsync("UPDATE \"AspNetUsers\" SET \"TotpSecret\" = {0} || substr(\"TotpSecret\", 4) WHERE \"Id\" = {1}", before + version, SealedUserSeeder.IdOf(1));
        await ExecuteAsync("UPDATE \"AspNetUsers\" SET \"TotpSecret\" = 'legacy-plaintext' WHERE \"Id\" = {0}", SealedUserSeeder.IdOf(2));
        var damaged = await StoredTotpSecretAsync(1);

        var result = await _keys.ImportPlaintextAsync(AuditActor.Cli);

        Assert.Equal((1L, 1L), (result.Done, result.Unreadable));
        Assert.Equal(damaged, await StoredTotpSecretAsync(1));
        var opened = await SealedUserSeeder.OpenAllAsync(_services, _sealer);
        Assert.Equal("legacy-plaintext", Assert.IsType<SecretRead.PresentSecret>(opened[2]).Value);
        var report = await _keys.VerifyAsync(AuditActor.Cli);
        Assert.False(report.AllOpen);
        Assert.Contains(new VerifyEntry("AspNetUsers", "TotpSecret", null, SealedValueState.DoesNotOpen, 1), report.Entries);
        Assert.Equal(0, report.Count(SealedValueState.Plaintext));
        Assert.Equal("1 value(s) sealed, 1 left as they are: they look like damaged envelopes", Assert.Single(await AuditAsync(AuditActions.PlaintextImported)).Target);
    }

    [Fact]
    public async Task AuditEntries_AfterEveryOperation_HoldNoSecretOrEnvelope()
    {
        await _custody.RotateAsync(AuditActor.Cli);
        await _keys.ResealAsync(AuditActor.Cli);
        await _keys.VerifyAsync(AuditActor.Cli);
        await _custody.RetireAsync(AuditActor.Cli, 1);

        var entries = (await _services.GetRequiredService<AuditLog>().SearchAsync(new())).Items;

        Assert.All(entries, e => Assert.DoesNotContain("sa1:", $"{e.Target}{e.ChangedFields}", StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain("totp-secret", $"{e.Target}{e.ChangedFields}", StringComparison.Ordinal));
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, so a test could read a list being written).</summary>
    private sealed class SynchronousProgress(Action<SealingProgress> report) : IProgress<SealingProgress>
    {
        public void Report(SealingProgress value) => report(value);
    }
}
