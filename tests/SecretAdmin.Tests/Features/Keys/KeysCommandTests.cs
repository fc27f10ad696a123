using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SecretAdmin.Data;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>The key commands through the real executable, on a real data folder, as an operator runs them.</summary>
public sealed class KeysCommandTests : IAsyncLifetime
{
    private readonly TempDataDirectory _temp = new();

    public async Task InitializeAsync()
    {
        // The executable creates the database, the master key file and the first data key; values are then sealed with that key.
        var created = await AppProcess.RunAsync(_temp, ["admin", "create", "--email", "root@example.test", "--password-stdin"], standardInput: "Correct-Horse-42!\n");
        Assert.True(created.ExitCode == 0, created.Error);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private async Task SeedAsync(int count)
    {
        await using var services = TestServices.Build(_temp, ring: FileRing());
        await SealedUserSeeder.SeedAsync(services, count);
    }

    private KeyRing FileRing() => StoredKeys.Read(_temp);

    private Task<AppProcess.Result> RunAsync(params string[] args) => AppProcess.RunAsync(_temp, args);

    [Fact]
    public async Task RotateResealRetireVerify_FullCycle_EveryStepSucceedsAndEverythingOpens()
    {
        await SeedAsync(30);

        var rotate = await RunAsync("keys", "rotate");
        var reseal = await RunAsync("keys", "reseal", "--batch", "8");
        var retire = await RunAsync("keys", "retire", "1");
        var verify = await RunAsync("keys", "verify");
        var list = await RunAsync("keys", "list");

        Assert.True(rotate.ExitCode == 0, rotate.Error);
        Assert.Contains("Data key 2 is active.", rotate.Output, StringComparison.Ordinal);
        Assert.True(reseal.ExitCode == 0, reseal.Error);
        Assert.Contains("Re-sealed 30 of 30 value(s).", reseal.Output, StringComparison.Ordinal);
        Assert.Contains("re-sealed 30/30 (100%)", reseal.Error, StringComparison.Ordinal);
        Assert.True(retire.ExitCode == 0, retire.Error);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("Every stored value opens.", verify.Output, StringComparison.Ordinal);
        Assert.Matches(@"\n2\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+active\s+30", list.Output);
        Assert.Equal([2], FileRing().Keys.Select(k => k.Id));
        foreach (var output in new[] { rotate, reseal, retire, verify, list }.SelectMany(r => new[] { r.Output, r.Error }))
        {
            Assert.DoesNotContain("sa1:", output, StringComparison.Ordinal);
            Assert.DoesNotContain("totp-secret", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Retire_KeyInUse_ExitsOneAndSaysHowManyValues()
    {
        await SeedAsync(3);
        await RunAsync("keys", "rotate");

        var retire = await RunAsync("keys", "retire", "1");

        Assert.Equal(1, retire.ExitCode);
        Assert.Contains("Data key 1 still seals 3 stored value(s).", retire.Error, StringComparison.Ordinal);
        Assert.Equal(2, FileRing().Keys.Count);
    }

    [Fact]
    public async Task Verify_TamperedEnvelope_ExitsOneAndJsonSaysWhere()
    {
        await SeedAsync(4);
        await using (var connection = _temp.OpenConnection())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE \"AspNetUsers\" SET \"TotpSecret\" = " + Tamper.LastTwoCharacters("TotpSecret") + " WHERE \"Id\" = 'seeded-user-000002'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var verify = await RunAsync("keys", "verify", "--json");

        Assert.Equal(1, verify.ExitCode);
        var json = JsonDocument.Parse(verify.Output).RootElement;
        Assert.False(json.GetProperty("allOpen").GetBoolean());
        var broken = Assert.Single(json.GetProperty("entries").EnumerateArray(), e => e.GetProperty("state").GetString() == "does-not-open");
        Assert.Equal(("AspNetUsers", "TotpSecret", 1), (broken.GetProperty("table").GetString(), broken.GetProperty("column").GetString(), broken.GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task Reseal_ValueNamingADataKeyTheDatabaseLacks_RunsLeavesItAndVerifyNamesIt()
    {
        await SeedAsync(3);
        await using (var connection = _temp.OpenConnection())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE \"AspNetUsers\" SET \"TotpSecret\" = 'sa1:9:' || substr(\"TotpSecret\", 7) WHERE \"Id\" = 'seeded-user-000001'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        await RunAsync("keys", "rotate");
        var reseal = await RunAsync("keys", "reseal");
        var verify = await RunAsync("keys", "verify", "--json");

        Assert.Equal(1, reseal.ExitCode);
        Assert.Contains("Re-sealed 2 of 3 value(s).", reseal.Output, StringComparison.Ordinal);
        Assert.Equal(1, verify.ExitCode);
        var missing = Assert.Single(JsonDocument.Parse(verify.Output).RootElement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("state").GetString() == "key-missing");
        Assert.Equal((9, 1), (missing.GetProperty("keyId").GetInt32(), missing.GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task Rotate_FromTheCommandLine_PutsTheNewActiveKeyInTheDatabaseForAnyProcess()
    {
        var rotate = await RunAsync("keys", "rotate");

        Assert.Equal(0, rotate.ExitCode);
        Assert.Equal(2, FileRing().Active.Id);
        Assert.False(File.Exists(_temp.Data.KeyRingFile));
        await using var services = TestServices.Build(_temp, ring: FileRing());
        Assert.StartsWith("sa1:2:", services.GetRequiredService<SecretSealer>().Seal("x", new SealedPlace("t", "c", "1")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportPlaintext_LegacyValues_SealsThemAndVerifyPasses()
    {
        await using (var services = TestServices.Build(_temp, ring: FileRing()))
        {
            await SealedUserSeeder.SeedAsync(services, 6, plaintext: true);
        }

        var before = await RunAsync("keys", "verify");
        var import = await RunAsync("secrets", "import-plaintext");
        var after = await RunAsync("keys", "verify");

        Assert.Equal(1, before.ExitCode);
        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains("Sealed 6 plaintext value(s).", import.Output, StringComparison.Ordinal);
        Assert.True(after.ExitCode == 0, after.Output);
    }

    [Fact]
    public async Task ImportPlaintext_ValuesThatLookLikeDamagedEnvelopes_LeavesThemAndSaysHowMany()
    {
        await SeedAsync(4);
        await using (var connection = _temp.OpenConnection())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE "AspNetUsers" SET "TotpSecret" = @bom || "TotpSecret" WHERE "Id" = 'seeded-user-000001';
                UPDATE "AspNetUsers" SET "TotpSecret" = 'SA1' || substr("TotpSecret", 4) WHERE "Id" = 'seeded-user-000002';
                UPDATE "AspNetUsers" SET "TotpSecret" = 'legacy-plaintext' WHERE "Id" = 'seeded-user-000003';
                """;
            command.AddParameter("@bom", "\uFEFF");
            Assert.Equal(3, await command.ExecuteNonQueryAsync());
        }

        var import = await RunAsync("secrets", "import-plaintext");
        var verify = await RunAsync("keys", "verify", "--json");

        Assert.Equal(1, import.ExitCode);
        Assert.Contains("Sealed 1 plaintext value(s).", import.Output, StringComparison.Ordinal);
        Assert.Contains("2 value(s) look like damaged envelopes and were left as they are; `SecretAdmin keys verify` shows where.", import.Error, StringComparison.Ordinal);
        Assert.Equal(1, verify.ExitCode);
        var broken = Assert.Single(JsonDocument.Parse(verify.Output).RootElement.GetProperty("entries").EnumerateArray(), e => e.GetProperty("state").GetString() == "does-not-open");
        Assert.Equal(2, broken.GetProperty("count").GetInt32());
        foreach (var output in new[] { import.Output, import.Error, verify.Output, verify.Error })
        {
            Assert.DoesNotContain("sa1:", output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("totp-secret", output, StringComparison.Ordinal);
            Assert.DoesNotContain("legacy-plaintext", output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A re-seal of 10,000 values killed with SIGKILL at random points loses nothing: every value
    /// still opens after each kill, and a last run finishes the job.
    /// </summary>
    [Fact]
    public async Task Reseal_KilledAtRandomPoints_EveryValueStillOpensAndARerunFinishes()
    {
        const int count = 10_000;
        await SeedAsync(count);
        Assert.Equal(0, (await RunAsync("keys", "rotate")).ExitCode);
        var active = 2;
        var random = new Random(20261123);
        var left = new List<int>();

        // Four trials, and more (up to eight) until at least one kill lands in the middle of a run.
        for (var trial = 0; trial < 8 && (trial < 4 || !left.Any(n => n is > 0 and < count)); trial++)
        {
            // Small batches make many transactions to land between; the kill comes once the first
            // batches are committed, after a random further wait.
            using var reseal = AppProcess.Start(_temp, ["keys", "reseal", "--batch", "10"]);
            await WaitUntilSomeAreUnderAsync(reseal, active);
            await Task.Delay(random.Next(0, 25));
            if (!reseal.HasExited)
            {
                reseal.Kill(entireProcessTree: true);
            }

            await reseal.WaitForExitAsync();
            left.Add(await AssertEveryValueOpensAsync(count, active));
            if (trial == 0)
            {
                // The run's recorded progress was committed with its batches: it matches the values moved.
                var run = await LatestOperationAsync();
                Assert.Equal(count - left[0], run.Done);
                if (left[0] > 0)
                {
                    Assert.Equal(KeyOperationState.Running, run.State);
                }
                else
                {
                    // Every batch was committed; the kill may still have come before the run's end record
                    // (the next run closes it as interrupted).
                    Assert.Contains(run.State, new[] { KeyOperationState.Finished, KeyOperationState.Running });
                }
            }
            if (left[^1] == 0)
            {
                // That run finished before the kill: rotate again so the next one has work to do.
                Assert.Equal(0, (await RunAsync("keys", "rotate")).ExitCode);
                active++;
            }
        }

        Assert.True(left.Any(n => n is > 0 and < count), $"no trial stopped a re-seal in the middle (values left after each: {string.Join(", ", left)})");
        var finish = await RunAsync("keys", "reseal", "--batch", "500");
        Assert.True(finish.ExitCode == 0, finish.Error);
        Assert.Equal(0, await AssertEveryValueOpensAsync(count, active));
        Assert.Equal(0, (await RunAsync("keys", "verify")).ExitCode);
    }

    private async Task<KeyOperationView> LatestOperationAsync()
    {
        await using var services = TestServices.Build(_temp, ring: FileRing());
        var latest = await new KeyOperations(services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>(), TimeProvider.System).LatestAsync();
        return latest ?? throw new InvalidOperationException("No key operation was recorded.");
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
    private async Task<int> AssertEveryValueOpensAsync(int count, int activeKeyId)
    {
        SqliteConnection.ClearAllPools();
        await using var services = TestServices.Build(_temp, ring: FileRing());
        var opened = await SealedUserSeeder.OpenAllAsync(services, services.GetRequiredService<SecretSealer>());
        Assert.Equal(count, opened.Count);
        var wrong = opened.Select((read, n) => (read, n)).Where(x => x.read is not SecretRead.PresentSecret p || p.Value != SealedUserSeeder.SecretOf(x.n)).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} value(s) do not open as seeded, the first at {wrong.FirstOrDefault().n}");
        return opened.Count(read => read is SecretRead.PresentSecret present && present.KeyId != activeKeyId);
    }
}
