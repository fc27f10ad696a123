using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Data;

public sealed class SecretAdminDbContextTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SealedColumns_Model_AreTheStoredSecretsNamedAsInSql()
    {
        using var db = TestDatabase.Open(_temp);

        var columns = SealedColumn.AllIn(db.Model);

        Assert.Equal(
            [
                new SealedColumn("AspNetUsers", "TotpSecret", "Id", "TotpSecretDestination", SecretBinding.Row),
                new SealedColumn("OidcSettings", "ClientSecret", "Id", "ClientSecretDestination", SecretBinding.Destination),
                new SealedColumn("OutboxMails", "SealedBody", "Id", "SealedBodyDestination", SecretBinding.Row),
                new SealedColumn("SmtpSettings", "OAuthClientSecret", "Id", "OAuthClientSecretDestination", SecretBinding.Destination),
                new SealedColumn("SmtpSettings", "OAuthPrivateKey", "Id", "OAuthPrivateKeyDestination", SecretBinding.Destination),
                new SealedColumn("SmtpSettings", "Password", "Id", "PasswordDestination", SecretBinding.Destination),
            ],
            columns);
    }

    /// <summary>
    /// The app's contexts come from EF Core's pool: a disposed context is handed out again, of the
    /// engine's own type and on its engine, with nothing left of its last use — tracked rows, a
    /// transaction, a changed setting.
    /// </summary>
    [Fact]
    public async Task Factory_ContextDisposedAfterUse_IsRentedAgainReset()
    {
        await using var services = TestServices.Build(_temp);
        var factory = services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>();
        var engine = services.GetRequiredService<IDatabaseEngine>();

        SecretAdminDbContext first;
        await using (first = await factory.CreateDbContextAsync())
        {
            Assert.Same(engine, first.Engine);
            first.Users.Add(new SecretAdminUser { UserName = "pooled@example.test" });
            Assert.NotEmpty(first.ChangeTracker.Entries());
            await first.Database.BeginTransactionAsync();
            first.ChangeTracker.AutoDetectChangesEnabled = false;
        }

        await using var second = await factory.CreateDbContextAsync();
        Assert.Same(first, second);
        await using (var own = engine.CreateContext())
        {
            Assert.Equal(own.GetType(), second.GetType());
        }

        Assert.Same(engine, second.Engine);
        Assert.Empty(second.ChangeTracker.Entries());
        Assert.Null(second.Database.CurrentTransaction);
        Assert.True(second.ChangeTracker.AutoDetectChangesEnabled);
    }

    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task Startup_FreshDatabase_IsInWalModeWithEveryMigrationApplied()
    {
        using (var app = new SecretAdminAppFactory(_temp))
        {
            using var client = app.CreateClient();
            await client.GetAsync("/healthz");
        }

        await using var connection = new SqliteConnection($"Data Source={_temp.Data.DatabaseFile}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT COUNT(*) FROM \"__EFMigrationsHistory\"";
        using var db = TestDatabase.Open(_temp);
        Assert.Equal((long)Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetMigrations(db.Database).Count(), (long)(await command.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// The pragmas are set once per native connection; every open, of a connection the pool kept or
    /// of a new one, still has them.
    /// </summary>
    [Fact]
    [Trait(TestPostgres.EngineTrait, TestPostgres.SqliteOnly)]
    public async Task Connections_EveryOpenReusedOrNew_WaitForABusyDatabaseAndSyncAtCheckpoints()
    {
        for (var open = 0; open < 4; open++)
        {
            if (open == 2)
            {
                SqliteConnection.ClearAllPools();
            }

            await using var db = TestDatabase.Open(_temp);
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA busy_timeout";
            Assert.Equal(5000L, (long)(await command.ExecuteScalarAsync())!);
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
            await db.Database.CloseConnectionAsync();
        }
    }

    [Fact]
    public async Task WriteLockedTransactions_ManyAtOnceInOneProcess_EachGetsTheLockInTurn()
    {
        // As many as a burst of sign-ins: waiting must not take up a thread each. Each holds the lock
        // 10 ms, so the last in the queue waits about a second, far inside the command timeout (30 s)
        // even when other test classes keep the thread pool busy.
        var contexts = Enumerable.Range(0, 100).Select(_ => TestDatabase.Open(_temp)).ToList();
        var holders = 0;
        var mostHolders = 0;

        await Task.WhenAll(contexts.Select(async db =>
        {
            await using var transaction = await db.BeginWriteLockedTransactionAsync(CancellationToken.None);
            var now = Interlocked.Increment(ref holders);
            InterlockedMax(ref mostHolders, now);
            await Task.Delay(10);
            Interlocked.Decrement(ref holders);
            await transaction.CommitAsync();
        }));

        Assert.Equal(1, mostHolders);
        contexts.ForEach(db => db.Dispose());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task Census_SealedValuesUnderSeveralKeys_CountsPerKeyId()
    {
        var ring = TestSealing.Ring(1, 2);
        TestDatabase.SealSmtpPassword(_temp, ring, "pw");
        using var db = TestDatabase.Open(_temp);
        using var sealer = TestSealing.Sealer(new KeyRing([ring.Keys[0]], 1));
        var oidc = new SecretAdmin.Features.Oidc.OidcSettings();
        oidc.ClientSecret.Envelope = sealer.Seal("client", SealedColumn.For<SecretAdmin.Features.Oidc.OidcSettings>(db.Model, "ClientSecret").At(oidc.Id));
        db.OidcSettings.Add(oidc);
        await db.SaveChangesAsync();

        var census = await SealedValueCensus.TakeAsync(db, CancellationToken.None);

        Assert.Equal(2, census.Total);
        Assert.Equal([1, 2], census.KeyIds);
        Assert.Equal(1, census.CountFor(1));
        Assert.Equal(1, census.CountFor(2));
    }

    [Fact]
    public async Task Census_LegacyPlaintextAndMalformedKeyIds_AreNotCountedAsKeyReferences()
    {
        using var db = TestDatabase.Open(_temp);
        db.SmtpSettings.Add(new SecretAdmin.Features.Smtp.SmtpSettings { Password = { Envelope = "legacy plaintext" } });
        db.OidcSettings.Add(new SecretAdmin.Features.Oidc.OidcSettings { ClientSecret = { Envelope = "sa1:x:AAAA" } });
        await db.SaveChangesAsync();

        var census = await SealedValueCensus.TakeAsync(db, CancellationToken.None);

        Assert.Equal(0, census.Total);
        Assert.Empty(census.KeyIds);
    }

    [Theory]
    [InlineData("01")]
    [InlineData("001")]
    [InlineData("1\u0001")]
    [InlineData("0")]
    public async Task Census_KeyIdNotCanonical_IsNotCountedAsAKeyReference(string keyId)
    {
        using var db = TestDatabase.Open(_temp);
        db.OidcSettings.Add(new SecretAdmin.Features.Oidc.OidcSettings { ClientSecret = { Envelope = $"sa1:{keyId}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } });
        await db.SaveChangesAsync();

        var census = await SealedValueCensus.TakeAsync(db, CancellationToken.None);

        Assert.Equal(0, census.Total);
        Assert.Empty(census.KeyIds);
    }
}
