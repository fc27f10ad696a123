using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// Re-seal and import run on one node at a time: real processes on one database (SQLite, or
/// PostgreSQL with SECRETADMIN_TEST_POSTGRES), started together or killed with SIGKILL.
/// </summary>
public sealed class ResealRunLockTests : IAsyncLifetime
{
    private const int Count = 10_000;
    private const string Refusal = "A re-seal or plaintext import is running on another node or process";

    private readonly TempDataDirectory _temp = new();

    public async Task InitializeAsync()
    {
        var created = await AppProcess.RunAsync(_temp, ["admin", "create", "--email", "root@example.test", "--password-stdin"], standardInput: "Correct-Horse-42!\n");
        Assert.True(created.ExitCode == 0, created.Error);
        await using (var services = TestServices.Build(_temp, ring: FileRing()))
        {
            await SealedUserSeeder.SeedAsync(services, Count);
        }

        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate"]);
        Assert.True(rotate.ExitCode == 0, rotate.Error);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Reseal_TwoProcessesStartedTogether_OneRunsAndTheOtherIsRefusedWithTheMessage()
    {
        var runs = await Task.WhenAll(
            AppProcess.RunAsync(_temp, ["keys", "reseal", "--batch", "10"]),
            AppProcess.RunAsync(_temp, ["keys", "reseal", "--batch", "10"]));

        var ran = Assert.Single(runs, r => r.ExitCode == 0);
        var refused = Assert.Single(runs, r => r.ExitCode != 0);
        Assert.Contains($"Re-sealed {Count} of {Count} value(s).", ran.Output, StringComparison.Ordinal);
        Assert.Contains(Refusal, refused.Error, StringComparison.Ordinal);
        Assert.Contains("keys page", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Re-sealed", refused.Output, StringComparison.Ordinal);
        Assert.Equal(0, await AssertEveryValueOpensAsync(activeKeyId: 2));
        var operations = await OperationsAsync();
        var only = Assert.Single(operations);
        Assert.Equal((KeyOperationState.Finished, Count, Count), (only.State, only.Done, only.Total));
    }

    [Fact]
    public async Task Reseal_KilledMidRun_AnotherProcessResumesFromTheLastCommittedBatch()
    {
        // One value per transaction: 10,000 commits, so the run cannot end between the first
        // committed batch being seen and the kill, even on a loaded machine.
        using (var killed = AppProcess.Start(_temp, ["keys", "reseal", "--batch", "1"]))
        {
            await WaitUntilSomeAreUnderAsync(killed, keyId: 2);
            Assert.False(killed.HasExited, "the re-seal ended before it could be killed mid-run");
            killed.Kill(entireProcessTree: true);
            await killed.WaitForExitAsync();
        }

        // The server (PostgreSQL) or the operating system (SQLite) released the killed process's lock.
        await using (var services = TestServices.Build(_temp, ring: FileRing()))
        {
            var free = await services.GetRequiredService<SealedValueService>().TryLockRunAsync();
            Assert.NotNull(free);
            await free.DisposeAsync();
        }

        var before = await EnvelopesAsync();
        var moved = before.Where(e => e.Value.StartsWith("sa1:2:", StringComparison.Ordinal)).ToDictionary();
        Assert.InRange(moved.Count, 1, Count - 1);
        var interrupted = Assert.Single(await OperationsAsync());
        Assert.Equal(moved.Count, interrupted.Done);
        Assert.Null(interrupted.FinishedAtUtc);

        // No waiting for the stall period: the lock the killed process held was released with it.
        var resume = await AppProcess.RunAsync(_temp, ["keys", "reseal", "--batch", "500"]);

        Assert.True(resume.ExitCode == 0, resume.Error);
        var left = Count - moved.Count;
        Assert.Contains($"Re-sealed {left} of {left} value(s).", resume.Output, StringComparison.Ordinal);
        Assert.Equal(0, await AssertEveryValueOpensAsync(activeKeyId: 2));
        var after = await EnvelopesAsync();
        Assert.All(moved, m => Assert.Equal(m.Value, after[m.Key]));
        var operations = await OperationsAsync();
        Assert.Equal(2, operations.Count);
        var (closed, resumed) = (operations[0], operations[1]);
        Assert.Equal(interrupted.Id, closed.Id);
        Assert.Equal(KeyOperationState.Interrupted, closed.State);
        Assert.NotNull(closed.FinishedAtUtc);
        Assert.Equal(moved.Count, closed.Done);
        Assert.Equal((KeyOperationState.Finished, left, left), (resumed.State, resumed.Done, resumed.Total));
    }

    [Fact]
    public async Task ImportAndVerify_WhileAnotherProcessHoldsTheRunLock_ImportIsRefusedAndVerifyRuns()
    {
        await using var services = TestServices.Build(_temp, ring: FileRing());
        await using var held = await services.GetRequiredService<SealedValueService>().TryLockRunAsync();
        Assert.NotNull(held);

        var import = await AppProcess.RunAsync(_temp, ["secrets", "import-plaintext"]);
        var reseal = await AppProcess.RunAsync(_temp, ["keys", "reseal"]);
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify"]);

        Assert.Equal(1, import.ExitCode);
        Assert.Contains(Refusal, import.Error, StringComparison.Ordinal);
        Assert.Equal(1, reseal.ExitCode);
        Assert.Contains(Refusal, reseal.Error, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.Error);
        Assert.Contains("Every stored value opens.", verify.Output, StringComparison.Ordinal);
        Assert.Empty(await OperationsAsync());
        Assert.Equal(Count, await AssertEveryValueOpensAsync(activeKeyId: 2));
    }

    private KeyRing FileRing() => StoredKeys.Read(_temp);

    private async Task<List<KeyOperationView>> OperationsAsync()
    {
        await using var services = TestServices.Build(_temp, ring: FileRing());
        await using var db = await services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        return [.. (await db.KeyOperations.AsNoTracking().OrderBy(o => o.Id).ToListAsync()).Select(o => KeyOperations.ToView(o, now))];
    }

    private async Task<Dictionary<string, string>> EnvelopesAsync()
    {
        var envelopes = new Dictionary<string, string>();
        await using var connection = _temp.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\", \"TotpSecret\" FROM \"AspNetUsers\" WHERE \"TotpSecret\" IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            envelopes[reader.GetString(0)] = reader.GetString(1);
        }

        return envelopes;
    }

    private async Task WaitUntilSomeAreUnderAsync(Process reseal, int keyId)
    {
        await using var connection = _temp.OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT EXISTS (SELECT 1 FROM \"AspNetUsers\" WHERE \"TotpSecret\" LIKE 'sa1:{keyId}:%')";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!reseal.HasExited && DateTime.UtcNow < deadline && !Convert.ToBoolean(await command.ExecuteScalarAsync()))
        {
            await Task.Delay(1);
        }
    }

    /// <summary>Asserts every seeded value opens as seeded; gives how many are not yet under <paramref name="activeKeyId"/>.</summary>
    private async Task<int> AssertEveryValueOpensAsync(int activeKeyId)
    {
        SqliteConnection.ClearAllPools();
        await using var services = TestServices.Build(_temp, ring: FileRing());
        var opened = await SealedUserSeeder.OpenAllAsync(services, services.GetRequiredService<SecretSealer>());
        Assert.Equal(Count, opened.Count);
        var wrong = opened.Select((read, n) => (read, n)).Where(x => x.read is not SecretRead.PresentSecret p || p.Value != SealedUserSeeder.SecretOf(x.n)).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} value(s) do not open as seeded, the first at {wrong.FirstOrDefault().n}");
        return opened.Count(read => read is SecretRead.PresentSecret present && present.KeyId != activeKeyId);
    }
}
