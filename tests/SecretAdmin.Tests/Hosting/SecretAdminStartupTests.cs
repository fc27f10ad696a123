using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Hosting;

/// <summary>Start-up of the real executable — the web app and a command alike — against real data folders.</summary>
public sealed class SecretAdminStartupTests : IDisposable
{
    private const string Password = "smtp-password-in-plain-sight";
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Health_FreshDataFolder_CreatesDatabaseOwnerOnlyMasterKeyAndAWrappedDataKey()
    {
        var result = await AppProcess.RunAsync(_temp, ["health"]);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains($"database: Healthy — {(TestPostgres.IsActive ? "PostgreSQL" : "SQLite")}: open, schema up to date", result.Output, StringComparison.Ordinal);
        Assert.Contains("key-ring: Healthy", result.Output, StringComparison.Ordinal);
        Assert.Contains("Created master key", result.Error, StringComparison.Ordinal);

        // On PostgreSQL no SQLite file is made beside the master key.
        Assert.Equal(!TestPostgres.IsActive, File.Exists(_temp.Data.DatabaseFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.Data.MasterKeyFile));
        Assert.Equal(OwnerOnlyFolder.Mode, File.GetUnixFileMode(_temp.Data.KeyRingFolder));
        Assert.False(File.Exists(_temp.Data.KeyRingFile));
        Assert.Equal([1], StoredKeys.Read(_temp).Keys.Select(k => k.Id));
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task WebApp_FirstStart_DatabaseAndTheFilesSqliteKeepsBesideItAreTheOwnersAlone()
    {
        var port = FreeLoopbackPort();
        using var app = AppProcess.Start(_temp, ["--urls", $"http://127.0.0.1:{port}"]);
        try
        {
            await WaitUntilServingAsync(app, port);

            // While the app holds the database open in WAL mode, SQLite keeps -wal and -shm beside it.
            foreach (var file in new[] { _temp.Data.DatabaseFile, $"{_temp.Data.DatabaseFile}-wal", $"{_temp.Data.DatabaseFile}-shm" })
            {
                Assert.True(File.Exists(file), $"{file} does not exist");
                Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
        }
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task Health_DatabaseFilesReadableByOthersFromAnEarlierVersion_MadeTheOwnersAloneAndSaysSo()
    {
        await AppProcess.RunAsync(_temp, ["health"]);
        var wal = $"{_temp.Data.DatabaseFile}-wal";
        await File.WriteAllBytesAsync(wal, []);
        var loose = OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(_temp.Data.DatabaseFile, loose);
        File.SetUnixFileMode(wal, loose);

        var result = await AppProcess.RunAsync(_temp, ["health"]);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(_temp.Data.DatabaseFile));
        Assert.Contains($"Made {_temp.Data.DatabaseFile} the owner's alone: its mode was 0644", result.Error, StringComparison.Ordinal);
        Assert.Contains($"Made {wal} the owner's alone", result.Error, StringComparison.Ordinal);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilServingAsync(System.Diagnostics.Process app, int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(app.HasExited, $"the web app exited with {(app.HasExited ? app.ExitCode : 0)}: {(app.HasExited ? await app.StandardError.ReadToEndAsync() : "")}");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the web app did not answer /healthz on port {port} within 60 s");
    }

    [Fact]
    public async Task Health_FreshDataFolder_CreatesNoDataProtectionKeysFolderAndSaysNothingOfOne()
    {
        var result = await AppProcess.RunAsync(_temp, ["health"]);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.False(Directory.Exists(_temp.Data.FormerDataProtectionKeysFolder));
        Assert.DoesNotContain("data-protection-keys", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task Health_DataProtectionKeysFolderOfAnEarlierVersion_LeftAloneWithAWarningThatItIsNoLongerUsed()
    {
        Directory.CreateDirectory(_temp.Data.FormerDataProtectionKeysFolder);
        var former = Path.Combine(_temp.Data.FormerDataProtectionKeysFolder, "key-3f2b4c1e-0000-4000-8000-000000000001.xml");
        await File.WriteAllTextAsync(former, "<key id=\"3f2b4c1e-0000-4000-8000-000000000001\" version=\"1\" />");

        var result = await AppProcess.RunAsync(_temp, ["health"]);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Single(result.Error.Split('\n'), line => line.Contains($"The folder {_temp.Data.FormerDataProtectionKeysFolder} holds session keys of an earlier version, which are no longer used", StringComparison.Ordinal));
        Assert.Contains("People signed in before the upgrade sign in again once", result.Error, StringComparison.Ordinal);
        Assert.Contains("delete the folder", result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(former));
    }

    [Fact]
    public async Task Health_SecondStart_KeepsTheSameMasterKey()
    {
        await AppProcess.RunAsync(_temp, ["health"]);
        var first = await File.ReadAllTextAsync(_temp.Data.MasterKeyFile);

        var result = await AppProcess.RunAsync(_temp, ["health"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(first, await File.ReadAllTextAsync(_temp.Data.MasterKeyFile));
        Assert.DoesNotContain("Created master key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task Health_MigrationLockLeftByAProcessKilledWhileMigrating_StartsAnyway()
    {
        await AppProcess.RunAsync(_temp, ["health"]);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_temp.Data.DatabaseFile};Pooling=False"))
        {
            // What EF Core's migration lock leaves behind when its process dies holding it.
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS "__EFMigrationsLock" ("Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY, "Timestamp" TEXT NOT NULL);
                INSERT INTO "__EFMigrationsLock" ("Id", "Timestamp") VALUES (1, '2026-12-03 09:00:00');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var result = await AppProcess.RunAsync(_temp, ["health"]);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
    }

    [Fact]
    public async Task WebAppAndCommand_SealedDataButNoKeysAtAll_RefuseNamingTheKeyIdsAndWriteNoMasterKey()
    {
        TestDatabase.SealSmtpPassword(_temp, TestSealing.Ring(1, 3), Password);

        foreach (var result in new[] { await AppProcess.RunWebAppAsync(_temp), await AppProcess.RunAsync(_temp, ["settings", "show"]) })
        {
            Assert.Equal(AppProcess.RefusedExitCode, result.ExitCode);
            Assert.Contains("holds 1 sealed values under data key ids 3, but no data keys", result.Error, StringComparison.Ordinal);
            Assert.Contains($"put the key ring of the earlier version back at {_temp.Data.KeyRingFile}", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, result.Error + result.Output, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_temp.Data.MasterKeyFile), "a new master key must never be made for sealed data it cannot open");
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task Command_KeyRingOfAnEarlierVersionLacksAKeyAValueNames_ConvertsAndThatValueAloneIsUnreadable()
    {
        var ring = TestSealing.Ring(1, 2);
        TestDatabase.SealSmtpPassword(_temp, ring, Password);
        new KeyRingFile(_temp.Data.KeyRingFile).TryCreate(new KeyRing([ring.Keys[0]], activeKeyId: 1));

        var health = await AppProcess.RunAsync(_temp, ["health"]);
        var rotate = await AppProcess.RunAsync(_temp, ["keys", "rotate"]);
        var list = await AppProcess.RunAsync(_temp, ["keys", "list"]);

        Assert.True(health.ExitCode == 0, health.Error + health.Output);
        Assert.Contains("name data key ids 2, which the database does not hold", health.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Data.KeyRingFile));

        // A new data key never takes the id a stored value names: that value stays "missing", not "does not open".
        Assert.Contains("Data key 3 is active.", rotate.Output, StringComparison.Ordinal);
        Assert.Equal(1, list.ExitCode);
        Assert.Matches(@"\n2\s+—\s+MISSING\s+1\s", list.Output);
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task WebApp_MalformedKeyRingFileOfAnEarlierVersion_RefusesSayingWhy()
    {
        TestDatabase.SealSmtpPassword(_temp, TestSealing.Ring(1), Password);
        new KeyRingFile(_temp.Data.KeyRingFile).TryCreate(TestSealing.Ring(1));
        await File.WriteAllTextAsync(_temp.Data.KeyRingFile, "{ \"format\": \"secretadmin-keyring-v1\", ");

        var result = await AppProcess.RunWebAppAsync(_temp);

        Assert.Equal(AppProcess.RefusedExitCode, result.ExitCode);
        Assert.Contains("the key ring of an earlier version cannot be converted: it is not valid key-ring JSON", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Data.MasterKeyFile));
    }

    [Fact]
    public async Task WebApp_MasterKeyFileReadableByOthers_RefusesWithTheFix()
    {
        await AppProcess.RunAsync(_temp, ["health"]);
        File.SetUnixFileMode(_temp.Data.MasterKeyFile, (UnixFileMode)0b110_100_100);

        var result = await AppProcess.RunWebAppAsync(_temp);

        Assert.Equal(AppProcess.RefusedExitCode, result.ExitCode);
        Assert.Contains("(mode 0644)", result.Error, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {_temp.Data.MasterKeyFile}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task Health_KeyRingOfAnEarlierVersionFromTheEnvironment_IsConvertedAndOpensSealedData()
    {
        var ring = TestSealing.Ring(4);
        TestDatabase.SealSmtpPassword(_temp, ring, Password);
        var environment = new Dictionary<string, string> { [SealingOptions.KeyRingVariable] = KeyRingJson.Serialize(ring) };

        var result = await AppProcess.RunAsync(_temp, ["health"], environment);
        var verify = await AppProcess.RunAsync(_temp, ["keys", "verify"]);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains($"Converted the key ring from the environment variable {SealingOptions.KeyRingVariable}", result.Error, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.False(File.Exists(_temp.Data.KeyRingFile));
        Assert.Equal([4], StoredKeys.Read(_temp).Keys.Select(k => k.Id));
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task CommandAndHealth_MalformedKeyRingInEnvironment_RefuseAndReportSayingWhy()
    {
        var environment = new Dictionary<string, string> { [SealingOptions.KeyRingVariable] = "{\"keys\": 1}" };

        var refused = await AppProcess.RunAsync(_temp, ["settings", "show"], environment);
        var health = await AppProcess.RunAsync(_temp, ["health"], environment);

        Assert.Equal(AppProcess.RefusedExitCode, refused.ExitCode);
        Assert.Contains("the key ring of an earlier version cannot be converted", refused.Error, StringComparison.Ordinal);
        Assert.Equal(1, health.ExitCode);
        Assert.Contains("key-ring: Unhealthy — the keys cannot be loaded: the key ring of an earlier version cannot be converted", health.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Data.KeyRingFile));
        Assert.False(File.Exists(_temp.Data.MasterKeyFile));
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task WebApp_DatabaseFileIsNotADatabase_RefusesNamingTheFile()
    {
        Directory.CreateDirectory(_temp.Path);
        await File.WriteAllTextAsync(_temp.Data.DatabaseFile, new string('x', 8192));

        var result = await AppProcess.RunWebAppAsync(_temp);

        Assert.Equal(AppProcess.RefusedExitCode, result.ExitCode);
        Assert.Contains($"the SQLite database {_temp.Data.DatabaseFile} cannot be opened or migrated", result.Error, StringComparison.Ordinal);
    }
}
