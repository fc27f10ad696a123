using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SecretAdmin.Data;
using SecretAdmin.Data.Sqlite;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Settings;

/// <summary>
/// A database written by the version before destination binding — its schema, and secrets sealed
/// for their place alone — upgrades at the first start of this version without losing a secret,
/// also when that start is killed with SIGKILL at any point.
/// </summary>
[Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
public sealed class DestinationBindingUpgradeTests : IDisposable
{
    private const string LastMigrationBeforeBinding = "20261123165031_KeyOperations";
    private const string SmtpPassword = "smtp-password-from-before-binding";
    private const string ClientSecret = "client-secret-from-before-binding";
    private const string Authority = "https://login.example.test";

    private static readonly string SmtpDestination = SmtpServer.DestinationOf("smtp.example.test", 587, SmtpSecurity.StartTls, "mailer");
    private static readonly string OidcDestination = OidcSettings.ClientSecretDestination(Authority, "secretadmin");
    private static readonly SealedPlace SmtpPlace = new("SmtpSettings", "Password", "1");
    private static readonly SealedPlace OidcPlace = new("OidcSettings", "ClientSecret", "1");

    private readonly TempDataDirectory _temp = new();
    private readonly KeyRing _ring = TestSealing.Ring(1);

    public void Dispose() => _temp.Dispose();

    /// <summary>The schema and sealing of the version before destination binding, with an SMTP password and an OIDC client secret.</summary>
    private async Task SeedDatabaseFromBeforeBindingAsync()
    {
        _temp.Data.EnsureCreated();
        Assert.True(new KeyRingFile(_temp.Data.KeyRingFile).TryCreate(_ring));
        var options = new DbContextOptionsBuilder<SqliteSecretAdminDbContext>().UseSqlite($"Data Source={_temp.Data.DatabaseFile};Pooling=False");
        DatabaseEngineExtension.AddTo(options, new SqliteEngine(_temp.Data));
        await using var db = new SqliteSecretAdminDbContext(options.Options);
        await db.GetService<IMigrator>().MigrateAsync(LastMigrationBeforeBinding);
        using var sealer = TestSealing.Sealer(_ring);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "SmtpSettings" ("Id", "Host", "Port", "Security", "Username", "Password", "PasswordUpdatedAtUtc", "PasswordUpdatedBy", "FromAddress", "TimeoutSeconds", "Version")
            VALUES (1, 'smtp.example.test', 587, 'StartTls', 'mailer', {sealer.Seal(SmtpPassword, SmtpPlace)}, '2026-11-30 10:00:00', 'admin@example.test', 'no-reply@example.test', 30, 1)
            """);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "OidcSettings" ("Id", "Enabled", "ButtonLabel", "Authority", "ClientId", "ClientSecret", "Scopes", "CallbackPath", "CreateUnknownUsers", "LinkByVerifiedEmail", "Version")
            VALUES (1, 1, 'Single sign-on', {Authority}, 'secretadmin', {sealer.Seal(ClientSecret, OidcPlace)}, 'openid profile email', '/signin-oidc', 0, 0, 1)
            """);
    }

    /// <summary>Each secret as stored: its envelope and the destination recorded beside it.</summary>
    private async Task<(SealedSecret Smtp, SealedSecret Oidc)> StoredAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_temp.Data.DatabaseFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        var columns = await ColumnsAsync(connection, "SmtpSettings");
        var destinations = columns.Contains("PasswordDestination");
        command.CommandText = destinations
            ? """SELECT "Password", "PasswordDestination", (SELECT "ClientSecret" FROM "OidcSettings"), (SELECT "ClientSecretDestination" FROM "OidcSettings") FROM "SmtpSettings" """
            : """SELECT "Password", NULL, (SELECT "ClientSecret" FROM "OidcSettings"), NULL FROM "SmtpSettings" """;
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (
            new SealedSecret { Envelope = reader.GetString(0), Destination = reader.IsDBNull(1) ? null : reader.GetString(1) },
            new SealedSecret { Envelope = reader.GetString(2), Destination = reader.IsDBNull(3) ? null : reader.GetString(3) });
    }

    private static async Task<HashSet<string>> ColumnsAsync(SqliteConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>The secret opens with its value: unbound and sealed for its place, or bound to its own destination.</summary>
    private void AssertOpensAsBeforeOrBound(SealedSecret stored, SealedPlace place, string destination, string expected)
    {
        using var sealer = TestSealing.Sealer(_ring);
        var read = stored.Destination is null
            ? sealer.Open(stored.Envelope, place)
            : sealer.Open(stored, place.BoundTo(destination));
        Assert.Equal(expected, Assert.IsType<SecretRead.PresentSecret>(read).Value);
        Assert.True(stored.Destination is null || stored.Destination == destination, $"bound to {stored.Destination}");
    }

    [Fact]
    public async Task FirstStart_SecretsSealedBeforeBinding_AreBoundToTheirDestinationsAndOpenOnlyThere()
    {
        await SeedDatabaseFromBeforeBindingAsync();

        var show = await AppProcess.RunAsync(_temp, ["settings", "show", "--json"]);
        var again = await AppProcess.RunAsync(_temp, ["keys", "verify", "--json"]);

        Assert.Equal(0, show.ExitCode);
        var settings = JsonDocument.Parse(show.Output).RootElement;
        Assert.Equal("set", settings.GetProperty("smtp").GetProperty("password").GetProperty("state").GetString());
        Assert.Equal("set", settings.GetProperty("oidc").GetProperty("clientSecret").GetProperty("state").GetString());
        Assert.Equal(0, again.ExitCode);
        var (smtp, oidc) = await StoredAsync();
        Assert.Equal((SmtpDestination, OidcDestination), (smtp.Destination, oidc.Destination));
        using var sealer = TestSealing.Sealer(_ring);
        Assert.Equal(SmtpPassword, Assert.IsType<SecretRead.PresentSecret>(sealer.Open(smtp, SmtpPlace.BoundTo(SmtpDestination))).Value);
        Assert.Equal(ClientSecret, Assert.IsType<SecretRead.PresentSecret>(sealer.Open(oidc, OidcPlace.BoundTo(OidcDestination))).Value);
        Assert.IsType<SecretRead.UnreadableSecret>(sealer.Open(smtp.Envelope, SmtpPlace));
        await using var db = TestDatabase.Open(_temp);
        Assert.Equal(2, await db.AuditEntries.CountAsync(e => e.Action == SecretAdmin.Features.Audit.AuditActions.SecretBound));
    }

    [Fact]
    public async Task FirstStart_KilledAtRandomPoints_NoSecretIsLostAndTheNextStartFinishes()
    {
        await SeedDatabaseFromBeforeBindingAsync();
        var template = Path.Combine(Path.GetTempPath(), $"secretadmin-before-binding-{Guid.NewGuid():N}.db");
        File.Copy(_temp.Data.DatabaseFile, template);
        try
        {
            // How long a whole start takes here, then kills spread over it.
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, (await AppProcess.RunAsync(_temp, ["settings", "show"])).ExitCode);
            var whole = clock.Elapsed;
            var random = new Random(20261203);
            for (var trial = 0; trial < 8; trial++)
            {
                SqliteConnection.ClearAllPools();
                File.Copy(template, _temp.Data.DatabaseFile, overwrite: true);
                File.Delete(_temp.Data.DatabaseFile + "-wal");
                File.Delete(_temp.Data.DatabaseFile + "-shm");

                // The data folder as the earlier version left it: its key ring, no master key yet.
                File.Delete(_temp.Data.MasterKeyFile);
                File.Delete(_temp.Data.KeyRingFile);
                Assert.True(new KeyRingFile(_temp.Data.KeyRingFile).TryCreate(_ring));
                using var start = AppProcess.Start(_temp, ["settings", "show"]);
                await Task.Delay(whole * ((trial + random.NextDouble()) / 8));
                if (!start.HasExited)
                {
                    start.Kill(entireProcessTree: true);
                }

                await start.WaitForExitAsync();
                var (smtp, oidc) = await StoredAsync();
                AssertOpensAsBeforeOrBound(smtp, SmtpPlace, SmtpDestination, SmtpPassword);
                AssertOpensAsBeforeOrBound(oidc, OidcPlace, OidcDestination, ClientSecret);

                var next = await AppProcess.RunAsync(_temp, ["keys", "verify", "--json"]);
                Assert.True(next.ExitCode == 0, next.Output + next.Error);
                (smtp, oidc) = await StoredAsync();
                Assert.Equal((SmtpDestination, OidcDestination), (smtp.Destination, oidc.Destination));
                AssertOpensAsBeforeOrBound(smtp, SmtpPlace, SmtpDestination, SmtpPassword);
                AssertOpensAsBeforeOrBound(oidc, OidcPlace, OidcDestination, ClientSecret);
            }
        }
        finally
        {
            File.Delete(template);
        }
    }
}
