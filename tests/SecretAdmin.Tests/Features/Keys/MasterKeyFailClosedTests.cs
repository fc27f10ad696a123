using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// The executable with a master key that does not open what the database holds: every command but
/// the two that report on the keys refuses to start, naming the file and both keys, and nothing
/// makes a new master key; a value naming a key the database lacks is that value's problem alone.
/// The running web app takes up a rotation without restart and refuses a data key changed under it.
/// </summary>
public sealed class MasterKeyFailClosedTests : IAsyncLifetime
{
    private const int Users = 5;
    private readonly TempDataDirectory _temp = new();

    public Task InitializeAsync() => KeyCustodyFolder.CreateConvertedAsync(_temp, TestSealing.Ring(1), Users);

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Commands_MasterKeyFileReplacedByAnotherKey_RefuseNamingFileAndBothIdsExceptVerifyAndHealth()
    {
        string wrappedBy;
        using (var master = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile))
        {
            wrappedBy = master.Id;
        }

        File.Delete(_temp.Data.MasterKeyFile);
        Assert.True(new MasterKeyFile(_temp.Data.MasterKeyFile).TryCreate());
        using var other = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile);
        var before = await KeyCustodyFolder.DataKeysAsync(_temp);

        string[][] refusing = [["keys", "list"], ["keys", "rotate"], ["keys", "rotate-master"], ["settings", "show"]];
        var runs = await Task.WhenAll(refusing.Select(args => AppProcess.RunAsync(_temp, args)));
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify", "--json"]);
        var health = await AppProcess.RunAsync(_temp, ["health"]);

        foreach (var (args, run) in refusing.Zip(runs))
        {
            var command = string.Join(' ', args);
            Assert.True(run.ExitCode == AppProcess.RefusedExitCode, $"{command} exited {run.ExitCode}: {run.Output} {run.Error}");
            Assert.Contains(_temp.Data.MasterKeyFile, run.Error, StringComparison.Ordinal);
            Assert.Contains(wrappedBy, run.Error, StringComparison.Ordinal);
            Assert.Contains(other.Id, run.Error, StringComparison.Ordinal);
        }

        Assert.Equal(1, verify.ExitCode);
        var states = KeyCustodyFolder.VerifyStates(verify.Output);
        Assert.False(states.ContainsKey("opens"), verify.Output);
        Assert.True(states.GetValueOrDefault("master-key-unavailable") >= Users, verify.Output);
        Assert.Contains("No stored value can be opened", verify.Error, StringComparison.Ordinal);
        Assert.Contains(wrappedBy, verify.Error, StringComparison.Ordinal);
        Assert.Equal(1, health.ExitCode);
        // Health names the file as README does, the data folder as <data>: /healthz shows the same text and names no path.
        Assert.Contains("key-ring: Unhealthy — the keys cannot be loaded: the master key file <data>/keys/master.key holds master key", health.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_temp.Path, health.Output, StringComparison.Ordinal);
        Assert.Contains("overall: Unhealthy", health.Output, StringComparison.Ordinal);

        // Nothing was changed: the keys are as they were, wrapped by the key that is missing.
        var after = await KeyCustodyFolder.DataKeysAsync(_temp);
        Assert.Equal(before.Select(k => (k.Id, k.MasterKeyId, Convert.ToHexString(k.Wrapped))), after.Select(k => (k.Id, k.MasterKeyId, Convert.ToHexString(k.Wrapped))));
        Assert.False(File.Exists(_temp.Data.MasterKeyFile + ".next"));
    }

    [Fact]
    public async Task Start_MasterKeyFileDeletedWithDataKeysPresent_RefusesAndWritesNoNewMasterKey()
    {
        File.Delete(_temp.Data.MasterKeyFile);

        var list = await AppProcess.RunAsync(_temp, ["keys", "list"]);
        var web = await AppProcess.RunWebAppAsync(_temp);
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify"]);

        Assert.Equal(AppProcess.RefusedExitCode, list.ExitCode);
        Assert.Contains(_temp.Data.MasterKeyFile, list.Error, StringComparison.Ordinal);
        Assert.Contains("Restore the master key", list.Error, StringComparison.Ordinal);
        Assert.Equal(AppProcess.RefusedExitCode, web.ExitCode);
        Assert.Equal(1, verify.ExitCode);
        Assert.False(File.Exists(_temp.Data.MasterKeyFile), "a new master key file was written");
        Assert.Empty(Directory.GetFiles(_temp.Data.KeyRingFolder));
    }

    [Fact]
    public async Task Start_ValueNamingAKeyTheDatabaseLacks_StartsAndVerifyReportsKeyMissing()
    {
        Assert.Equal(1, await KeyCustodyFolder.ExecuteAsync(
            _temp,
            "UPDATE \"AspNetUsers\" SET \"TotpSecret\" = 'sa1:9:' || substr(\"TotpSecret\", 7) WHERE \"Id\" = @id",
            ("@id", SealedUserSeeder.IdOf(2))));

        var list = await AppProcess.RunAsync(_temp, ["keys", "list"]);
        var show = await AppProcess.RunAsync(_temp, ["settings", "show"]);
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify", "--json"]);

        Assert.True(list.ExitCode == 1, list.Output + list.Error);
        Assert.Matches(@"\n9\s+—\s+MISSING\s+1", list.Output);
        Assert.True(show.ExitCode == 0, show.Output + show.Error);
        Assert.Equal(1, verify.ExitCode);
        var entries = JsonDocument.Parse(verify.Output).RootElement.GetProperty("entries").EnumerateArray().ToList();
        var missing = Assert.Single(entries, e => e.GetProperty("state").GetString() == "key-missing");
        Assert.Equal(9, missing.GetProperty("keyId").GetInt32());
        Assert.Equal(1, missing.GetProperty("count").GetInt32());
        Assert.Equal(Users, KeyCustodyFolder.VerifyStates(verify.Output)["opens"]);
    }

    [Fact]
    public async Task Start_DataKeyRowAltered_RefusesNamingTheKey()
    {
        var keys = await KeyCustodyFolder.DataKeysAsync(_temp);
        var altered = keys[0].Wrapped.ToArray();
        altered[^5] ^= 0x01;
        await KeyCustodyFolder.SetWrappedAsync(_temp, 1, altered);

        var list = await AppProcess.RunAsync(_temp, ["keys", "list"]);

        Assert.Equal(AppProcess.RefusedExitCode, list.ExitCode);
        Assert.Contains("data key(s) 1 ", list.Error, StringComparison.Ordinal);
        Assert.Contains(keys[0].MasterKeyId, list.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebApp_DataKeyReplacedWithOtherMaterialThenRotatedFromCommandLine_RefusesTheChangeAndTakesUpTheRotation()
    {
        await using var app = await WebAppProcess.StartAsync(_temp);
        using var client = app.Client();
        Assert.Contains("active data key 1", await HealthAsync(client), StringComparison.Ordinal);
        var original = (await KeyCustodyFolder.DataKeysAsync(_temp))[0].Wrapped;

        // Same id, same master key, other material: it opens, but is not the key the app holds.
        using (var master = KeyCustodyFolder.MasterKeyIn(_temp.Data.MasterKeyFile))
        {
            await KeyCustodyFolder.SetWrappedAsync(_temp, 1, master.Wrap(RandomNumberGenerator.GetBytes(SealingKey.SizeInBytes), DataKeyStore.AssociatedData(1)));
        }

        var refused = await WaitForHealthAsync(client, h => h.Contains("\"Degraded\"", StringComparison.Ordinal) || h.Contains("\"Unhealthy\"", StringComparison.Ordinal));
        Assert.Contains("data key(s) 1 ", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status\":\"Healthy\",\"checks\"", refused, StringComparison.Ordinal);

        await KeyCustodyFolder.SetWrappedAsync(_temp, 1, original);
        await WaitForHealthAsync(client, h => h.StartsWith("{\"status\":\"Healthy\"", StringComparison.Ordinal));

        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate"]);
        Assert.True(rotate.ExitCode == 0, rotate.Output + rotate.Error);

        // Counted from the rotation's commit: how long the running app takes to see it, not how long the command takes to start.
        var clock = Stopwatch.StartNew();
        var rotated = await WaitForHealthAsync(client, h => h.Contains("active data key 2", StringComparison.Ordinal));
        Assert.StartsWith("{\"status\":\"Healthy\"", rotated, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the rotation reached the web app after {clock.Elapsed}");
        Assert.False(File.Exists(_temp.Data.MasterKeyFile + ".next"));

        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify"]);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
    }

    private static async Task<string> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/healthz");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Polls <c>/healthz</c> until <paramref name="wanted"/> holds, for up to 15 s (the re-loader runs every 2 s).</summary>
    private static async Task<string> WaitForHealthAsync(HttpClient client, Func<string, bool> wanted)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            last = await HealthAsync(client);
            if (wanted(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new Xunit.Sdk.XunitException($"/healthz did not reach the expected state within 15 s; last: {last}");
    }
}
