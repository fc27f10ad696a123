using Microsoft.EntityFrameworkCore;
using Npgsql;
using SecretAdmin.Data;
using SecretAdmin.Data.Postgres;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Data;

/// <summary>
/// The lock nodes migrate under is a session lock on PostgreSQL: the node that took it must give it
/// back itself, not leave that to the connection pool's reset, or a connection string that keeps
/// sessions as they are (<c>No Reset On Close=true</c>, a common tuning) would leave every other node
/// waiting at start-up for as long as this one runs.
/// </summary>
[Trait(TestPostgres.EngineTrait, TestPostgres.PostgresOnly)]
public sealed class PostgresMigrationLockTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Migrate_PooledConnectionKeptWithoutReset_AnotherNodeMigratesAtOnce()
    {
        var database = _temp.PostgresConnectionString
            ?? throw new InvalidOperationException($"This test needs PostgreSQL: set {TestPostgres.Variable} to a server's connection string (tests/run.sh does).");
        var kept = new NpgsqlConnectionStringBuilder(database) { NoResetOnClose = true, MaxPoolSize = 1 }.ConnectionString;

        await MigrateAsync(kept);

        // The first node's one pooled connection is still open, its session as it left it.
        var other = new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await MigrateAsync(other, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("A second node waited 10 s for the migration lock the first node still held after it had migrated.");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
        }
    }

    private async Task MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var engine = PostgresEngine.From(connectionString, _temp.Data);
        await using var db = engine.CreateContext();
        await engine.MigrateAsync(db, cancellationToken);
    }
}
