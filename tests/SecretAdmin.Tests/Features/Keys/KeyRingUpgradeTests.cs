using System.Diagnostics;
using System.Security.Cryptography;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;
using Xunit.Abstractions;

namespace SecretAdmin.Tests.Features.Keys;

/// <summary>
/// The first start of this version on a data folder an earlier version left — values sealed with
/// a key ring in <c>keys/keyring.json</c> or the environment — through the real executable: the
/// ring's keys become data keys wrapped by a new master key, and no crash at any point loses a value.
/// Versions with a key ring ran on SQLite alone, so no PostgreSQL database ever needs this conversion.
/// </summary>
[Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
public sealed class KeyRingUpgradeTests(ITestOutputHelper output)
{
    private const int Users = 12;

    [Fact]
    public async Task FirstStart_KeyRingFile_ConvertsToDataKeysAndEveryValueOpens()
    {
        using var temp = new TempDataDirectory();
        var ring = TestSealing.Ring(1, 2, 3);
        await KeyCustodyFolder.CreateEarlierVersionAsync(temp, ring, Users);

        var health = await AppProcess.RunAsync(temp, ["health"]);
        var verify = await AppProcess.RunAsync(temp, ["keys", "verify", "--json"]);

        Assert.True(health.ExitCode == 0, health.Output + health.Error);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Equal(Users + 1, KeyCustodyFolder.VerifyStates(verify.Output)["opens"]);
        var keys = await KeyCustodyFolder.DataKeysAsync(temp);
        Assert.Equal([1, 2, 3], keys.Select(k => k.Id));
        Assert.False(File.Exists(temp.Data.KeyRingFile), "keyring.json is still there after the conversion");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Data.MasterKeyFile));
        using var master = KeyCustodyFolder.MasterKeyIn(temp.Data.MasterKeyFile);
        foreach (var key in keys)
        {
            Assert.Equal(master.Id, key.MasterKeyId);
            var material = master.Unwrap(key.Wrapped, DataKeyStore.AssociatedData(key.Id));
            Assert.NotNull(material);
            Assert.True(CryptographicOperations.FixedTimeEquals(ring.Keys.Single(k => k.Id == key.Id).Material, material), $"data key {key.Id} is not the ring's key {key.Id}");
        }

        foreach (var text in new[] { health.Output, health.Error, verify.Output, verify.Error })
        {
            Assert.DoesNotContain(KeyCustodyFolder.SmtpPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(ring.Keys[0].Material), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task FirstStart_KilledAtRandomMoments_NextStartConvertsAndNoValueIsLost()
    {
        const int Trials = 10;
        // A failing run is repeated with its printed seed: KEYRING_UPGRADE_SEED=<seed>.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KEYRING_UPGRADE_SEED"), out var given) ? given : Environment.TickCount;
        var random = new Random(seed);

        // Runs that are not killed give the span the kills are spread over: two at once, as the trials run.
        using (var measured = new TempDataDirectory())
        using (var measuredToo = new TempDataDirectory())
        {
            await KeyCustodyFolder.CreateEarlierVersionAsync(measured, TestSealing.Ring(1, 2), Users);
            await KeyCustodyFolder.CreateEarlierVersionAsync(measuredToo, TestSealing.Ring(1, 2), Users);
            var runs = await Task.WhenAll(new[] { measured, measuredToo }.Select(async folder =>
            {
                var clock = Stopwatch.StartNew();
                var list = await AppProcess.RunAsync(folder, ["keys", "list"]);
                Assert.True(list.ExitCode == 0, list.Output + list.Error);
                Assert.False(File.Exists(folder.Data.KeyRingFile));
                return clock.Elapsed;
            }));
            var duration = runs.Max();

            var delays = Enumerable.Range(0, Trials).Select(_ => TimeSpan.FromMilliseconds(random.NextDouble() * duration.TotalMilliseconds)).ToArray();
            output.WriteLine($"seed {seed}; an unkilled conversion took {duration.TotalMilliseconds:0} ms; kill delays (ms): {string.Join(", ", delays.Select(d => d.TotalMilliseconds.ToString("0")))}");

            var outcomes = new string[Trials];
            await Parallel.ForEachAsync(Enumerable.Range(0, Trials), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (trial, _) =>
                outcomes[trial] = await KillThenStartAsync(trial, delays[trial]));
            foreach (var outcome in outcomes)
            {
                output.WriteLine(outcome);
            }

            output.WriteLine($"{outcomes.Count(o => o.Contains("master.key present, keyring.json present", StringComparison.Ordinal))} of {Trials} killed inside the conversion (master key made, key ring not yet deleted)");

            Assert.All(outcomes, o => Assert.DoesNotContain("FAILED", o, StringComparison.Ordinal));
        }
    }

    private static async Task<string> KillThenStartAsync(int trial, TimeSpan delay)
    {
        using var temp = new TempDataDirectory();
        var ring = TestSealing.Ring(1, 2);
        await KeyCustodyFolder.CreateEarlierVersionAsync(temp, ring, Users);
        using (var process = AppProcess.Start(temp, ["keys", "list"]))
        {
            var error = process.StandardError.ReadToEndAsync();
            await Task.Delay(delay);
            var killed = !process.HasExited;
            if (killed)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            await error;
            var state = $"trial {trial}: delay {delay.TotalMilliseconds:0} ms, {(killed ? "killed" : "had exited")}; " +
                        $"master.key {(File.Exists(temp.Data.MasterKeyFile) ? "present" : "absent")}, " +
                        $"keyring.json {(File.Exists(temp.Data.KeyRingFile) ? "present" : "absent")}, " +
                        $"data keys {(await KeyCustodyFolder.DataKeysAsync(temp)).Count}";

            var verify = await AppProcess.RunAsync(temp, ["keys", "verify", "--json"]);
            var keys = await KeyCustodyFolder.DataKeysAsync(temp);
            var problems = new List<string>();
            if (verify.ExitCode != 0)
            {
                problems.Add($"keys verify exited {verify.ExitCode}: {verify.Error.Trim()}");
            }
            else if (KeyCustodyFolder.VerifyStates(verify.Output).GetValueOrDefault("opens") != Users + 1)
            {
                problems.Add($"not every value opens: {verify.Output}");
            }

            if (!keys.Select(k => k.Id).SequenceEqual([1, 2]))
            {
                problems.Add($"data keys {string.Join(",", keys.Select(k => k.Id))}");
            }

            if (File.Exists(temp.Data.KeyRingFile))
            {
                problems.Add("keyring.json is still there");
            }

            return problems.Count == 0 ? state + " → converted, every value opens" : $"{state} → FAILED: {string.Join("; ", problems)}";
        }
    }

    [Fact]
    public async Task Start_MasterKeyCreatedButNoDataKeys_ConvertsWithThatMasterKey()
    {
        using var temp = new TempDataDirectory();
        var ring = TestSealing.Ring(1, 2);
        await KeyCustodyFolder.CreateEarlierVersionAsync(temp, ring, Users);
        Assert.True(new MasterKeyFile(temp.Data.MasterKeyFile).TryCreate());
        using var master = KeyCustodyFolder.MasterKeyIn(temp.Data.MasterKeyFile);

        var verify = await AppProcess.RunAsync(temp, ["keys", "verify"]);

        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        var keys = await KeyCustodyFolder.DataKeysAsync(temp);
        Assert.Equal([1, 2], keys.Select(k => k.Id));
        Assert.All(keys, k => Assert.Equal(master.Id, k.MasterKeyId));
        Assert.False(File.Exists(temp.Data.KeyRingFile));
    }

    [Fact]
    public async Task Start_DataKeysCommittedButKeyRingFileLeft_OpensAndDeletesTheFile()
    {
        using var temp = new TempDataDirectory();
        var ring = TestSealing.Ring(1, 2);
        await KeyCustodyFolder.CreateEarlierVersionAsync(temp, ring, Users);
        await ImportAsync(temp, ring);

        var verify = await AppProcess.RunAsync(temp, ["keys", "verify"]);

        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Contains("Every stored value opens.", verify.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Data.KeyRingFile));
        Assert.Equal([1, 2], (await KeyCustodyFolder.DataKeysAsync(temp)).Select(k => k.Id));
    }

    [Fact]
    public async Task Start_KeyRingFileDiffersFromDataKeys_RefusesAndNamesTheFile()
    {
        using var temp = new TempDataDirectory();
        var ring = TestSealing.Ring(1, 2);
        await KeyCustodyFolder.CreateEarlierVersionAsync(temp, ring, Users);
        var other = TestSealing.Ring(1, 2);
        await ImportAsync(temp, new KeyRing([other.Keys[0], ring.Keys[1]], 2));

        var list = await AppProcess.RunAsync(temp, ["keys", "list"]);

        Assert.Equal(AppProcess.RefusedExitCode, list.ExitCode);
        Assert.Contains(temp.Data.KeyRingFile, list.Error, StringComparison.Ordinal);
        Assert.Contains("key(s) 1 ", list.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(temp.Data.KeyRingFile), "the key ring that differs was deleted");
    }

    [Fact]
    public async Task FirstStart_KeyRingInTheEnvironment_ConvertsAndKeepsOpeningWithTheVariableSet()
    {
        using var temp = new TempDataDirectory();
        var ring = TestSealing.Ring(4, 7);
        await KeyCustodyFolder.CreateEarlierVersionAsync(temp, ring, Users, keyRingFile: false);
        var environment = new Dictionary<string, string> { [SealingOptions.KeyRingVariable] = KeyRingJson.Serialize(ring) };

        var first = await AppProcess.RunAsync(temp, ["keys", "verify"], environment);
        var withoutVariable = await AppProcess.RunAsync(temp, ["keys", "verify"]);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Contains(SealingOptions.KeyRingVariable, first.Error, StringComparison.Ordinal);
        Assert.True(withoutVariable.ExitCode == 0, withoutVariable.Output + withoutVariable.Error);
        Assert.Equal([4, 7], (await KeyCustodyFolder.DataKeysAsync(temp)).Select(k => k.Id));
        Assert.True(File.Exists(temp.Data.MasterKeyFile));
        Assert.DoesNotContain(Convert.ToBase64String(ring.Keys[0].Material), first.Error, StringComparison.Ordinal);
    }

    /// <summary>What a conversion leaves when it stops after its commit: a master key file and the ring's keys wrapped by it.</summary>
    private static async Task ImportAsync(TempDataDirectory temp, KeyRing ring)
    {
        Assert.True(new MasterKeyFile(temp.Data.MasterKeyFile).TryCreate());
        using var master = KeyCustodyFolder.MasterKeyIn(temp.Data.MasterKeyFile);
        await KeyCustodyFolder.StoreDataKeysAsync(temp, ring, master);
    }
}
